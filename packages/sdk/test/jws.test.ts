/** Compact JWS: what a verifier refuses, and with which typed error. */
import { describe, expect, it } from 'vitest';
import { QuantumApiError } from '../src/errors.js';
import { toBase64Url, utf8 } from '../src/crypto/bytes.js';
import { toAkpPublicJwk } from '../src/crypto/jwk.js';
import {
  AlgorithmNotAllowedError,
  compactSign,
  compactVerify,
  compactVerifyAsync,
  decodeProtectedHeader,
  KeyAlgorithmMismatchError,
} from '../src/crypto/jws.js';
import { mlDsaJwsSigner } from '../src/crypto/sig/jws-ml-dsa.js';
import { mlDsaKeyPairFromSeed } from '../src/crypto/sig/ml-dsa.js';

const seed = new Uint8Array(32).fill(7);
const pair = mlDsaKeyPairFromSeed('ML-DSA-65', seed);
const jwk = toAkpPublicJwk('ML-DSA-65', pair.publicKey);
const signer = mlDsaJwsSigner('ML-DSA-65', pair.privateKey);
const ALG = { algorithms: ['ML-DSA-65'] } as const;
const good = compactSign('{"sub":"svc"}', { alg: 'ML-DSA-65', kid: jwk.kid, typ: 'JWT' }, signer);
const [goodH, goodP, goodS] = good.split('.') as [string, string, string];

const b64json = (v: unknown) => toBase64Url(utf8(JSON.stringify(v)));
/** A token whose header is `header` and whose signature is a real ML-DSA-65 signature over it. */
const signedWith = (header: Record<string, unknown>, payload = goodP) => {
  const input = `${b64json(header)}.${payload}`;
  return `${input}.${toBase64Url(signer.sign(utf8(input)))}`;
};

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    return (e as QuantumApiError).code;
  }
  throw new Error('expected a typed error, got a result');
};

describe('compactVerify accepts', () => {
  it('a good token, returning payload and protected header', () => {
    const r = compactVerify(good, jwk, ALG);
    expect(new TextDecoder().decode(r.payload)).toBe('{"sub":"svc"}');
    expect(r.protectedHeader).toEqual({ alg: 'ML-DSA-65', kid: jwk.kid, typ: 'JWT' });
  });

  it('a key chosen by a resolver from the header, sync or async', async () => {
    const byKid = (h: { kid?: string }) => (h.kid === jwk.kid ? jwk : undefined);
    expect(compactVerify(good, byKid, ALG).protectedHeader.kid).toBe(jwk.kid);
    expect((await compactVerifyAsync(good, async (h) => byKid(h), ALG)).protectedHeader.kid).toBe(jwk.kid);
  });

  it('extra header members, kept in the result', () => {
    const jws = compactSign(new Uint8Array(0), { alg: 'ML-DSA-65', header: { iss: 'me', n: 1 } }, signer);
    expect(compactVerify(jws, jwk, ALG).protectedHeader).toEqual({ alg: 'ML-DSA-65', iss: 'me', n: 1 });
  });
});

