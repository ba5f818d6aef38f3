/**
 * ML-DSA (FIPS 204) pure signatures over the SignatureProvider seam. Keys come from 32-byte seeds
 * (DESIGN §3: seeds only at rest); which provider expands and uses them is the caller's choice.
 */
import { InvalidKeyError, UnsupportedAlgorithmError } from '../../errors.js';
import { isMlDsaAlgorithm, type MlDsaAlgorithm } from '../algorithms.js';
import { nobleSignature } from '../noble-provider.js';
import type { KeyPair, PrivateKeyHandle, SignatureProvider } from '../providers.js';
import { checkBytes, checkContext } from './context.js';

/** FIPS 204 Table 2 sizes, checked here so a provider never sees a malformed key. */
export const ML_DSA_SIZES: Readonly<Record<MlDsaAlgorithm, { publicKey: number; signature: number }>> = {
  'ML-DSA-44': { publicKey: 1312, signature: 2420 },
  'ML-DSA-65': { publicKey: 1952, signature: 3309 },
  'ML-DSA-87': { publicKey: 2592, signature: 4627 },
};

export const ML_DSA_SEED_LENGTH = 32;

export interface MlDsaOptions {
  /** Context string (FIPS 204 ctx), at most 255 bytes; absent means empty. */
  readonly context?: Uint8Array;
  /** Defaults to the noble provider. */
  readonly provider?: SignatureProvider;
}

const checkAlg = (alg: string): MlDsaAlgorithm => {
  if (!isMlDsaAlgorithm(alg)) throw new UnsupportedAlgorithmError('not an ML-DSA algorithm', { details: { alg } });
  return alg;
};

const providerFor = (alg: MlDsaAlgorithm, provider: SignatureProvider | undefined): SignatureProvider => {
  const p = provider ?? nobleSignature;
  if (!p.supports(alg)) {
    throw new UnsupportedAlgorithmError(`signature provider does not support ${alg}`, {
      details: { provider: p.name },
    });
  }
  return p;
};

export const mlDsaKeyPairFromSeed = (alg: MlDsaAlgorithm, seed: Uint8Array, provider?: SignatureProvider): KeyPair => {
  const a = checkAlg(alg);
  if (checkBytes(seed, 'seed').length !== ML_DSA_SEED_LENGTH) {
    throw new InvalidKeyError(`${a} seed must be ${ML_DSA_SEED_LENGTH} bytes`);
  }
  return providerFor(a, provider).keyPairFromSeed(a, seed);
};

export const mlDsaSign = (
  alg: MlDsaAlgorithm,
  privateKey: PrivateKeyHandle,
  message: Uint8Array,
  options: MlDsaOptions = {},
): Uint8Array => {
  const a = checkAlg(alg);
  const context = checkContext(options.context);
  if (privateKey.algorithm !== a) {
    throw new InvalidKeyError(`private key is not an ${a} key`, { details: { keyAlgorithm: privateKey.algorithm } });
  }
  return providerFor(a, options.provider).sign(a, privateKey, checkBytes(message, 'message'), context);
};

/**
 * True only for a valid signature. Wrong-sized keys or signatures are simply invalid (false);
 * an over-long context is a caller bug and throws.
 */
export const mlDsaVerify = (
  alg: MlDsaAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options: MlDsaOptions = {},
): boolean => {
  const a = checkAlg(alg);
  const context = checkContext(options.context);
  checkBytes(publicKey, 'publicKey');
  checkBytes(message, 'message');
  checkBytes(signature, 'signature');
  const sizes = ML_DSA_SIZES[a];
  if (publicKey.length !== sizes.publicKey || signature.length !== sizes.signature) return false;
  try {
    return providerFor(a, options.provider).verify(a, publicKey, message, signature, context) === true;
  } catch (cause) {
    if (cause instanceof UnsupportedAlgorithmError) throw cause;
    return false;
  }
};
