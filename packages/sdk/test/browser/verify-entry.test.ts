/**
 * `@quantumapi/sdk/verify` as an application uses it (run here in Node; chromium.test.ts runs the
 * bundle in a real browser): the RFC 9964 vectors, JWT claim checks, key sources (JWK, key set by
 * kid, JWKS URL), option checks that fail closed, and detached signatures. Every refusal is a
 * QuantumApiError with a stable code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MlDsaAlgorithm } from '../../src/crypto/algorithms.js';
import { toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { toAkpPublicJwk } from '../../src/crypto/jwk.js';
import { mlDsaKeyPairFromSeed, mlDsaSign } from '../../src/crypto/sig/ml-dsa.js';
import { compactSign } from '../../src/crypto/jws.js';
import { mlDsaJwsSigner } from '../../src/crypto/sig/jws-ml-dsa.js';
import {
  createRemoteJwks,
  isQuantumApiError,
  QuantumApiError,
  verifyJws,
  verifyJwt,
  verifySignature,
} from '../../src/verify/index.js';
import { type PageServer, startPageServer } from './page-server.js';

const ISS = 'https://issuer.example';
const AUD = 'browser-app';
const NOW = 1_800_000_000;
const at = (seconds: number) => new Date(seconds * 1000);

const key = (alg: MlDsaAlgorithm, fill: number) => {
  const pair = mlDsaKeyPairFromSeed(alg, new Uint8Array(32).fill(fill));
  // Spread into a plain object type, which (unlike the AkpPublicJwk interface) is a Jwk record.
  return { ...pair, jwk: { ...toAkpPublicJwk(alg, pair.publicKey) } };
};
const k65 = key('ML-DSA-65', 3);
const k65b = key('ML-DSA-65', 4);

const jwt = (claims: Record<string, unknown>, k = k65, header: { kid?: string } = { kid: k.jwk.kid }) =>
  compactSign(
    JSON.stringify({ iss: ISS, aud: AUD, exp: NOW + 300, iat: NOW, ...claims }),
    { alg: 'ML-DSA-65', typ: 'JWT', ...header },
    mlDsaJwsSigner('ML-DSA-65', k.privateKey),
  );

/** The code of the refusal, or 'ok'. */
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => {
      expect(isQuantumApiError(e)).toBe(true);
      expect(e).toBeInstanceOf(QuantumApiError);
      return (e as QuantumApiError).code;
    },
  );

const opts = { issuer: ISS, audience: AUD, currentDate: at(NOW) };

describe('RFC 9964 examples through the verify entry', () => {
  const shared = new URL('../../../../../shared/pq-vectors/', import.meta.url);
  for (const level of ['44', '65'] as const) {
    const file = `rfc9964-ML_DSA_${level}.jose.json`;
    const v = JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8'));
    const alg = `ML-DSA-${level}` as const;

    it(`ML-DSA-${level}: the published JWS verifies with the published JWK`, async () => {
      const { payload, protectedHeader } = await verifyJws(v.jws, { jwk: v.jwk }, { algorithms: [alg] });
      expect(new TextDecoder().decode(payload)).toBe('It’s a dangerous business, Frodo, going out your door.');
      expect(protectedHeader).toEqual({ alg, kid: v.jwk.kid });
      // And from a key set, found by the example's kid.
      const other = key(alg, 5).jwk;
      expect((await verifyJws(v.jws, { jwks: { keys: [other, v.jwk] } }, { algorithms: [alg] })).payload).toEqual(
        payload,
      );
    });

    it(`ML-DSA-${level}: refused when tampered, not allowed, or under another key`, async () => {
      const [h, p, s] = v.jws.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[0] = (sig[0] as number) ^ 0x80;
      const tampered = `${h}.${p}.${toBase64Url(sig)}`;
      expect(await codeOf(verifyJws(tampered, { jwk: v.jwk }, { algorithms: [alg] }))).toBe('TOKEN_SIGNATURE_INVALID');
      const defaultAllowed = level === '65' ? 'ok' : 'ALGORITHM_NOT_ALLOWED';
      expect(await codeOf(verifyJws(v.jws, { jwk: v.jwk }))).toBe(defaultAllowed);
      const otherKey = level === '65' ? k65.jwk : key('ML-DSA-44', 6).jwk;
      expect(await codeOf(verifyJws(v.jws, { jwk: otherKey }, { algorithms: [alg] }))).toBe('TOKEN_SIGNATURE_INVALID');
    });

    it.skipIf(!existsSync(new URL(file, shared)))(`ML-DSA-${level}: the in-repo copy is the shared vector`, () => {
      expect(readFileSync(new URL(`../vectors/${file}`, import.meta.url))).toEqual(readFileSync(new URL(file, shared)));
    });
  }

  it('the example is a JWS, not a JWT: its prose payload is refused as claims', async () => {
    const v = JSON.parse(readFileSync(new URL('../vectors/rfc9964-ML_DSA_65.jose.json', import.meta.url), 'utf8'));
    expect(await codeOf(verifyJwt(v.jws, { jwk: v.jwk }, opts))).toBe('TOKEN_INVALID');
  });
});

