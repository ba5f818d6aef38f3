/**
 * The browser entry in a real browser: Debian's headless Chromium driven by playwright-core loads a
 * page from 127.0.0.1 that imports the esbuild bundle of src/verify, verifies a token from the
 * local issuer (keys from a JWKS URL and from a JWK), a detached ML-DSA-65 signature, and rejects
 * tampered ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import type { IssuerJwk } from '../../src/identity/backend.js';
import { nobleSignature } from '../../src/crypto/noble-provider.js';
import { b64u, decodePayload, localIssuer, withPayload } from '../identity/helpers.js';
import { buildVerifyBundle } from './bundle.js';
import { type PageServer, startPageServer } from './page-server.js';

const CHROMIUM = '/usr/bin/chromium';
const AUD = 'browser-app';

let server: PageServer;
let context: BrowserContext;
let page: Page;
let profile: string;
let jwks: { keys: readonly IssuerJwk[] };
let issuer: ReturnType<typeof localIssuer>;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const bundle = await buildVerifyBundle();
  server = await startPageServer(bundle.code, { '/jwks': () => jwks });
  // The issuer is the page's own origin, which also serves the JWKS.
  issuer = localIssuer(server.origin);
  jwks = await issuer.jwks();
  profile = await mkdtemp(join(tmpdir(), 'qapi-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => (window as unknown as { qapiReady?: boolean }).qapiReady === true);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

interface Outcome {
  ok: boolean;
  sub?: unknown;
  code?: string;
}

/** Runs verifyJwt inside the page. */
const verifyInPage = (token: string, source: 'jwksUri' | 'jwk', jwk?: IssuerJwk): Promise<Outcome> =>
  page.evaluate(
    async ({ token, source, jwk, origin, aud }) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's module namespace on window
      const v = (window as any).qapiVerify;
      const key = source === 'jwksUri' ? { jwksUri: `${origin}/jwks` } : { jwk };
      try {
        const r = await v.verifyJwt(token, key, { issuer: origin, audience: aud });
        return { ok: true, sub: r.payload.sub };
      } catch (e) {
        return { ok: false, code: (e as { code?: string }).code ?? String(e) };
      }
    },
    { token, source, jwk, origin: server.origin, aud: AUD },
  );

