/**
 * RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) with SHA-256, on bigints: enough to accept RS256
 * identity tokens from classical issuers in any runtime. Verify only: this SDK never makes RSA
 * signatures. Public data only, so variable-time arithmetic is fine.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidKeyError } from '../../errors.js';
import { concat, equalBytes, fromHex, toHex } from '../bytes.js';

/** Below 2048 bits RSA is not acceptable for new signatures (NIST SP 800-131A); above 8192 is a DoS lever. */
export const RSA_MIN_MODULUS_BITS = 2048;
export const RSA_MAX_MODULUS_BITS = 8192;

export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bytes (k in RFC 8017). */
  readonly k: number;
}

const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${toHex(b)}`));

const toBytes = (x: bigint, length: number): Uint8Array => {
  const hex = x.toString(16);
  if (hex.length > length * 2) throw new InvalidKeyError('integer too large');
  return fromHex(hex.padStart(length * 2, '0'));
};

const bitLength = (x: bigint): number => x.toString(2).length;

const modPow = (base: bigint, exponent: bigint, modulus: bigint): bigint => {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
};

/** Unsigned big-endian n and e, as in a JWK; no leading zero octets (RFC 7518 §6.3.1). */
export const rsaPublicKey = (modulus: Uint8Array, exponent: Uint8Array): RsaPublicKey => {
  if (modulus.length === 0 || modulus[0] === 0 || exponent.length === 0 || exponent[0] === 0) {
    throw new InvalidKeyError('RSA modulus and exponent must be minimal unsigned integers');
  }
  const n = toBigInt(modulus);
  const e = toBigInt(exponent);
  const bits = bitLength(n);
  if (bits < RSA_MIN_MODULUS_BITS || bits > RSA_MAX_MODULUS_BITS) {
    throw new InvalidKeyError(`RSA modulus must be ${RSA_MIN_MODULUS_BITS}..${RSA_MAX_MODULUS_BITS} bits`, {
      details: { bits },
    });
  }
  if ((n & 1n) === 0n) throw new InvalidKeyError('RSA modulus must be odd');
  if (e < 3n || (e & 1n) === 0n || exponent.length > 8) throw new InvalidKeyError('RSA exponent is not acceptable');
  return { n, e, k: modulus.length };
};

/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = fromHex('3031300d060960864801650304020105000420');

/** True only for a valid RSASSA-PKCS1-v1_5 SHA-256 signature; never throws on a bad signature. */
export const rsaPkcs1v15Sha256Verify = (key: RsaPublicKey, message: Uint8Array, signature: Uint8Array): boolean => {
  if (signature.length !== key.k) return false;
  const s = toBigInt(signature);
  if (s >= key.n) return false;
  const em = toBytes(modPow(s, key.e, key.n), key.k);
  // Build the one valid encoding and compare whole: no parsing of attacker-controlled padding.
  const t = concat(SHA256_DIGEST_INFO, sha256(message));
  if (key.k < t.length + 11) return false;
  const expected = concat(
    Uint8Array.of(0x00, 0x01),
    new Uint8Array(key.k - t.length - 3).fill(0xff),
    Uint8Array.of(0),
    t,
  );
  return equalBytes(em, expected);
};
