/**
 * The browser entry's slim JOSE layer (src/verify/jws.ts, jwk.ts, base64url.ts) must refuse exactly
 * what the full SDK's compact JWS verifier refuses, with the same error codes: every case below is
 * run through both `@quantumapi/sdk/verify` and identity/jwt.ts `verifyJws` over crypto/jws.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url as strictFromBase64Url, toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { toAkpPublicJwk } from '../../src/crypto/jwk.js';
import { ML_DSA_JWS_SUITES } from '../../src/crypto/sig/jws-ml-dsa.js';
import { ML_DSA_SIZES, mlDsaKeyPairFromSeed, mlDsaSign } from '../../src/crypto/sig/ml-dsa.js';
import type { MlDsaAlgorithm } from '../../src/crypto/algorithms.js';
import { verifyJws as fullVerifyJws } from '../../src/identity/jwt.js';
import { verifyJws } from '../../src/verify/index.js';
import { fromBase64Url } from '../../src/verify/base64url.js';
import { isMlDsa, publicKeyLength } from '../../src/verify/ml-dsa.js';

const pair = (alg: MlDsaAlgorithm, fill: number) => mlDsaKeyPairFromSeed(alg, new Uint8Array(32).fill(fill));
const k65 = pair('ML-DSA-65', 1);
const k44 = pair('ML-DSA-44', 2);
const jwk65 = toAkpPublicJwk('ML-DSA-65', k65.publicKey);
const jwk44 = toAkpPublicJwk('ML-DSA-44', k44.publicKey);

const b64 = (v: string | Uint8Array) => toBase64Url(typeof v === 'string' ? utf8(v) : v);
const encHeader = (h: unknown) => b64(JSON.stringify(h));
/** A compact JWS over any header text, signed with `key` whatever the header says. */
const jws = (header: string, payload = b64('{"sub":"alice"}'), key = k65, alg: MlDsaAlgorithm = 'ML-DSA-65') =>
  `${header}.${payload}.${b64(mlDsaSign(alg, key.privateKey, utf8(`${header}.${payload}`)))}`;

const good = jws(encHeader({ alg: 'ML-DSA-65', kid: jwk65.kid, typ: 'JWT' }));
const [gh, gp, gs] = good.split('.') as [string, string, string];
const sig = Buffer.from(gs, 'base64url');
const flipped = Buffer.from(sig);
flipped[10] = (flipped[10] as number) ^ 1;

type Outcome = { ok: true; payload: string; header: unknown } | { ok: false; code: string };
const outcome = (p: Promise<{ payload: Uint8Array; protectedHeader: unknown }>): Promise<Outcome> =>
  p.then(
    (r) => ({ ok: true, payload: Buffer.from(r.payload).toString('hex'), header: r.protectedHeader }),
    (e: { code?: string }) => ({ ok: false, code: e.code ?? String(e) }),
  );

const both = async (token: unknown, jwk: unknown, algorithms: MlDsaAlgorithm[] = ['ML-DSA-65']) => {
  const slim = await outcome(verifyJws(token as string, { getKey: async () => jwk as never, url: '' }, { algorithms }));
  const full = await outcome(
    fullVerifyJws(token as string, async () => jwk, { algorithms, suites: ML_DSA_JWS_SUITES }),
  );
  return { slim, full };
};

