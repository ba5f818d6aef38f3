/**
 * One shape for every signature algorithm the key engine can hold, so it can generate, sign and
 * verify without knowing which family a key belongs to.
 */
import { UnsupportedAlgorithmError } from '../../errors.js';
import { ML_DSA_ALGORITHMS, type MlDsaAlgorithm } from '../algorithms.js';
import type { KeyPair, PrivateKeyHandle, SignatureProvider } from '../providers.js';
import {
  COMPOSITE_MLDSA65_P256,
  COMPOSITE_PUBLIC_KEY_LENGTH,
  COMPOSITE_SEED_LENGTH,
  compositeKeyPairFromSeed,
  compositeSign,
  compositeVerify,
} from './composite-mldsa65-p256.js';
import { ML_DSA_SEED_LENGTH, ML_DSA_SIZES, mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from './ml-dsa.js';
import {
  SLH_DSA_SEED_LENGTH,
  SLH_DSA_SHA2_128S,
  SLH_DSA_SIZES,
  slhDsaKeyPairFromSeed,
  slhDsaSign,
  slhDsaVerify,
} from './slh-dsa.js';

export const SIGNATURE_SUITE_NAMES = [
  'ML-DSA-44',
  'ML-DSA-65',
  'ML-DSA-87',
  'SLH-DSA-SHA2-128s',
  'MLDSA65-ECDSA-P256-SHA512',
] as const;
export type SignatureSuiteName = (typeof SIGNATURE_SUITE_NAMES)[number];

export interface SignatureSuite {
  readonly name: SignatureSuiteName;
  /** Bytes of seed the key is stored as (DESIGN §3: seeds only at rest). */
  readonly seedLength: number;
  readonly publicKeyLength: number;
  keyPairFromSeed(seed: Uint8Array): KeyPair;
  /** Pure (not pre-hash) signing; `context` at most 255 bytes. */
  sign(privateKey: PrivateKeyHandle, message: Uint8Array, context?: Uint8Array): Uint8Array;
  /** True only for a valid signature; never throws for a malformed key or signature. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context?: Uint8Array): boolean;
}

const withContext = (context: Uint8Array | undefined) => (context === undefined ? {} : { context });

const mlDsaSuite = (alg: MlDsaAlgorithm, provider: SignatureProvider | undefined): SignatureSuite => {
  const p = provider ? { provider } : {};
  return {
    name: alg,
    seedLength: ML_DSA_SEED_LENGTH,
    publicKeyLength: ML_DSA_SIZES[alg].publicKey,
    keyPairFromSeed: (seed) => mlDsaKeyPairFromSeed(alg, seed, provider),
    sign: (sk, msg, context) => mlDsaSign(alg, sk, msg, { ...p, ...withContext(context) }),
    verify: (pk, msg, sig, context) => mlDsaVerify(alg, pk, msg, sig, { ...p, ...withContext(context) }),
  };
};

/** The registry, with ML-DSA (and the ML-DSA half of the composite) running on `provider`. */
export const createSignatureSuites = (
  provider?: SignatureProvider,
): Readonly<Record<SignatureSuiteName, SignatureSuite>> => {
  const p = provider ? { provider } : {};
  const [a44, a65, a87] = ML_DSA_ALGORITHMS;
  return Object.freeze({
    [a44]: mlDsaSuite(a44, provider),
    [a65]: mlDsaSuite(a65, provider),
    [a87]: mlDsaSuite(a87, provider),
    [SLH_DSA_SHA2_128S]: {
      name: SLH_DSA_SHA2_128S,
      seedLength: SLH_DSA_SEED_LENGTH,
      publicKeyLength: SLH_DSA_SIZES.publicKey,
      keyPairFromSeed: slhDsaKeyPairFromSeed,
      sign: slhDsaSign,
      verify: slhDsaVerify,
    },
    [COMPOSITE_MLDSA65_P256]: {
      name: COMPOSITE_MLDSA65_P256,
      seedLength: COMPOSITE_SEED_LENGTH,
      publicKeyLength: COMPOSITE_PUBLIC_KEY_LENGTH,
      keyPairFromSeed: (seed) => compositeKeyPairFromSeed(seed, provider),
      sign: (sk, msg, context) => compositeSign(sk, msg, { ...p, ...withContext(context) }),
      verify: (pk, msg, sig, context) => compositeVerify(pk, msg, sig, { ...p, ...withContext(context) }),
    },
  } satisfies Record<SignatureSuiteName, SignatureSuite>);
};

/** The registry on the noble provider (every runtime). */
export const signatureSuites: Readonly<Record<SignatureSuiteName, SignatureSuite>> =
  /* @__PURE__ */ createSignatureSuites();

export const isSignatureSuiteName = (name: string): name is SignatureSuiteName =>
  (SIGNATURE_SUITE_NAMES as readonly string[]).includes(name);

/** Look up a suite by name; unknown names fail closed. */
export const signatureSuite = (
  name: string,
  suites: Readonly<Record<SignatureSuiteName, SignatureSuite>> = signatureSuites,
): SignatureSuite => {
  if (!isSignatureSuiteName(name)) {
    throw new UnsupportedAlgorithmError('unsupported signature algorithm', { details: { alg: name } });
  }
  return suites[name];
};
