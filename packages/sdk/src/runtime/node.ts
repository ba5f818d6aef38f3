/**
 * Node: node:crypto AES-256-GCM and randomness; ML-KEM / ML-DSA native where node:crypto has them
 * (see native-pq.ts for how that is decided), noble otherwise. Same bytes either way.
 */
import * as nodeCrypto from 'node:crypto';
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { nobleKem, nobleSignature } from '../crypto/noble-provider.js';
import type { KemAlgorithm, MlDsaAlgorithm } from '../crypto/algorithms.js';
import type {
  AeadProvider,
  BlockCipherProvider,
  CryptoProviders,
  KemProvider,
  MacProvider,
  PrivateKeyHandle,
  RandomSource,
  SignatureProvider,
} from '../crypto/providers.js';
import { DecryptionFailedError, InvalidInputError, InvalidKeyError } from '../errors.js';
import { detectNativePq, type NativePq } from './native-pq.js';

const TAG = 16;
// noble's GCM refuses nonces under 8 bytes while OpenSSL takes any non-empty one; we hold node to
// noble's rule so that no input is accepted by one provider and refused by the other.
const MIN_NONCE = 8;

const checkNonce = (nonce: Uint8Array): void => {
  if (nonce.length < MIN_NONCE) {
    throw new InvalidInputError(`AES-256-GCM nonce must be at least ${MIN_NONCE} bytes`, {
      details: { length: nonce.length },
    });
  }
};

export const nodeAead: AeadProvider = {
  name: 'node',
  seal(key, nonce, plaintext, aad) {
    if (key.length !== 32) throw new InvalidKeyError('AES-256-GCM key must be 32 bytes');
    checkNonce(nonce);
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
    if (aad) c.setAAD(aad);
    const head = c.update(plaintext);
    const tail = c.final();
    const out = new Uint8Array(head.length + tail.length + TAG);
    out.set(head, 0);
    out.set(tail, head.length);
    out.set(c.getAuthTag(), head.length + tail.length);
    return out;
  },
  open(key, nonce, ciphertextAndTag, aad) {
    if (key.length !== 32) throw new InvalidKeyError('AES-256-GCM key must be 32 bytes');
    checkNonce(nonce);
    if (ciphertextAndTag.length < TAG) throw new DecryptionFailedError('AES-256-GCM input shorter than its tag');
    try {
      const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
      if (aad) d.setAAD(aad);
      d.setAuthTag(ciphertextAndTag.subarray(ciphertextAndTag.length - TAG));
      const head = d.update(ciphertextAndTag.subarray(0, ciphertextAndTag.length - TAG));
      const tail = d.final();
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      return out;
    } catch (cause) {
      throw new DecryptionFailedError('AES-256-GCM authentication failed', { cause });
    }
  },
};

/** OpenSSL's AES block function: one cipher object per batch, however many blocks it holds. */
export const nodeBlockCipher: BlockCipherProvider = {
  name: 'node',
  aes256(key) {
    if (key.length !== 32) throw new InvalidKeyError('AES-256 key must be 32 bytes');
    // The caller's key is read on every call (no copy): wiping it disables the keyed function.
    return (blocks) => {
      if (blocks.length % 16 !== 0) throw new InvalidInputError('AES block input must be whole 16-byte blocks');
      const c = createCipheriv('aes-256-ecb', key, null);
      c.setAutoPadding(false);
      const head = c.update(blocks);
      const tail = c.final();
      if (tail.length === 0) return new Uint8Array(head.buffer, head.byteOffset, head.length);
      const out = new Uint8Array(head.length + tail.length);
      out.set(head, 0);
      out.set(tail, head.length);
      return out;
    };
  },
};

// SHA3-256's block (rate) is 136 bytes: HMAC pads the key to it (RFC 2104).
const SHA3_256_RATE = 136;
type OneShotHash = (algorithm: string, data: Uint8Array, outputEncoding: 'binary') => string;
// crypto.hash (Node >= 20.12) hashes without creating a Hash object, the dominant cost for short
// inputs; older Node falls back to createHmac. Digests come back as 'binary' (latin1) strings,
// not Buffers: a Buffer is an off-heap allocation, and two of them per blind index were half its
// cost (most of it in the garbage collector).
const oneShot = (nodeCrypto as { hash?: OneShotHash }).hash;