describe('verifyJwt claim checks', () => {
  const verify = (token: string, o: Record<string, unknown> = {}) =>
    codeOf(verifyJwt(token, { jwk: k65.jwk }, { ...opts, ...o }));

  it('returns the claims and header of a valid token', async () => {
    const r = await verifyJwt(jwt({ sub: 'alice', scope: 'read' }), { jwk: k65.jwk }, opts);
    expect(r.payload).toMatchObject({ sub: 'alice', scope: 'read', iss: ISS, aud: AUD });
    expect(r.protectedHeader).toEqual({ alg: 'ML-DSA-65', kid: k65.jwk.kid, typ: 'JWT' });
  });

  it('exp: refused from the expiry second on, unless within clockTolerance', async () => {
    const t = jwt({ exp: NOW + 10 });
    expect(await verify(t, { currentDate: at(NOW + 9) })).toBe('ok');
    expect(await verify(t, { currentDate: at(NOW + 10) })).toBe('TOKEN_EXPIRED');
    expect(await verify(t, { currentDate: at(NOW + 14), clockTolerance: 5 })).toBe('ok');
    expect(await verify(t, { currentDate: at(NOW + 15), clockTolerance: 5 })).toBe('TOKEN_EXPIRED');
  });

  it('exp is required unless requireExpiry is false; NumericDates must be numbers', async () => {
    expect(await verify(jwt({ exp: undefined }))).toBe('TOKEN_CLAIM_INVALID');
    expect(await verify(jwt({ exp: undefined }), { requireExpiry: false })).toBe('ok');
    for (const c of ['exp', 'nbf', 'iat']) {
      expect(await verify(jwt({ [c]: String(NOW + 60) }))).toBe('TOKEN_CLAIM_INVALID');
      expect(await verify(jwt({ [c]: null }))).toBe('TOKEN_CLAIM_INVALID');
    }
  });

  it('nbf and iat: not before their time, give or take clockTolerance', async () => {
    expect(await verify(jwt({ nbf: NOW + 30 }))).toBe('TOKEN_NOT_YET_VALID');
    expect(await verify(jwt({ nbf: NOW + 30 }), { clockTolerance: 30 })).toBe('ok');
    expect(await verify(jwt({ iat: NOW + 30 }))).toBe('TOKEN_CLAIM_INVALID');
    expect(await verify(jwt({ iat: NOW + 30 }), { clockTolerance: 30 })).toBe('ok');
  });

  it('maxTokenAge: needs iat, and refuses older tokens', async () => {
    expect(await verify(jwt({ iat: NOW - 100 }), { maxTokenAge: 100 })).toBe('ok');
    expect(await verify(jwt({ iat: NOW - 101 }), { maxTokenAge: 100 })).toBe('TOKEN_EXPIRED');
    expect(await verify(jwt({ iat: undefined }), { maxTokenAge: 100 })).toBe('TOKEN_CLAIM_INVALID');
  });

  it('fails closed when clockTolerance, maxTokenAge or currentDate is not a number', async () => {
    const old = jwt({ exp: NOW - 10, nbf: NOW + 10, iat: NOW - 1000 });
    expect(await verify(old, { clockTolerance: Number.NaN })).not.toBe('ok');
    // A numeric string is that number, never string concatenation (`now + '5'`).
    expect(await verify(jwt({ nbf: NOW + 10 }), { clockTolerance: '5' })).toBe('TOKEN_NOT_YET_VALID');
    expect(await verify(jwt({ iat: NOW - 1000 }), { maxTokenAge: Number.NaN })).toBe('TOKEN_EXPIRED');
    expect(await verify(jwt({ nbf: NOW + 10 }), { clockTolerance: 'abc' })).toBe('TOKEN_EXPIRED');
    expect(await verify(jwt({}), { currentDate: new Date('not a date') })).toBe('TOKEN_EXPIRED');
  });

  it('iss must match exactly; aud must contain one of the expected audiences', async () => {
    expect(await verify(jwt({ iss: `${ISS}/` }))).toBe('TOKEN_ISSUER_INVALID');
    expect(await verify(jwt({ iss: undefined }))).toBe('TOKEN_ISSUER_INVALID');
    expect(await verify(jwt({ aud: 'other' }))).toBe('TOKEN_AUDIENCE_INVALID');
    expect(await verify(jwt({ aud: ['other', AUD] }))).toBe('ok');
    expect(await verify(jwt({ aud: 'other' }), { audience: ['x', 'other'] })).toBe('ok');
    expect(await verify(jwt({ aud: undefined }))).toBe('TOKEN_AUDIENCE_INVALID');
    expect(await verify(jwt({ aud: [[AUD]] }))).toBe('TOKEN_AUDIENCE_INVALID');
  });

  it('needs issuer and audience, and checks them before touching the token', async () => {
    for (const o of [{ issuer: '' }, { audience: '' }, { audience: [] }, { issuer: undefined }]) {
      expect(await verify('not even a token', o)).toBe('INVALID_OPTIONS');
    }
  });

  it('refuses a payload that is not a JSON object', async () => {
    const sign = (payload: string) =>
      compactSign(payload, { alg: 'ML-DSA-65' }, mlDsaJwsSigner('ML-DSA-65', k65.privateKey));
    for (const p of ['[1]', '"x"', 'null', '{', '']) expect(await verify(sign(p))).toBe('TOKEN_INVALID');
  });
});

