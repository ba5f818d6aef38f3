/**
 * ML-DSA verification only, straight on the three noble instances: none of the signing, key
 * generation or provider-seam code of crypto/sig/ml-dsa.ts, which the browser never needs.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';

type Instance = typeof ml_dsa65;

/** Per algorithm: the noble instance and the FIPS 204 Table 2 public-key and signature sizes. */
const SETS: Readonly<Record<MlDsaAlgorithm, readonly [Instance, number, number]>> = {
  'ML-DSA-44': [ml_dsa44, 1312, 2420],
  'ML-DSA-65': [ml_dsa65, 1952, 3309],
  'ML-DSA-87': [ml_dsa87, 2592, 4627],
};

// Own keys only: `'toString' in SETS` is true, and an algorithm name must never reach the prototype.
export const isMlDsa = (alg: unknown): alg is MlDsaAlgorithm => typeof alg === 'string' && Object.hasOwn(SETS, alg);

export const publicKeyLength = (alg: MlDsaAlgorithm): number => SETS[alg][1];

/**
 * FIPS 204 pure ML-DSA verify with context `context` (checked by the caller; empty by default, as
 * RFC 9964 JOSE requires). True only for a valid signature: a key or signature of the wrong size, or
 * anything noble rejects, is simply invalid.
 */
export const verifyMlDsa = (
  alg: MlDsaAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array = new Uint8Array(0),
): boolean => {
  const [dsa, pkLength, sigLength] = SETS[alg];
  if (publicKey.length !== pkLength || signature.length !== sigLength) return false;
  try {
    return dsa.verify(signature, message, publicKey, { context }) === true;
  } catch {
    return false;
  }
};