const tokens: Record<string, [token: unknown, expected: string]> = {
  'a valid ML-DSA-65 JWS': [good, 'ok'],
  'b64: true (the default, spelled out)': [jws(encHeader({ alg: 'ML-DSA-65', b64: true })), 'ok'],
  'an extra header member': [jws(encHeader({ alg: 'ML-DSA-65', x5u: 'https://evil.example/k' })), 'ok'],
  'a flipped signature bit': [`${gh}.${gp}.${b64(flipped)}`, 'TOKEN_SIGNATURE_INVALID'],
  'a truncated signature': [`${gh}.${gp}.${b64(sig.subarray(0, 3000))}`, 'TOKEN_SIGNATURE_INVALID'],
  'an edited payload': [`${gh}.${b64('{"sub":"admin"}')}.${gs}`, 'TOKEN_SIGNATURE_INVALID'],
  'signed by another key': [jws(gh, gp, pair('ML-DSA-65', 9)), 'TOKEN_SIGNATURE_INVALID'],
  'alg "none"': [`${encHeader({ alg: 'none' })}.${gp}.${gs}`, 'TOKEN_INVALID'],
  'alg "NONE"': [`${encHeader({ alg: 'NONE' })}.${gp}.${gs}`, 'TOKEN_INVALID'],
  'HS256 (key confusion)': [`${encHeader({ alg: 'HS256' })}.${gp}.${gs}`, 'UNSUPPORTED_ALGORITHM'],
  'ES256, not allowed': [`${encHeader({ alg: 'ES256' })}.${gp}.${gs}`, 'ALGORITHM_NOT_ALLOWED'],
  'ML-DSA-87, not allowed': [`${encHeader({ alg: 'ML-DSA-87' })}.${gp}.${gs}`, 'ALGORITHM_NOT_ALLOWED'],
  'a prototype name as alg': [`${encHeader({ alg: 'toString' })}.${gp}.${gs}`, 'ALGORITHM_NOT_ALLOWED'],
  '"crit"': [jws(encHeader({ alg: 'ML-DSA-65', crit: ['exp'], exp: 1 })), 'TOKEN_INVALID'],
  'an empty "crit"': [jws(encHeader({ alg: 'ML-DSA-65', crit: [] })), 'TOKEN_INVALID'],
  'b64: false': [jws(encHeader({ alg: 'ML-DSA-65', b64: false })), 'TOKEN_INVALID'],
  'a numeric kid': [jws(encHeader({ alg: 'ML-DSA-65', kid: 5 })), 'TOKEN_INVALID'],
  'an object typ': [jws(encHeader({ alg: 'ML-DSA-65', typ: {} })), 'TOKEN_INVALID'],
  'a null kid': [jws(encHeader({ alg: 'ML-DSA-65', kid: null })), 'TOKEN_INVALID'],
  'an empty alg': [jws(encHeader({ alg: '' })), 'TOKEN_INVALID'],
  'a numeric alg': [jws(encHeader({ alg: 65 })), 'TOKEN_INVALID'],
  'no alg': [jws(encHeader({ kid: 'x' })), 'TOKEN_INVALID'],
  'a JSON array header': [jws(encHeader(['ML-DSA-65'])), 'TOKEN_INVALID'],
  'a non-JSON header': [jws(b64('{alg:ML-DSA-65}')), 'TOKEN_INVALID'],
  'a header that is not UTF-8': [jws(b64(new Uint8Array([0x7b, 0xff, 0x7d]))), 'TOKEN_INVALID'],
  'an empty header': [`.${gp}.${gs}`, 'TOKEN_INVALID'],
  'a header over 16 kB': [jws(encHeader({ alg: 'ML-DSA-65', pad: 'x'.repeat(13_000) })), 'TOKEN_INVALID'],
  'a padded header': [`${gh}=.${gp}.${gs}`, 'TOKEN_INVALID'],
  'a standard-base64 payload character': [`${gh}.${gp}+.${gs}`, 'TOKEN_INVALID'],
  'a non-canonical payload (trailing bits)': [`${gh}.${b64('{}').slice(0, -1)}1.${gs}`, 'TOKEN_INVALID'],
  'a payload of impossible length': [`${gh}.${gp}A.${gs}`, 'TOKEN_INVALID'],
  'whitespace in the signature': [`${gh}.${gp}.${gs.slice(0, 8)} ${gs.slice(8)}`, 'TOKEN_INVALID'],
  'an empty signature': [`${gh}.${gp}.`, 'TOKEN_INVALID'],
  'two segments': [`${gh}.${gp}`, 'TOKEN_INVALID'],
  'four segments': [`${good}.${gs}`, 'TOKEN_INVALID'],
  'a JWE-like five segments': [`${gh}....`, 'TOKEN_INVALID'],
  'not a string': [42, 'TOKEN_INVALID'],
  'an empty string': ['', 'TOKEN_INVALID'],
};

