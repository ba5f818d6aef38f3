/**
 * The noble providers: pure JavaScript, every runtime. The reference implementation the native
 * providers are checked against.
 */
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { DecryptionFailedError, InvalidCiphertextError, InvalidInputError, InvalidKeyError } from '../errors.js';
import type { KemAlgorithm, MlDsaAlgorithm } from './algorithms.js';
import type {
  AeadProvider,
  BlockCipherProvider,
  CryptoProviders,
  KemProvider,
  MacProvider,
  PrivateKeyHandle,
  RandomSource,
  SignatureProvider,
} from './providers.js';

const KEMS = { 'ML-KEM-512': ml_kem512, 'ML-KEM-768': ml_kem768, 'ML-KEM-1024': ml_kem1024 } as const;
const DSAS = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;

const NAME = 'noble';

const secretOf = (handle: PrivateKeyHandle, alg: string): Uint8Array => {
  if (handle.provider !== NAME || handle.algorithm !== alg || !(handle.inner instanceof Uint8Array)) {
    throw new InvalidKeyError(`private key handle is not a ${NAME} ${alg} key`);
  }
  return handle.inner;
};

// Same contract as the node provider: AES-256 only, nonces of at least 8 bytes.
const checkAeadInputs = (key: Uint8Array, nonce: Uint8Array): void => {
  if (key.length !== 32) throw new InvalidKeyError('AES-256-GCM key must be 32 bytes');
  if (nonce.length < 8) throw new InvalidInputError('AES-256-GCM nonce must be at least 8 bytes');
};

export const nobleAead: AeadProvider = {
  name: NAME,
  seal(key, nonce, plaintext, aad) {
    checkAeadInputs(key, nonce);
    return gcm(key, nonce, aad).encrypt(plaintext);
  },
  open(key, nonce, ciphertextAndTag, aad) {
    checkAeadInputs(key, nonce);
    try {
      return gcm(key, nonce, aad).decrypt(ciphertextAndTag);
    } catch (cause) {
      throw new DecryptionFailedError('AES-256-GCM authentication failed', { cause });
    }
  },
};

export const nobleBlockCipher: BlockCipherProvider = {
  name: NAME,
  aes256(key) {
    if (key.length !== 32) throw new InvalidKeyError('AES-256 key must be 32 bytes');
    // The caller's key is read on every call (no copy): wiping it disables the keyed function.
    return (blocks) => {
      if (blocks.length % 16 !== 0) throw new InvalidInputError('AES block input must be whole 16-byte blocks');
      return ecb(key, { disablePadding: true }).encrypt(blocks);
    };
  },
};

export const nobleMac: MacProvider = {
  name: NAME,
  hmacSha3_256(key) {
    // The keyed inner/outer states are computed once and cloned per message.
    const keyed = hmac.create(sha3_256, key);
    return (message) => keyed.clone().update(message).digest();
  },
};

export const nobleKem: KemProvider = {
  name: NAME,
  supports: () => true,
  keyPairFromSeed(alg: KemAlgorithm, seed) {
    if (seed.length !== 64) throw new InvalidKeyError(`${alg} seed must be 64 bytes`);
    const { publicKey, secretKey } = KEMS[alg].keygen(seed);
    return { publicKey, privateKey: { provider: NAME, algorithm: alg, inner: secretKey } };
  },
  encapsulate(alg, publicKey) {
    try {
      const { cipherText, sharedSecret } = KEMS[alg].encapsulate(publicKey);
      return { encapsulatedKey: cipherText, sharedSecret };
    } catch (cause) {
      throw new InvalidKeyError(`invalid ${alg} public key`, { cause });
    }
  },
  decapsulate(alg, privateKey, encapsulatedKey) {
    const secretKey = secretOf(privateKey, alg);
    try {
      return KEMS[alg].decapsulate(encapsulatedKey, secretKey);
    } catch (cause) {
      throw new InvalidCiphertextError(`invalid ${alg} ciphertext`, { cause });
    }
  },
};

export const nobleSignature: SignatureProvider = {
  name: NAME,
  supports: () => true,
  keyPairFromSeed(alg: MlDsaAlgorithm, seed) {
    if (seed.length !== 32) throw new InvalidKeyError(`${alg} seed must be 32 bytes`);
    const { publicKey, secretKey } = DSAS[alg].keygen(seed);
    return { publicKey, privateKey: { provider: NAME, algorithm: alg, inner: secretKey } };
  },
  sign(alg, privateKey, message, context) {
    return DSAS[alg].sign(message, secretOf(privateKey, alg), context ? { context } : undefined);
  },
  verify(alg, publicKey, message, signature, context) {
    try {
      return DSAS[alg].verify(signature, message, publicKey, context ? { context } : undefined);
    } catch {
      // noble throws on malformed lengths; to a verifier that is simply "not valid".
      return false;
    }
  },
};

export const webRandom: RandomSource = {
  name: 'webcrypto',
  randomBytes: (n) => nobleRandomBytes(n),
};

export const nobleProviders: CryptoProviders = {
  aead: nobleAead,
  kem: nobleKem,
  signature: nobleSignature,
  random: webRandom,
  blockCipher: nobleBlockCipher,
  mac: nobleMac,
};
