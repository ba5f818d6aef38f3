/** Algorithm identifiers as they appear in key metadata, JWKs and the wire formats. */

export const KEM_ALGORITHMS = ['ML-KEM-512', 'ML-KEM-768', 'ML-KEM-1024'] as const;
export type KemAlgorithm = (typeof KEM_ALGORITHMS)[number];

export const ML_DSA_ALGORITHMS = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const;
export type MlDsaAlgorithm = (typeof ML_DSA_ALGORITHMS)[number];

export const SLH_DSA_ALGORITHMS = ['SLH-DSA-SHA2-128s'] as const;
export type SlhDsaAlgorithm = (typeof SLH_DSA_ALGORITHMS)[number];

export const SIGNATURE_ALGORITHMS = [...ML_DSA_ALGORITHMS, ...SLH_DSA_ALGORITHMS] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export const SYMMETRIC_ALGORITHMS = ['AES-256-GCM'] as const;
export type SymmetricAlgorithm = (typeof SYMMETRIC_ALGORITHMS)[number];

export const KEY_ALGORITHMS = [...KEM_ALGORITHMS, ...SIGNATURE_ALGORITHMS, ...SYMMETRIC_ALGORITHMS] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

export const isKemAlgorithm = (a: string): a is KemAlgorithm => (KEM_ALGORITHMS as readonly string[]).includes(a);
export const isMlDsaAlgorithm = (a: string): a is MlDsaAlgorithm =>
  (ML_DSA_ALGORITHMS as readonly string[]).includes(a);
export const isSignatureAlgorithm = (a: string): a is SignatureAlgorithm =>
  (SIGNATURE_ALGORITHMS as readonly string[]).includes(a);
export const isKeyAlgorithm = (a: string): a is KeyAlgorithm => (KEY_ALGORITHMS as readonly string[]).includes(a);

/** Seed sizes: keys are stored as seeds only (DESIGN §3), expanded in memory. */
export const SEED_LENGTH: Record<KeyAlgorithm, number> = {
  'ML-KEM-512': 64,
  'ML-KEM-768': 64,
  'ML-KEM-1024': 64,
  'ML-DSA-44': 32,
  'ML-DSA-65': 32,
  'ML-DSA-87': 32,
  // FIPS 205 keygen takes SK.seed || SK.prf || PK.seed, n = 16 each for the 128s set.
  'SLH-DSA-SHA2-128s': 48,
  'AES-256-GCM': 32,
};