const keys: Record<string, [jwk: unknown, expected: string]> = {
  'no key (null)': [null, 'TOKEN_INVALID'],
  'an array': [[jwk65], 'TOKEN_INVALID'],
  'use: "enc"': [{ ...jwk65, use: 'enc' }, 'INVALID_JWK'],
  'use: null': [{ ...jwk65, use: null }, 'INVALID_JWK'],
  'key_ops without verify': [{ ...jwk65, key_ops: ['sign'] }, 'INVALID_JWK'],
  'key_ops as a string': [{ ...jwk65, key_ops: 'verify' }, 'INVALID_JWK'],
  'use: "sig", key_ops: ["verify"]': [{ ...jwk65, use: 'sig', key_ops: ['verify'] }, 'ok'],
  'an EC key': [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', alg: 'ES256' }, 'KEY_ALGORITHM_MISMATCH'],
  'an ML-DSA-44 JWK for an ML-DSA-65 token': [jwk44, 'KEY_ALGORITHM_MISMATCH'],
  'an AKP JWK without alg': [{ kty: 'AKP', pub: jwk65.pub }, 'INVALID_JWK'],
  'a pub that is not base64url': [{ ...jwk65, pub: `${jwk65.pub}=` }, 'INVALID_JWK'],
  'a pub of the wrong size': [{ ...jwk65, pub: jwk44.pub }, 'INVALID_JWK'],
  'a numeric pub': [{ ...jwk65, pub: 5 }, 'INVALID_JWK'],
  'a priv that is not base64url': [{ ...jwk65, priv: '***' }, 'INVALID_JWK'],
  'a numeric kid': [{ ...jwk65, kid: 1 }, 'INVALID_JWK'],
  'a JWK whose kid differs from the header (a single given key is used whatever the kid)': [
    { ...jwk65, kid: 'other' },
    'ok',
  ],
};

describe('@quantumapi/sdk/verify JOSE layer: same verdict and code as the full SDK', () => {
  it.each(Object.entries(tokens))('token: %s', async (_name, [token, expected]) => {
    const { slim, full } = await both(token, jwk65);
    expect(slim).toEqual(full);
    expect(slim.ok ? 'ok' : slim.code).toBe(expected);
  });

  it.each(Object.entries(keys))('key: %s', async (_name, [jwk, expected]) => {
    const { slim, full } = await both(good, jwk);
    expect(slim).toEqual(full);
    expect(slim.ok ? 'ok' : slim.code).toBe(expected);
  });

  it('ML-DSA-44 passes only when allowed, and only with its own key', async () => {
    const t44 = jws(encHeader({ alg: 'ML-DSA-44' }), gp, k44, 'ML-DSA-44');
    for (const [jwk, algorithms] of [
      [jwk44, ['ML-DSA-44']],
      [jwk44, ['ML-DSA-65']],
      [jwk65, ['ML-DSA-44', 'ML-DSA-65']],
    ] as const) {
      const { slim, full } = await both(t44, jwk, [...algorithms]);
      expect(slim).toEqual(full);
    }
    expect((await both(t44, jwk44, ['ML-DSA-44'])).slim.ok).toBe(true);
  });
});

describe('strict base64url of the browser entry', () => {
  const orUndefined = (s: string) => {
    try {
      return strictFromBase64Url(s);
    } catch {
      return undefined;
    }
  };

  it('round-trips every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it('accepts exactly what the core decoder (crypto/bytes.ts) accepts, with the same bytes', () => {
    const alphabet = 'AQgw_-+/= .\n\u00e9Z9';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }), (s) => {
        expect(fromBase64Url(s)).toEqual(orUndefined(s));
      }),
      { numRuns: 3000 },
    );
    for (const s of ['', 'AA', 'AB', 'AAA', 'AAB', 'A', 'AA==', '_-_-', 'w', 'wA', 'wQ']) {
      expect(fromBase64Url(s)).toEqual(orUndefined(s));
    }
    expect(fromBase64Url(5)).toBeUndefined();
  });
});

describe('the verify-only ML-DSA table', () => {
  it('has the FIPS 204 sizes of crypto/sig/ml-dsa.ts, and no prototype names', () => {
    for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const) {
      expect(isMlDsa(alg)).toBe(true);
      expect(publicKeyLength(alg)).toBe(ML_DSA_SIZES[alg].publicKey);
    }
    for (const name of ['toString', '__proto__', 'constructor', 'ML-DSA-66', 'ml-dsa-65', 65]) {
      expect(isMlDsa(name)).toBe(false);
    }
  });
});
