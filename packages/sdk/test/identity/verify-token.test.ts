import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/crypto/bytes.js';
import { compactSign, compactVerify } from '../../src/crypto/jws.js';
import { mlDsaJwsSigner } from '../../src/crypto/sig/jws-ml-dsa.js';
import { nobleSignature } from '../../src/crypto/noble-provider.js';
import { IdentityNamespace } from '../../src/identity/namespace.js';
import { errorOf } from '../vault/helpers.js';
import { b64u, decodePayload, localIssuer, nodeJwt, nodeKey, nowSeconds, withPayload } from './helpers.js';
import { type Provider, startProvider } from './oidc-server.js';

const AUD = 'orders-api';

let idp: Provider;
let issuerNs: IdentityNamespace;

beforeAll(async () => {
  idp = await startProvider();
  issuerNs = localIssuer(idp.issuer, true);
  idp.state.jwks = (await issuerNs.jwks()) as { keys: unknown[] };
});
afterAll(() => idp.close());

describe('identity.verifyToken against a real OIDC endpoint', () => {
  it('verifies an ML-DSA-65 token from the local issuer via discovery + JWKS', async () => {
    const { token, kid } = await issuerNs.issueToken(
      { sub: 'user-1', scope: 'orders:read' },
      { expiresIn: '5m', audience: AUD },
    );
    const verifier = new IdentityNamespace();
    const { payload, protectedHeader } = await verifier.verifyToken(token, { issuer: idp.issuer, audience: AUD });
    expect(protectedHeader).toMatchObject({ alg: 'ML-DSA-65', kid, typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'user-1', scope: 'orders:read', iss: idp.issuer, aud: AUD });
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);
    const jwks = await issuerNs.jwks();
    expect(jwks.keys.map((k) => k.alg)).toEqual(['ML-DSA-65', 'ES256']);
    expect(jwks.keys.every((k) => !('priv' in k) && !('d' in k))).toBe(true);
  });

  it('verifies classical tokens (local ES256; node:crypto ES256, EdDSA, RS256) when allowed for the issuer', async () => {
    const keys = [nodeKey('ES256', 'ec-1'), nodeKey('EdDSA', 'ed-1'), nodeKey('RS256', 'rsa-1')];
    const p = await startProvider({ jwks: { keys: keys.map((k) => k.jwk) } });
    try {
      const verifier = new IdentityNamespace(undefined, {
        issuers: { [p.issuer]: { algorithms: ['ES256', 'EdDSA', 'RS256'] } },
      });
      for (const k of keys) {
        const jwt = nodeJwt(k, { iss: p.issuer, aud: [AUD, 'other'], exp: nowSeconds() + 60, sub: k.alg });
        expect((await verifier.verifyToken(jwt, { issuer: p.issuer, audience: AUD })).payload.sub).toBe(k.alg);
        const forged = withPayload(jwt, { ...decodePayload(jwt), sub: 'admin' });
        expect((await errorOf(verifier.verifyToken(forged, { issuer: p.issuer, audience: AUD }))).code).toBe(
          'TOKEN_SIGNATURE_INVALID',
        );
      }
      // The default allow-list is post-quantum only.
      const jwt = nodeJwt(keys[0]!, { iss: p.issuer, aud: AUD, exp: nowSeconds() + 60 });
      expect((await errorOf(new IdentityNamespace().verifyToken(jwt, { issuer: p.issuer, audience: AUD }))).code).toBe(
        'ALGORITHM_NOT_ALLOWED',
      );
    } finally {
      await p.close();
    }
    const { token } = await issuerNs.issueToken({ sub: 's' }, { expiresIn: 60, audience: AUD, algorithm: 'ES256' });
    const ok = await new IdentityNamespace().verifyToken(token, {
      issuer: idp.issuer,
      audience: AUD,
      algorithms: ['ES256'],
    });
    expect(ok.protectedHeader.alg).toBe('ES256');
  });

  describe('refuses, each with its own code', () => {
    const verify = (jwt: string, extra: Record<string, unknown> = {}) =>
      new IdentityNamespace().verifyToken(jwt, { issuer: idp.issuer, audience: AUD, ...extra });
    const issue = async (claims: Record<string, unknown> = {}, aud: string = AUD) =>
      (await issuerNs.issueToken({ sub: 'u', ...claims } as never, { expiresIn: 60, audience: aud })).token;

    it('alg "none"', async () => {
      const jwt = `${b64u('{"alg":"none","typ":"JWT"}')}.${b64u(JSON.stringify({ iss: idp.issuer, aud: AUD }))}.`;
      expect((await errorOf(verify(jwt, { algorithms: ['ML-DSA-65'] }))).code).toBe('TOKEN_INVALID');
      const withSig = `${b64u('{"alg":"none"}')}.${b64u('{}')}.${b64u('x')}`;
      expect((await errorOf(verify(withSig))).code).toBe('TOKEN_INVALID');
    });

    it('HS256 "signed" with the issuer public key (key confusion)', async () => {
      const { createHmac } = await import('node:crypto');
      const pub = JSON.stringify((await issuerNs.jwks()).keys[0]);
      const input = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify({ iss: idp.issuer, aud: AUD, exp: nowSeconds() + 60 }))}`;
      const jwt = `${input}.${b64u(createHmac('sha256', pub).update(input).digest())}`;
      expect((await errorOf(verify(jwt))).code).toBe('UNSUPPORTED_ALGORITHM');
      expect((await errorOf(verify(jwt, { algorithms: ['HS256'] }))).code).toBe('INVALID_OPTIONS');
    });

    it('a kid that points at a key of another algorithm', async () => {
      const [mlKey, ecKey] = (await issuerNs.jwks()).keys;
      const ec = nodeKey('ES256', mlKey!.kid);
      const jwt = nodeJwt(ec, { iss: idp.issuer, aud: AUD, exp: nowSeconds() + 60 });
      expect((await errorOf(verify(jwt, { algorithms: ['ES256', 'ML-DSA-65'] }))).code).toBe('KEY_ALGORITHM_MISMATCH');
      // Header says ML-DSA-65, kid names the ES256 key.
      const ml = await issue();
      const [h, p, s] = ml.split('.');
      const header = { ...JSON.parse(Buffer.from(h!, 'base64url').toString()), kid: ecKey!.kid };
      const swapped = `${b64u(JSON.stringify(header))}.${p}.${s}`;
      expect((await errorOf(verify(swapped, { algorithms: ['ES256', 'ML-DSA-65'] }))).code).toBe(
        'KEY_ALGORITHM_MISMATCH',
      );
    });

    it('a header alg that differs from the JWK alg', async () => {
      const k = nodeKey('ES256', 'ec-mismatch');
      const p = await startProvider({ jwks: { keys: [{ ...k.jwk, alg: 'ES384' }] } });
      try {
        const jwt = nodeJwt(k, { iss: p.issuer, aud: AUD, exp: nowSeconds() + 60 });
        const e = await errorOf(
          new IdentityNamespace().verifyToken(jwt, { issuer: p.issuer, audience: AUD, algorithms: ['ES256'] }),
        );
        expect(e.code).toBe('KEY_ALGORITHM_MISMATCH');
      } finally {
        await p.close();
      }
    });

    it('an algorithm outside the allow-list', async () => {
      expect((await errorOf(verify(await issue(), { algorithms: ['ES256'] }))).code).toBe('ALGORITHM_NOT_ALLOWED');
    });

    it('expired, not yet valid, issued in the future', async () => {
      const token = await issue();
      const { exp, iat } = decodePayload(token) as { exp: number; iat: number };
      expect((await errorOf(verify(token, { currentDate: new Date(exp * 1000) }))).code).toBe('TOKEN_EXPIRED');
      expect(await verify(token, { currentDate: new Date(exp * 1000), clockTolerance: 5 })).toBeDefined();
      expect((await errorOf(verify(token, { currentDate: new Date((iat - 10) * 1000) }))).code).toBe(
        'TOKEN_CLAIM_INVALID',
      );
      // The local issuer sets nbf/iat/exp itself and refuses them as claims.
      expect((await errorOf(issuerNs.issueToken({ nbf: 1 }, { expiresIn: 60 }))).code).toBe('INVALID_INPUT');
      const k = nodeKey('ES256', 'nbf-key');
      const p = await startProvider({ jwks: { keys: [k.jwk] } });
      try {
        const jwt = nodeJwt(k, { iss: p.issuer, aud: AUD, exp: nowSeconds() + 600, nbf: nowSeconds() + 300 });
        const e = await errorOf(
          new IdentityNamespace().verifyToken(jwt, { issuer: p.issuer, audience: AUD, algorithms: ['ES256'] }),
        );
        expect(e.code).toBe('TOKEN_NOT_YET_VALID');
        const noExp = nodeJwt(k, { iss: p.issuer, aud: AUD });
        const e2 = await errorOf(
          new IdentityNamespace().verifyToken(noExp, { issuer: p.issuer, audience: AUD, algorithms: ['ES256'] }),
        );
        expect(e2.code).toBe('TOKEN_CLAIM_INVALID');
      } finally {
        await p.close();
      }
    });

    it('wrong issuer, wrong audience', async () => {
      const other = localIssuer('https://evil.example');
      const p = await startProvider();
      try {
        // A token whose iss is not the issuer we asked for, served from that issuer's own JWKS.
        p.state.jwks = (await other.jwks()) as { keys: unknown[] };
        const { token } = await other.issueToken({ sub: 'x' }, { expiresIn: 60, audience: AUD });
        const e = await errorOf(new IdentityNamespace().verifyToken(token, { issuer: p.issuer, audience: AUD }));
        expect(e.code).toBe('TOKEN_ISSUER_INVALID');
      } finally {
        await p.close();
      }
      expect((await errorOf(verify(await issue({}, 'billing-api')))).code).toBe('TOKEN_AUDIENCE_INVALID');
      expect(await verify(await issue({}, 'billing-api'), { audience: ['x', 'billing-api'] })).toBeDefined();
    });

    it('a tampered payload or signature, and malformed tokens', async () => {
      const token = await issue({ role: 'user' });
      expect((await errorOf(verify(withPayload(token, { ...decodePayload(token), role: 'admin' })))).code).toBe(
        'TOKEN_SIGNATURE_INVALID',
      );
      const sig = Buffer.from(token.split('.')[2]!, 'base64url');
      sig[100] = (sig[100] as number) ^ 1;
      expect((await errorOf(verify(`${token.split('.').slice(0, 2).join('.')}.${b64u(sig)}`))).code).toBe(
        'TOKEN_SIGNATURE_INVALID',
      );
      for (const bad of ['', 'a.b', 'a.b.c.d', `${token}x`, token.replace('.', '.=')]) {
        expect(['TOKEN_INVALID', 'INVALID_OPTIONS']).toContain((await errorOf(verify(bad))).code);
      }
    });

    it('an unknown kid, after one refetch', async () => {
      const before = idp.hits['/jwks'] ?? 0;
      const stranger = localIssuer(idp.issuer);
      const { token } = await stranger.issueToken({}, { expiresIn: 60, audience: AUD });
      const v = new IdentityNamespace();
      expect((await errorOf(v.verifyToken(token, { issuer: idp.issuer, audience: AUD }))).code).toBe(
        'JWKS_NO_MATCHING_KEY',
      );
      // First fetch, no refetch inside the cooldown that the first fetch started.
      expect((idp.hits['/jwks'] ?? 0) - before).toBe(1);
    });
  });
});

describe('JWKS caching', () => {
  it('fetches discovery and JWKS once for many tokens, concurrently', async () => {
    const p = await startProvider();
    try {
      const iss = localIssuer(p.issuer);
      p.state.jwks = (await iss.jwks()) as { keys: unknown[] };
      const tokens = await Promise.all(
        Array.from({ length: 6 }, (_, i) => iss.issueToken({ n: i }, { expiresIn: 60, audience: AUD })),
      );
      const v = new IdentityNamespace();
      await Promise.all(tokens.map((t) => v.verifyToken(t.token, { issuer: p.issuer, audience: AUD })));
      await v.verifyToken(tokens[0]!.token, { issuer: p.issuer, audience: AUD });
      expect(p.hits['/.well-known/openid-configuration']).toBe(1);
      expect(p.hits['/jwks']).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('refetches on an unknown kid (key rotation), at most once per cooldown', async () => {
    const p = await startProvider();
    let now = 1_000_000;
    try {
      const oldIssuer = localIssuer(p.issuer);
      const newIssuer = localIssuer(p.issuer);
      const oldKeys = (await oldIssuer.jwks()).keys;
      p.state.jwks = { keys: [...oldKeys] };
      const v = new IdentityNamespace(undefined, { now: () => now, cooldownMs: 30_000 });
      const a = await oldIssuer.issueToken({}, { expiresIn: 600, audience: AUD });
      await v.verifyToken(a.token, { issuer: p.issuer, audience: AUD });
      // Rotation: the issuer publishes its new key.
      p.state.jwks = { keys: [...oldKeys, ...(await newIssuer.jwks()).keys] };
      now += 30_000;
      const b = await newIssuer.issueToken({}, { expiresIn: 600, audience: AUD });
      await v.verifyToken(b.token, { issuer: p.issuer, audience: AUD });
      expect(p.hits['/jwks']).toBe(2);
      // Junk kids inside the cooldown do not reach the JWKS endpoint.
      const junk = localIssuer(p.issuer);
      const c = await junk.issueToken({}, { expiresIn: 600, audience: AUD });
      for (let i = 0; i < 3; i++) {
        expect((await errorOf(v.verifyToken(c.token, { issuer: p.issuer, audience: AUD }))).code).toBe(
          'JWKS_NO_MATCHING_KEY',
        );
      }
      expect(p.hits['/jwks']).toBe(2);
      now += 30_000;
      await errorOf(v.verifyToken(c.token, { issuer: p.issuer, audience: AUD }));
      expect(p.hits['/jwks']).toBe(3);
    } finally {
      await p.close();
    }
  });

  it('serves cached keys through a short JWKS outage, then fails with JWKS_UNAVAILABLE', async () => {
    const p = await startProvider();
    let now = 5_000_000;
    try {
      const iss = localIssuer(p.issuer);
      p.state.jwks = (await iss.jwks()) as { keys: unknown[] };
      const v = new IdentityNamespace(undefined, { now: () => now, maxAgeMs: 60_000, staleIfErrorMs: 120_000 });
      const verify = async () => {
        const { token } = await iss.issueToken({}, { expiresIn: 600, audience: AUD });
        return v.verifyToken(token, { issuer: p.issuer, audience: AUD });
      };
      await verify();
      p.state.jwksStatus = 503;
      now += 61_000; // stale: a refresh is attempted, fails, cached keys are used
      await verify();
      expect(p.hits['/jwks']).toBeGreaterThanOrEqual(2);
      now += 120_000; // beyond maxAge + staleIfError
      expect((await errorOf(verify())).code).toBe('JWKS_UNAVAILABLE');
      p.state.jwksStatus = 200;
      await verify();
    } finally {
      await p.close();
    }
  });

  it('fails discovery with DISCOVERY_FAILED (issuer mismatch, no jwks_uri, unreachable)', async () => {
    const p = await startProvider({ discoveryOverride: { issuer: 'https://someone-else.example' } });
    try {
      const { token } = await issuerNs.issueToken({}, { expiresIn: 60, audience: AUD });
      expect(
        (await errorOf(new IdentityNamespace().verifyToken(token, { issuer: p.issuer, audience: AUD }))).code,
      ).toBe('DISCOVERY_FAILED');
      p.state.discoveryOverride = { jwks_uri: undefined };
      expect(
        (await errorOf(new IdentityNamespace().verifyToken(token, { issuer: p.issuer, audience: AUD }))).code,
      ).toBe('DISCOVERY_FAILED');
    } finally {
      await p.close();
    }
    const { token } = await issuerNs.issueToken({}, { expiresIn: 60, audience: AUD });
    const e = await errorOf(new IdentityNamespace().verifyToken(token, { issuer: p.issuer, audience: AUD }));
    expect(e.code).toBe('DISCOVERY_FAILED');
  });

  it('can skip discovery with jwksUri, or verify against local jwks()', async () => {
    const { token } = await issuerNs.issueToken({ sub: 'direct' }, { expiresIn: 60, audience: AUD });
    const v = new IdentityNamespace();
    const r1 = await v.verifyToken(token, { issuer: idp.issuer, audience: AUD, jwksUri: `${idp.issuer}/jwks` });
    const r2 = await v.verifyToken(token, { issuer: idp.issuer, audience: AUD, jwks: await issuerNs.jwks() });
    expect([r1.payload.sub, r2.payload.sub]).toEqual(['direct', 'direct']);
  });
});

describe('RFC 9964 vectors', () => {
  for (const level of ['44', '65'] as const) {
    const v = JSON.parse(
      readFileSync(new URL(`../vectors/rfc9964-ML_DSA_${level}.jose.json`, import.meta.url), 'utf8'),
    );
    it(`ML-DSA-${level}: the example JWS verifies with the example JWK, tampered it does not`, () => {
      const alg = `ML-DSA-${level}`;
      const r = compactVerify(v.jws, v.jwk, { algorithms: [alg] });
      expect(new TextDecoder().decode(r.payload)).toContain('dangerous business');
      const [h, p, s] = v.jws.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[0] = (sig[0] as number) ^ 0x80;
      expect(() => compactVerify(`${h}.${p}.${b64u(sig)}`, v.jwk, { algorithms: [alg] })).toThrow(
        expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
      );
    });
  }

  it('ML-DSA-65: verifyToken takes the vector key from a real JWKS endpoint', async () => {
    const v = JSON.parse(readFileSync(new URL('../vectors/rfc9964-ML_DSA_65.jose.json', import.meta.url), 'utf8'));
    const p = await startProvider({ jwks: { keys: [v.jwk] } });
    try {
      const verifier = new IdentityNamespace();
      // The example itself: the signature passes; its payload is prose, not a claims set.
      expect((await errorOf(verifier.verifyToken(v.jws, { issuer: p.issuer, audience: AUD }))).code).toBe(
        'TOKEN_INVALID',
      );
      // A JWT signed with the vector's private key (seed all zeros) verifies under the vector kid.
      const pair = nobleSignature.keyPairFromSeed('ML-DSA-65', fromHex(v.priv));
      expect(b64u(pair.publicKey)).toBe(v.jwk.pub);
      const jwt = compactSign(
        JSON.stringify({ iss: p.issuer, aud: AUD, exp: nowSeconds() + 60, sub: 'vector' }),
        { alg: 'ML-DSA-65', kid: v.jwk.kid, typ: 'JWT' },
        mlDsaJwsSigner('ML-DSA-65', pair.privateKey),
      );
      expect((await verifier.verifyToken(jwt, { issuer: p.issuer, audience: AUD })).payload.sub).toBe('vector');
    } finally {
      await p.close();
    }
  });
});
