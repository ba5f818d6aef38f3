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

/**
 * The raw AES-256 block function over many blocks at once (each 16-byte block enciphered on its
 * own, like ECB without padding). Never a mode for data: it is the primitive the field engine's
 * batched GCM builds its counter-mode keystream and GHASH key from, so that thousands of fields
 * cost one native call instead of one cipher object each.
 */
export interface BlockCipherProvider {
  readonly name: string;
  /**
   * Binds AES-256 to `key`; the returned function enciphers `blocks` (length a multiple of 16).
   * It reads `key` on every call (no copy), so callers must stop using it once the key is wiped.
   */
  aes256(key: Uint8Array): (blocks: Uint8Array) => Uint8Array;
}

/** Keyed hashes for blind indexes. Standard constructions: every provider gives the same bytes. */
export interface MacProvider {
  readonly name: string;
  /** HMAC-SHA3-256 (RFC 2104 over FIPS 202 SHA3-256), keyed once, applied per message. */
  hmacSha3_256(key: Uint8Array): (message: Uint8Array) => Uint8Array;
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
  /** Optional so that hand-made provider sets keep working; the runtime defaults always have them. */
  readonly blockCipher?: BlockCipherProvider;
  readonly mac?: MacProvider;
}