describe('compactVerify refuses', () => {
  it('alg "none" (any case), even if the allow-list is bypassed by a resolver', () => {
    expect(code(() => compactVerify(`${b64json({ alg: 'none' })}.${goodP}.`, jwk, ALG))).toBe('INVALID_JWS');
    expect(code(() => compactVerify(`${b64json({ alg: 'NoNe' })}.${goodP}.${goodS}`, jwk, ALG))).toBe('INVALID_JWS');
    expect(code(() => compactVerify(good, jwk, { algorithms: ['none'] }))).toBe('INVALID_OPTIONS');
  });

  it('HMAC, always: in a token or in an allow-list', () => {
    expect(code(() => compactVerify(`${b64json({ alg: 'HS256' })}.${goodP}.${goodS}`, jwk, ALG))).toBe(
      'UNSUPPORTED_ALGORITHM',
    );
    expect(code(() => compactVerify(good, jwk, { algorithms: ['ML-DSA-65', 'HS256'] }))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('an alg outside the allow-list, with its own error class', () => {
    expect(() => compactVerify(good, jwk, { algorithms: ['ML-DSA-87'] })).toThrow(AlgorithmNotAllowedError);
    expect(code(() => compactVerify(good, jwk, { algorithms: ['ML-DSA-87'] }))).toBe('ALGORITHM_NOT_ALLOWED');
  });

  it('an allowed alg this verifier has no implementation for (classical suites are opt-in)', () => {
    const es = signedWith({ alg: 'ES256' });
    expect(code(() => compactVerify(es, jwk, { algorithms: ['ES256'] }))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('a header alg that differs from the key alg', () => {
    const k44 = toAkpPublicJwk('ML-DSA-44', mlDsaKeyPairFromSeed('ML-DSA-44', seed).publicKey);
    expect(() => compactVerify(good, k44, { algorithms: ['ML-DSA-44', 'ML-DSA-65'] })).toThrow(
      KeyAlgorithmMismatchError,
    );
    const ec = { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' };
    expect(code(() => compactVerify(good, ec, ALG))).toBe('KEY_ALGORITHM_MISMATCH');
  });

  it('a key that is missing, malformed, or not for verification', () => {
    expect(code(() => compactVerify(good, () => undefined, ALG))).toBe('INVALID_JWS');
    expect(code(() => compactVerify(good, { ...jwk, pub: jwk.pub.slice(4) }, ALG))).toBe('INVALID_JWK');
    expect(code(() => compactVerify(good, { ...jwk, pub: `${jwk.pub}!` }, ALG))).toBe('INVALID_JWK');
    expect(code(() => compactVerify(good, { ...jwk, use: 'enc' }, ALG))).toBe('INVALID_JWK');
    expect(code(() => compactVerify(good, { ...jwk, key_ops: ['sign'] }, ALG))).toBe('INVALID_JWK');
    expect(compactVerify(good, { ...jwk, use: 'sig', key_ops: ['verify'] }, ALG).payload.length).toBe(13);
  });

  it('another key', () => {
    const other = toAkpPublicJwk('ML-DSA-65', mlDsaKeyPairFromSeed('ML-DSA-65', new Uint8Array(32)).publicKey);
    expect(code(() => compactVerify(good, other, ALG))).toBe('SIGNATURE_INVALID');
  });

  it('malformed structure, base64url and JSON', () => {
    for (const bad of [
      '',
      goodH,
      `${goodH}.${goodP}`,
      `${good}.`,
      `${goodH}.${goodP}.`,
      `.${goodP}.${goodS}`,
      `${goodH}=.${goodP}.${goodS}`,
      `${goodH}.${goodP}+.${goodS}`,
      `${goodH}.${goodP}.${goodS}/`,
      `${toBase64Url(utf8('{"alg":"ML-DSA-65"'))}.${goodP}.${goodS}`,
      `${toBase64Url(utf8('["ML-DSA-65"]'))}.${goodP}.${goodS}`,
      `${toBase64Url(new Uint8Array([0x7b, 0xff, 0x7d]))}.${goodP}.${goodS}`,
      `${b64json({ alg: 7 })}.${goodP}.${goodS}`,
      `${b64json({ alg: 'ML-DSA-65', kid: 1 })}.${goodP}.${goodS}`,
    ]) {
      expect(
        code(() => compactVerify(bad, jwk, ALG)),
        bad.slice(0, 40),
      ).toBe('INVALID_JWS');
    }
    expect(code(() => compactVerify(42 as unknown as string, jwk, ALG))).toBe('INVALID_JWS');
  });

  it('crit with any extension, and unencoded payloads, even when correctly signed', () => {
    expect(code(() => compactVerify(signedWith({ alg: 'ML-DSA-65', crit: ['exp'], exp: 1 }), jwk, ALG))).toBe(
      'INVALID_JWS',
    );
    expect(code(() => compactVerify(signedWith({ alg: 'ML-DSA-65', crit: ['b64'], b64: false }), jwk, ALG))).toBe(
      'INVALID_JWS',
    );
    expect(code(() => compactVerify(signedWith({ alg: 'ML-DSA-65', b64: false }), jwk, ALG))).toBe('INVALID_JWS');
    // The control: the same construction without the extension verifies.
    expect(compactVerify(signedWith({ alg: 'ML-DSA-65', x: 1 }), jwk, ALG).protectedHeader).toEqual({
      alg: 'ML-DSA-65',
      x: 1,
    });
  });

  it('bad options', () => {
    expect(code(() => compactVerify(good, jwk, { algorithms: [] }))).toBe('INVALID_OPTIONS');
    expect(code(() => compactVerify(good, jwk, {} as never))).toBe('INVALID_OPTIONS');
    expect(code(() => compactVerify(good, async () => jwk, ALG))).toBe('INVALID_OPTIONS');
  });
});

describe('compactSign', () => {
  it('refuses none, HMAC, a signer of another alg, and header members it owns', () => {
    expect(code(() => compactSign('x', { alg: 'none' }, signer))).toBe('INVALID_INPUT');
    expect(code(() => compactSign('x', { alg: 'HS256' }, signer))).toBe('UNSUPPORTED_ALGORITHM');
    expect(code(() => compactSign('x', { alg: 'ML-DSA-44' }, signer))).toBe('KEY_ALGORITHM_MISMATCH');
    for (const member of ['alg', 'kid', 'typ', 'crit', 'b64']) {
      expect(code(() => compactSign('x', { alg: 'ML-DSA-65', header: { [member]: 'v' } }, signer))).toBe(
        'INVALID_INPUT',
      );
    }
  });

  it('decodeProtectedHeader reads the header without verifying', () => {
    expect(decodeProtectedHeader(good)).toEqual({ alg: 'ML-DSA-65', kid: jwk.kid, typ: 'JWT' });
    expect(code(() => decodeProtectedHeader('e30'))).toBe('INVALID_JWS');
  });
});
