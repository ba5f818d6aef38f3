/**
 * Provider seams. The crypto core is written against these interfaces only; the runtime layer
 * (src/runtime/) supplies implementations: noble everywhere, node:crypto where the runtime has it.
 * Every provider must produce the same bytes for the same inputs (tested in test/providers).
 *
 * All operations are synchronous: node:crypto and noble both are, and the field engine's hot path
 * cannot afford a promise per column.
 */
import type { KemAlgorithm, MlDsaAlgorithm } from './algorithms.js';

/** An expanded private key, opaque outside its provider (a Uint8Array for noble, a KeyObject for node). */
export interface PrivateKeyHandle {
  readonly provider: string;
  readonly algorithm: string;
  /** Provider-private representation. */
  readonly inner: unknown;
}

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: PrivateKeyHandle;
}

export interface AeadProvider {
  readonly name: string;
  /** AES-256-GCM; returns ciphertext || 16-byte tag. */
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Throws DecryptionFailedError when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad?: Uint8Array): Uint8Array;
}

export interface KemProvider {
  readonly name: string;
  supports(alg: KemAlgorithm): boolean;
  /** FIPS 203 ML-KEM.KeyGen_internal(d, z) from the 64-byte seed d || z. */
  keyPairFromSeed(alg: KemAlgorithm, seed: Uint8Array): KeyPair;
  encapsulate(alg: KemAlgorithm, publicKey: Uint8Array): { encapsulatedKey: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(alg: KemAlgorithm, privateKey: PrivateKeyHandle, encapsulatedKey: Uint8Array): Uint8Array;
}

export interface SignatureProvider {
  readonly name: string;
  supports(alg: MlDsaAlgorithm): boolean;
  /** FIPS 204 ML-DSA.KeyGen_internal(xi) from the 32-byte seed. */
  keyPairFromSeed(alg: MlDsaAlgorithm, seed: Uint8Array): KeyPair;
  /** Pure ML-DSA (hedged), with an optional context string of at most 255 bytes. */
  sign(alg: MlDsaAlgorithm, privateKey: PrivateKeyHandle, message: Uint8Array, context?: Uint8Array): Uint8Array;
  verify(
    alg: MlDsaAlgorithm,
    publicKey: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    context?: Uint8Array,
  ): boolean;
}

export interface RandomSource {
  readonly name: string;
  randomBytes(length: number): Uint8Array;
}

export interface CryptoProviders {
  readonly aead: AeadProvider;
  readonly kem: KemProvider;
  readonly signature: SignatureProvider;
  readonly random: RandomSource;
}
