/**
 * Classical JWS algorithms, for identity tokens from issuers that are not post-quantum yet:
 * ES256 (RFC 7518 §3.4, raw r||s), EdDSA / Ed25519 (RFC 8037, RFC 9864), RS256 (verify only).
 * Separate from the ML-DSA suites so ML-DSA-only consumers never bundle this code.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { InvalidJwkError, InvalidKeyError } from '../../errors.js';
import { concat, fromBase64Url } from '../bytes.js';
import { KeyAlgorithmMismatchError } from './errors.js';
import type { JwsPublicKey, JwsSigner, JwsSuite } from './jws-types.js';
import { type RsaPublicKey, rsaPkcs1v15Sha256Verify, rsaPublicKey } from './rsa.js';

const member = (jwk: Readonly<Record<string, unknown>>, name: string, length?: number): Uint8Array => {
  const v = jwk[name];
  if (typeof v !== 'string') throw new InvalidJwkError(`JWK requires "${name}"`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(v);
  } catch (cause) {
    throw new InvalidJwkError(`JWK "${name}" must be base64url`, { cause });
  }
  if (length !== undefined && bytes.length !== length)
    throw new InvalidJwkError(`JWK "${name}" must be ${length} bytes`);
  return bytes;
};

const expectKty = (jwk: Readonly<Record<string, unknown>>, alg: string, kty: string, crv?: string): void => {
  if (jwk['kty'] !== kty || (crv !== undefined && jwk['crv'] !== crv)) {
    throw new KeyAlgorithmMismatchError(`${alg} needs a ${kty}${crv ? ` ${crv}` : ''} JWK`, { details: { alg } });
  }
  const jwkAlg = jwk['alg'];
  if (jwkAlg !== undefined && jwkAlg !== alg) {
    throw new KeyAlgorithmMismatchError('JWS alg does not match the JWK alg', {
      details: { alg, jwkAlg: typeof jwkAlg === 'string' ? jwkAlg : '(not a string)' },
    });
  }
};

const bytesOf = (key: JwsPublicKey, alg: string): Uint8Array | undefined =>
  key.alg === alg && key.inner instanceof Uint8Array ? key.inner : undefined;

export const es256JwsSuite: JwsSuite = {
  alg: 'ES256',
  importJwk(jwk) {
    expectKty(jwk, 'ES256', 'EC', 'P-256');
    const point = concat(Uint8Array.of(4), member(jwk, 'x', 32), member(jwk, 'y', 32));
    try {
      p256.Point.fromBytes(point).assertValidity();
    } catch (cause) {
      throw new InvalidJwkError('EC JWK is not a point on P-256', { cause });
    }
    return { alg: 'ES256', inner: point };
  },
  verify(key, signingInput, signature) {
    const point = bytesOf(key, 'ES256');
    if (!point || signature.length !== 64) return false;
    try {
      // Other signers do not normalise s; accepting both halves is standard ECDSA.
      return p256.verify(signature, signingInput, point, { prehash: true, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  },
};

const ed25519Suite = (alg: 'EdDSA' | 'Ed25519'): JwsSuite => ({
  alg,
  importJwk(jwk) {
    expectKty(jwk, alg, 'OKP', 'Ed25519');
    return { alg, inner: member(jwk, 'x', 32) };
  },
  verify(key, signingInput, signature) {
    const pub = bytesOf(key, alg);
    if (!pub || signature.length !== 64) return false;
    try {
      // RFC 8032 strict checks (no ZIP-215 leniency): one valid signature per message and key.
      return ed25519.verify(signature, signingInput, pub, { zip215: false });
    } catch {
      return false;
    }
  },
});

/** `EdDSA` restricted to Ed25519 keys (RFC 8037). */
export const edDsaJwsSuite: JwsSuite = /* @__PURE__ */ ed25519Suite('EdDSA');
/** The fully-specified `Ed25519` alg (RFC 9864). */
export const ed25519JwsSuite: JwsSuite = /* @__PURE__ */ ed25519Suite('Ed25519');

export const rs256JwsSuite: JwsSuite = {
  alg: 'RS256',
  importJwk(jwk) {
    expectKty(jwk, 'RS256', 'RSA');
    try {
      return { alg: 'RS256', inner: rsaPublicKey(member(jwk, 'n'), member(jwk, 'e')) };
    } catch (cause) {
      if (cause instanceof InvalidKeyError) throw new InvalidJwkError(`RSA JWK rejected: ${cause.message}`, { cause });
      throw cause;
    }
  },
  verify(key, signingInput, signature) {
    if (key.alg !== 'RS256' || typeof key.inner !== 'object' || key.inner === null) return false;
    return rsaPkcs1v15Sha256Verify(key.inner as RsaPublicKey, signingInput, signature);
  },
};

export const CLASSICAL_JWS_SUITES: readonly JwsSuite[] = [es256JwsSuite, edDsaJwsSuite, ed25519JwsSuite, rs256JwsSuite];

/** ES256 signer from a 32-byte P-256 scalar: raw r||s (64 bytes), low-S, RFC 6979 nonces. */
export const es256JwsSigner = (secretKey: Uint8Array): JwsSigner => {
  if (!(secretKey instanceof Uint8Array) || !p256.utils.isValidSecretKey(secretKey)) {
    throw new InvalidKeyError('ES256 private key must be a valid 32-byte P-256 scalar');
  }
  const sk = secretKey.slice();
  return { alg: 'ES256', sign: (input) => p256.sign(input, sk, { prehash: true, lowS: true, format: 'compact' }) };
};

/** EdDSA (Ed25519) signer from a 32-byte Ed25519 secret key. */
export const ed25519JwsSigner = (secretKey: Uint8Array, alg: 'EdDSA' | 'Ed25519' = 'EdDSA'): JwsSigner => {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new InvalidKeyError('Ed25519 private key must be 32 bytes');
  }
  const sk = secretKey.slice();
  return { alg, sign: (input) => ed25519.sign(input, sk) };
};