export const nodeMac: MacProvider = {
  name: 'node',
  hmacSha3_256(key) {
    if (!oneShot || key.length > SHA3_256_RATE) {
      const ko = createSecretKey(key);
      return (message) => new Uint8Array(createHmac('sha3-256', ko).update(message).digest());
    }
    // HMAC = H((K ^ opad) || H((K ^ ipad) || m)), with K zero-padded to the rate. The padded
    // keys sit at the front of two scratch buffers; only the message / inner digest changes.
    let inner = new Uint8Array(SHA3_256_RATE + 256);
    const outer = new Uint8Array(SHA3_256_RATE + 32);
    inner.fill(0x36, 0, SHA3_256_RATE);
    outer.fill(0x5c, 0, SHA3_256_RATE);
    for (let i = 0; i < key.length; i++) {
      inner[i] = (inner[i] as number) ^ (key[i] as number);
      outer[i] = (outer[i] as number) ^ (key[i] as number);
    }
    return (message) => {
      if (SHA3_256_RATE + message.length > inner.length) {
        const grown = new Uint8Array(SHA3_256_RATE + message.length * 2);
        grown.set(inner.subarray(0, SHA3_256_RATE));
        inner.fill(0);
        inner = grown;
      }
      inner.set(message, SHA3_256_RATE);
      const innerDigest = oneShot('sha3-256', inner.subarray(0, SHA3_256_RATE + message.length), 'binary');
      inner.fill(0, SHA3_256_RATE, SHA3_256_RATE + message.length); // no plaintext left behind
      for (let i = 0; i < 32; i++) outer[SHA3_256_RATE + i] = innerDigest.charCodeAt(i);
      const digest = oneShot('sha3-256', outer, 'binary');
      const out = new Uint8Array(32);
      for (let i = 0; i < 32; i++) out[i] = digest.charCodeAt(i);
      return out;
    };
  },
};

export const nodeRandom: RandomSource = {
  name: 'node',
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};

let detected: NativePq | undefined;
/**
 * What this process's node:crypto offers natively. Probed once, on first use of a PQ provider
 * rather than at import: the probe costs tens of milliseconds and many programs only need AES.
 */
export const nativePq = (): NativePq => {
  detected ??= detectNativePq();
  return detected;
};

const kem = (): KemProvider => nativePq().kem ?? nobleKem;
const signature = (): SignatureProvider => nativePq().signature ?? nobleSignature;

/** ML-KEM: node-native where node:crypto has it, noble otherwise; `name` says which. */
export const nodeKem: KemProvider = Object.freeze({
  get name() {
    return kem().name;
  },
  supports: (alg: KemAlgorithm) => kem().supports(alg),
  keyPairFromSeed: (alg: KemAlgorithm, seed: Uint8Array) => kem().keyPairFromSeed(alg, seed),
  encapsulate: (alg: KemAlgorithm, publicKey: Uint8Array) => kem().encapsulate(alg, publicKey),
  decapsulate: (alg: KemAlgorithm, privateKey: PrivateKeyHandle, encapsulatedKey: Uint8Array) =>
    kem().decapsulate(alg, privateKey, encapsulatedKey),
});

/** ML-DSA: node-native where node:crypto has it, noble otherwise; `name` says which. */
export const nodeSignature: SignatureProvider = Object.freeze({
  get name() {
    return signature().name;
  },
  supports: (alg: MlDsaAlgorithm) => signature().supports(alg),
  keyPairFromSeed: (alg: MlDsaAlgorithm, seed: Uint8Array) => signature().keyPairFromSeed(alg, seed),
  sign: (alg: MlDsaAlgorithm, privateKey: PrivateKeyHandle, message: Uint8Array, context?: Uint8Array) =>
    signature().sign(alg, privateKey, message, context),
  verify: (alg: MlDsaAlgorithm, publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array, context?: Uint8Array) =>
    signature().verify(alg, publicKey, message, sig, context),
});

export const runtimeName = 'node' as const;
export const defaultProviders: CryptoProviders = Object.freeze({
  aead: nodeAead,
  kem: nodeKem,
  signature: nodeSignature,
  random: nodeRandom,
  blockCipher: nodeBlockCipher,
  mac: nodeMac,
});