describe('@quantumapi/sdk/verify in headless Chromium', () => {
  it('runs in a real browser (not Node)', async () => {
    const ua = await page.evaluate(() => navigator.userAgent);
    expect(ua).toContain('Chrome');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  it('verifies an ML-DSA-65 token from the local issuer via the JWKS URL, and rejects a tampered one', async () => {
    const { token } = await issuer.issueToken({ sub: 'alice', role: 'reader' }, { expiresIn: '5m', audience: AUD });
    expect(await verifyInPage(token, 'jwksUri')).toEqual({ ok: true, sub: 'alice' });
    const tampered = withPayload(token, { ...decodePayload(token), role: 'admin' });
    expect(await verifyInPage(tampered, 'jwksUri')).toEqual({ ok: false, code: 'TOKEN_SIGNATURE_INVALID' });
    expect(server.hits['/jwks']).toBe(1);
  });

  it('verifies with a JWK, and applies the claim checks', async () => {
    const jwk = jwks.keys[0] as IssuerJwk;
    const { token } = await issuer.issueToken({ sub: 'bob' }, { expiresIn: 60, audience: AUD });
    expect(await verifyInPage(token, 'jwk', jwk)).toEqual({ ok: true, sub: 'bob' });
    const other = await issuer.issueToken({ sub: 'bob' }, { expiresIn: 60, audience: 'someone-else' });
    expect(await verifyInPage(other.token, 'jwk', jwk)).toEqual({ ok: false, code: 'TOKEN_AUDIENCE_INVALID' });
    const none = `${b64u('{"alg":"none"}')}.${token.split('.')[1]}.`;
    expect(await verifyInPage(none, 'jwk', jwk)).toEqual({ ok: false, code: 'TOKEN_INVALID' });
  });

  it("refuses, on the browser's own atob/TextDecoder, malformed encodings and a critical header", async () => {
    const jwk = jwks.keys[0] as IssuerJwk;
    const { token } = await issuer.issueToken({ sub: 'carol' }, { expiresIn: 60, audience: AUD });
    const [h, p, s] = token.split('.') as [string, string, string];
    const cases: [string, string][] = [
      [`${h}=.${p}.${s}`, 'TOKEN_INVALID'],
      [`${h}.${p.slice(0, 4)} ${p.slice(4)}.${s}`, 'TOKEN_INVALID'],
      [`${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`, 'TOKEN_INVALID'],
      [`${h}.${p.replace(/-/g, '+')}+.${s}`, 'TOKEN_INVALID'],
      [`${b64u(JSON.stringify({ alg: 'ML-DSA-65', crit: ['exp'], exp: 1 }))}.${p}.${s}`, 'TOKEN_INVALID'],
      [`${b64u(new Uint8Array([0x7b, 0xff, 0x7d]))}.${p}.${s}`, 'TOKEN_INVALID'],
      // "e30" is the canonical "{}"; "e31" decodes to the same bytes with a stray trailing bit.
      [`${h}.e30.${s}`, 'TOKEN_SIGNATURE_INVALID'],
      [`${h}.e31.${s}`, 'TOKEN_INVALID'],
    ];
    for (const [bad, code] of cases) expect(await verifyInPage(bad, 'jwk', jwk)).toEqual({ ok: false, code });
    expect(await verifyInPage(token, 'jwk', jwk)).toEqual({ ok: true, sub: 'carol' });
  });

  it('verifies a detached ML-DSA-65 signature over bytes, and rejects a flipped bit', async () => {
    const seed = new Uint8Array(32).fill(7);
    const { publicKey, privateKey } = nobleSignature.keyPairFromSeed('ML-DSA-65', seed);
    const data = utf8('firmware image v1.2.3');
    const sig = nobleSignature.sign('ML-DSA-65', privateKey, data);
    const run = (sigHex: string) =>
      page.evaluate(
        ({ pk, d, s }) => {
          const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => Number.parseInt(x, 16));
          // biome-ignore lint/suspicious/noExplicitAny: the bundle's module namespace on window
          return (window as any).qapiVerify.verifySignature({ publicKey: hex(pk), data: hex(d), signature: hex(s) });
        },
        { pk: toHex(publicKey), d: toHex(data), s: sigHex },
      );
    expect(await run(toHex(sig))).toBe(true);
    const bad = sig.slice();
    bad[42] = (bad[42] as number) ^ 1;
    expect(await run(toHex(bad))).toBe(false);
  });

  it('passes the RFC 9964 example JWS (ML-DSA-44 and -65) in the browser', async () => {
    for (const level of ['44', '65']) {
      const v = JSON.parse(
        readFileSync(new URL(`../vectors/rfc9964-ML_DSA_${level}.jose.json`, import.meta.url), 'utf8'),
      );
      const out = await page.evaluate(
        async ({ jws, jwk, alg }) => {
          // biome-ignore lint/suspicious/noExplicitAny: the bundle's module namespace on window
          const verify = (window as any).qapiVerify;
          const r = await verify.verifyJws(jws, { jwk }, { algorithms: [alg] });
          const tampered = `${jws.slice(0, -8)}AAAAAAAA`;
          const bad = await verify
            .verifyJws(tampered, { jwk }, { algorithms: [alg] })
            .catch((e: { code: string }) => e.code);
          const notAllowed = await verify.verifyJws(jws, { jwk }).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          );
          return { text: new TextDecoder().decode(r.payload), bad, notAllowed };
        },
        { jws: v.jws, jwk: v.jwk, alg: `ML-DSA-${level}` },
      );
      expect(out.text).toContain('dangerous business');
      expect(out.bad).toBe('TOKEN_SIGNATURE_INVALID');
      expect(out.notAllowed).toBe(level === '65' ? 'ok' : 'ALGORITHM_NOT_ALLOWED');
    }
  });
});