describe('algorithm allow-list and keys', () => {
  it('allows ML-DSA-44 / -65 / -87 only, ML-DSA-65 by default', async () => {
    for (const algorithms of [[], ['ES256'], ['toString'], ['ML-DSA-65', 'RS256'], 'ML-DSA-65']) {
      expect(await codeOf(verifyJwt(jwt({}), { jwk: k65.jwk }, { ...opts, algorithms } as never))).toBe(
        'INVALID_OPTIONS',
      );
    }
    const t87 = key('ML-DSA-87', 7);
    const token = compactSign('{}', { alg: 'ML-DSA-87' }, mlDsaJwsSigner('ML-DSA-87', t87.privateKey));
    expect(await codeOf(verifyJws(token, { jwk: t87.jwk }))).toBe('ALGORITHM_NOT_ALLOWED');
    expect(await codeOf(verifyJws(token, { jwk: t87.jwk }, { algorithms: ['ML-DSA-87'] }))).toBe('ok');
    // The header alg must equal the key's alg, whatever the allow-list says.
    expect(await codeOf(verifyJws(token, { jwk: k65.jwk }, { algorithms: ['ML-DSA-65', 'ML-DSA-87'] }))).toBe(
      'KEY_ALGORITHM_MISMATCH',
    );
  });

  it('picks the key from a set by kid; an unknown or absent kid among several keys finds none', async () => {
    const jwks = { keys: [k65b.jwk, k65.jwk] };
    expect(await codeOf(verifyJwt(jwt({}), { jwks }, opts))).toBe('ok');
    expect(await codeOf(verifyJwt(jwt({}, k65, { kid: 'nope' }), { jwks }, opts))).toBe('JWKS_NO_MATCHING_KEY');
    expect(await codeOf(verifyJwt(jwt({}, k65, {}), { jwks }, opts))).toBe('JWKS_NO_MATCHING_KEY');
    expect(await codeOf(verifyJwt(jwt({}, k65, {}), { jwks: { keys: [k65.jwk] } }, opts))).toBe('ok');
    // A kid that names another key is a signature failure, not a silent fallback.
    expect(await codeOf(verifyJwt(jwt({}, k65, { kid: k65b.jwk.kid }), { jwks }, opts))).toBe(
      'TOKEN_SIGNATURE_INVALID',
    );
  });
});

