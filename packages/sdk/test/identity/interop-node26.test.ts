/**
 * Interop: an ML-DSA-65 JWT signed by OpenSSL 3.5 (Node 26's native node:crypto, an independent
 * implementation) verifies through identity.verifyToken with Node's own AKP JWK served from a real
 * JWKS endpoint; and a token from our local issuer verifies under Node 26's native ML-DSA.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityNamespace } from '../../src/identity/namespace.js';
import { errorOf } from '../vault/helpers.js';
import { localIssuer, withPayload } from './helpers.js';
import { type Provider, startProvider } from './oidc-server.js';

const node26 = (): string =>
  execFileSync('bash', [new URL('../../../../scripts/ensure-node26.sh', import.meta.url).pathname], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1) as string;

const run = (bin: string, script: string, input: string): string =>
  execFileSync(bin, ['--input-type=module', '-e', script], { input, encoding: 'utf8' });

let idp: Provider;
let bin: string;
beforeAll(async () => {
  bin = node26();
  idp = await startProvider();
}, 300_000);
afterAll(() => idp?.close());

describe('ML-DSA-65 JWT interop with OpenSSL (Node 26)', () => {
  it('verifies a JWT signed by node:crypto ML-DSA-65', async () => {
    const out = run(
      bin,
      `
      import { generateKeyPairSync, sign } from 'node:crypto';
      const { iss, aud } = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => r(s)); }));
      const { publicKey, privateKey } = generateKeyPairSync('ml-dsa-65');
      const jwk = publicKey.export({ format: 'jwk' });
      const b64 = (v) => Buffer.from(v).toString('base64url');
      const input = b64(JSON.stringify({ alg: 'ML-DSA-65', kid: 'node26', typ: 'JWT' })) + '.' +
        b64(JSON.stringify({ iss, aud, sub: 'openssl', exp: Math.floor(Date.now() / 1000) + 60 }));
      const jwt = input + '.' + b64(sign(null, Buffer.from(input), privateKey));
      process.stdout.write(JSON.stringify({ jwk: { ...jwk, kid: 'node26' }, jwt, version: process.versions.openssl }));
      `,
      JSON.stringify({ iss: idp.issuer, aud: 'interop' }),
    );
    const { jwk, jwt, version } = JSON.parse(out) as { jwk: Record<string, unknown>; jwt: string; version: string };
    expect(version.startsWith('3.5') || version.startsWith('3.6') || version.startsWith('4.')).toBe(true);
    idp.state.jwks = { keys: [jwk] };
    const v = new IdentityNamespace();
    const r = await v.verifyToken(jwt, { issuer: idp.issuer, audience: 'interop' });
    expect(r.payload.sub).toBe('openssl');
    expect(
      (await errorOf(v.verifyToken(withPayload(jwt, { sub: 'x' }), { issuer: idp.issuer, audience: 'interop' }))).code,
    ).toBe('TOKEN_SIGNATURE_INVALID');
  });

  it('our local issuer tokens verify under node:crypto ML-DSA-65', async () => {
    const issuer = localIssuer('https://issuer.example');
    const { token } = await issuer.issueToken({ sub: 'ours' }, { expiresIn: 60, audience: 'interop' });
    const jwk = (await issuer.jwks()).keys[0];
    const verdict = run(
      bin,
      `
      import { createPublicKey, verify } from 'node:crypto';
      const { token, jwk } = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (c) => (s += c)); process.stdin.on('end', () => r(s)); }));
      const key = createPublicKey({ key: { kty: jwk.kty, alg: jwk.alg, pub: jwk.pub }, format: 'jwk' });
      const [h, p, s] = token.split('.');
      const ok = verify(null, Buffer.from(h + '.' + p), key, Buffer.from(s, 'base64url'));
      const bad = verify(null, Buffer.from(h + '.' + p + 'x'), key, Buffer.from(s, 'base64url'));
      process.stdout.write(JSON.stringify({ ok, bad }));
      `,
      JSON.stringify({ token, jwk }),
    );
    expect(JSON.parse(verdict)).toEqual({ ok: true, bad: false });
  });
});