describe('remote JWKS', () => {
  let server: PageServer;
  let keys = [k65.jwk];
  beforeAll(async () => {
    server = await startPageServer('', { '/jwks': () => ({ keys }) });
  });
  afterAll(() => server.close());

  it('fetches once per URL across calls, and refetches for a new kid (key rotation)', async () => {
    const jwksUri = `${server.origin}/jwks`;
    for (let i = 0; i < 3; i++) expect(await codeOf(verifyJwt(jwt({}), { jwksUri }, opts))).toBe('ok');
    expect(server.hits['/jwks']).toBe(1);
    keys = [k65.jwk, k65b.jwk];
    const cache = createRemoteJwks(jwksUri, { cooldownMs: 0 });
    expect(await codeOf(verifyJwt(jwt({}), cache, opts))).toBe('ok');
    expect(await codeOf(verifyJwt(jwt({}, k65b), cache, opts))).toBe('ok');
    expect(server.hits['/jwks']).toBe(2);
  });

  it('refuses non-https JWKS URLs (loopback http aside), and reports an unreachable JWKS', async () => {
    expect(await codeOf(verifyJwt(jwt({}), { jwksUri: 'http://issuer.example/jwks' }, opts))).toBe('INVALID_OPTIONS');
    expect(await codeOf(verifyJwt(jwt({}), { jwksUri: `${server.origin}/missing` }, opts))).toBe('JWKS_UNAVAILABLE');
    for (const jwksUri of ['__proto__', 'toString', 'constructor']) {
      expect(await codeOf(verifyJwt(jwt({}), { jwksUri }, opts))).toBe('INVALID_OPTIONS');
    }
  });
});

describe('verifySignature (detached ML-DSA)', () => {
  const data = utf8('firmware v1.2.3');
  const context = utf8('firmware');

  it('is true for a valid signature under a raw key or a JWK, with the same context', () => {
    for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const) {
      const k = key(alg, 8);
      const signature = mlDsaSign(alg, k.privateKey, data, { context });
      expect(verifySignature({ algorithm: alg, publicKey: k.publicKey, data, signature, context })).toBe(true);
      expect(verifySignature({ algorithm: alg, publicKey: k.jwk, data, signature, context })).toBe(true);
      expect(verifySignature({ algorithm: alg, publicKey: k.publicKey, data, signature })).toBe(false);
    }
  });

  it('is false for a flipped bit, another key, or wrong sizes', () => {
    const signature = mlDsaSign('ML-DSA-65', k65.privateKey, data);
    const bad = signature.slice();
    bad[7] = (bad[7] as number) ^ 1;
    expect(verifySignature({ publicKey: k65.publicKey, data, signature })).toBe(true);
    expect(verifySignature({ publicKey: k65.publicKey, data, signature: bad })).toBe(false);
    expect(verifySignature({ publicKey: k65b.publicKey, data, signature })).toBe(false);
    expect(verifySignature({ publicKey: k65.publicKey.subarray(1), data, signature })).toBe(false);
    expect(verifySignature({ publicKey: k65.publicKey, data, signature: signature.subarray(1) })).toBe(false);
  });

  it('throws typed errors for a bad algorithm, key or input', () => {
    const signature = mlDsaSign('ML-DSA-65', k65.privateKey, data);
    const codeOfSync = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return (e as QuantumApiError).code;
      }
    };
    const base = { publicKey: k65.publicKey, data, signature };
    expect(codeOfSync(() => verifySignature({ ...base, algorithm: 'ES256' as never }))).toBe('INVALID_OPTIONS');
    expect(codeOfSync(() => verifySignature({ ...base, publicKey: key('ML-DSA-44', 1).jwk }))).toBe('INVALID_JWK');
    expect(codeOfSync(() => verifySignature({ ...base, publicKey: { kty: 'EC' } }))).toBe('INVALID_JWK');
    expect(codeOfSync(() => verifySignature({ ...base, data: 'text' as never }))).toBe('INVALID_INPUT');
    expect(codeOfSync(() => verifySignature({ ...base, context: new Uint8Array(256) }))).toBe('INVALID_INPUT');
    expect(codeOfSync(() => verifySignature({ ...base, context: new Uint8Array(255) }))).toBe('ok');
  });
});
