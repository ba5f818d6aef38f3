/**
 * Native ML-KEM / ML-DSA through node:crypto (Node >= 24.7 built on OpenSSL >= 3.5).
 *
 * Selection is by feature, never by version string: a runtime qualifies when node:crypto exposes
 * `encapsulate` / `decapsulate`, imports a seed-only PKCS#8 key for every parameter set, and the
 * key round-trips (encaps/decaps, sign/verify). Anything less and `detectNativePq` reports nothing,
 * so the node runtime keeps noble: same bytes either way, only speed differs.
 *
 * Keys enter OpenSSL as seed-only PKCS#8 (RFC 9881 / RFC 9935 private-key CHOICE `seed [0]`), the
 * same seeds the stores hold, so a key expands to the public key noble derives from that seed.
 */
import nodeCrypto, { type KeyObject } from 'node:crypto';
import type { KemAlgorithm, MlDsaAlgorithm } from '../crypto/algorithms.js';
import { KEM_ALGORITHMS, ML_DSA_ALGORITHMS } from '../crypto/algorithms.js';
import { nobleSignature } from '../crypto/noble-provider.js';
import type { KemProvider, PrivateKeyHandle, SignatureProvider } from '../crypto/providers.js';
import { InvalidCiphertextError, InvalidInputError, InvalidKeyError } from '../errors.js';

export const NATIVE_PROVIDER_NAME = 'node-native';

type PqAlgorithm = KemAlgorithm | MlDsaAlgorithm;

interface ParameterSet {
  /** Last arc of the NIST OID 2.16.840.1.101.3.4.{3,4}.x. */
  readonly oid: readonly [family: 3 | 4, arc: number];
  readonly seedLength: number;
  readonly publicKeyLength: number;
}

// FIPS 203 / FIPS 204 sizes; OIDs from RFC 9935 (ML-KEM) and RFC 9881 (ML-DSA).
const PARAMS: Record<PqAlgorithm, ParameterSet> = {
  'ML-KEM-512': { oid: [4, 1], seedLength: 64, publicKeyLength: 800 },
  'ML-KEM-768': { oid: [4, 2], seedLength: 64, publicKeyLength: 1184 },
  'ML-KEM-1024': { oid: [4, 3], seedLength: 64, publicKeyLength: 1568 },
  'ML-DSA-44': { oid: [3, 17], seedLength: 32, publicKeyLength: 1312 },
  'ML-DSA-65': { oid: [3, 18], seedLength: 32, publicKeyLength: 1952 },
  'ML-DSA-87': { oid: [3, 19], seedLength: 32, publicKeyLength: 2592 },
};

/** DER length octets (definite form); our structures never exceed 65535 bytes. */
const derLength = (n: number): number[] => {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
};

const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** AlgorithmIdentifier SEQUENCE { OID }, parameters absent (RFC 9881 §2, RFC 9935 §3). */
const algorithmIdentifier = (alg: PqAlgorithm): number[] => {
  const [family, arc] = PARAMS[alg].oid;
  const oid = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, family, arc];
  return [0x30, oid.length + 2, 0x06, oid.length, ...oid];
};

/**
 * OneAsymmetricKey { version 0, algorithm, privateKey OCTET STRING { seed [0] IMPLICIT OCTET STRING } }:
 * the seed-only form of RFC 9881 / RFC 9935.
 */
export const seedToPkcs8 = (alg: PqAlgorithm, seed: Uint8Array): Uint8Array => {
  const inner = concat([0x80, ...derLength(seed.length)], seed);
  const privateKey = concat([0x04, ...derLength(inner.length)], inner);
  const body = concat([0x02, 0x01, 0x00], algorithmIdentifier(alg), privateKey);
  return concat([0x30, ...derLength(body.length)], body);
};

/** Everything in a SubjectPublicKeyInfo before the raw key; fixed per parameter set. */
const spkiPrefix = (alg: PqAlgorithm): Uint8Array => {
  const bitString = [0x03, ...derLength(PARAMS[alg].publicKeyLength + 1), 0x00];
  const algId = algorithmIdentifier(alg);
  const bodyLength = algId.length + bitString.length + PARAMS[alg].publicKeyLength;
  return concat([0x30, ...derLength(bodyLength)], algId, bitString);
};

const SPKI_PREFIX = Object.fromEntries(
  (Object.keys(PARAMS) as PqAlgorithm[]).map((alg) => [alg, spkiPrefix(alg)]),
) as Record<PqAlgorithm, Uint8Array>;

export const publicKeyToSpki = (alg: PqAlgorithm, publicKey: Uint8Array): Uint8Array =>
  concat(SPKI_PREFIX[alg], publicKey);

/** Raw public key out of SPKI DER; the prefix is compared byte for byte, so a surprise fails closed. */
export const spkiToPublicKey = (alg: PqAlgorithm, spki: Uint8Array): Uint8Array => {
  const prefix = SPKI_PREFIX[alg];
  const ok = spki.length === prefix.length + PARAMS[alg].publicKeyLength && prefix.every((b, i) => spki[i] === b);
  if (!ok)
    throw new InvalidKeyError(`unexpected ${alg} SubjectPublicKeyInfo encoding`, { details: { algorithm: alg } });
  return spki.slice(prefix.length);
};

/** The slice of node:crypto this module needs; typed here because @types/node 20 predates it. */
export interface NativeCrypto {
  createPrivateKey(input: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): KeyObject;
  createPublicKey(input: { key: Uint8Array; format: 'der'; type: 'spki' }): KeyObject;
  encapsulate?: (key: KeyObject) => { sharedKey: Uint8Array; ciphertext: Uint8Array };
  decapsulate?: (key: KeyObject, ciphertext: Uint8Array) => Uint8Array;
  sign(algorithm: null, data: Uint8Array, key: { key: KeyObject; context?: Uint8Array }): Uint8Array;
  verify(
    algorithm: null,
    data: Uint8Array,
    key: { key: KeyObject; context?: Uint8Array },
    signature: Uint8Array,
  ): boolean;
}

interface NativeHandleInner {
  readonly key: KeyObject;
  /**
   * Kept only when this runtime's ML-DSA ignores `context`: those calls go to noble, which
   * needs the seed. Never set for ML-KEM or when native context works.
   */
  readonly seed: Uint8Array | undefined;
}

const innerOf = (handle: PrivateKeyHandle, alg: PqAlgorithm): NativeHandleInner => {
  const inner = handle.inner as Partial<NativeHandleInner> | null;
  if (
    handle.provider !== NATIVE_PROVIDER_NAME ||
    handle.algorithm !== alg ||
    typeof inner !== 'object' ||
    inner === null ||
    !(inner.key instanceof nodeCrypto.KeyObject)
  ) {
    throw new InvalidKeyError(`private key handle is not a ${NATIVE_PROVIDER_NAME} ${alg} key`);
  }
  return inner as NativeHandleInner;
};

/** A plain Uint8Array copy: node Buffers may be views into a shared pool that callers must not see. */
const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Copies a secret out of a node Buffer and wipes the Buffer, so one copy is left, the caller's. */
const secretBytes = (b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(b);
  b.fill(0);
  return out;
};

const importSeed = (c: NativeCrypto, alg: PqAlgorithm, seed: Uint8Array): { key: KeyObject; publicKey: Uint8Array } => {
  if (!(seed instanceof Uint8Array) || seed.length !== PARAMS[alg].seedLength) {
    throw new InvalidKeyError(`${alg} seed must be ${PARAMS[alg].seedLength} bytes`, { details: { algorithm: alg } });
  }
  let key: KeyObject;
  let spki: Uint8Array;
  try {
    key = c.createPrivateKey({ key: seedToPkcs8(alg, seed), format: 'der', type: 'pkcs8' });
    spki = bytes(nodeCrypto.createPublicKey(key).export({ format: 'der', type: 'spki' }));
  } catch (cause) {
    // OpenSSL's message names the failure, not the key; still, only the algorithm goes in ours.
    throw new InvalidKeyError(`native ${alg} key import failed`, { cause, details: { algorithm: alg } });
  }
  return { key, publicKey: spkiToPublicKey(alg, spki) };
};

const importPublic = (c: NativeCrypto, alg: PqAlgorithm, publicKey: Uint8Array): KeyObject => {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PARAMS[alg].publicKeyLength) {
    throw new InvalidKeyError(`invalid ${alg} public key`, { details: { algorithm: alg, length: publicKey?.length } });
  }
  try {
    return c.createPublicKey({ key: publicKeyToSpki(alg, publicKey), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new InvalidKeyError(`invalid ${alg} public key`, { cause, details: { algorithm: alg } });
  }
};

const handle = (alg: PqAlgorithm, inner: NativeHandleInner): PrivateKeyHandle =>
  Object.freeze({ provider: NATIVE_PROVIDER_NAME, algorithm: alg, inner: Object.freeze(inner) });

type Encapsulate = NonNullable<NativeCrypto['encapsulate']>;
type Decapsulate = NonNullable<NativeCrypto['decapsulate']>;

export const createNativeKem = (c: NativeCrypto, encapsulate: Encapsulate, decapsulate: Decapsulate): KemProvider => ({
  name: NATIVE_PROVIDER_NAME,
  supports: (alg) => (KEM_ALGORITHMS as readonly string[]).includes(alg),
  keyPairFromSeed(alg, seed) {
    const { key, publicKey } = importSeed(c, alg, seed);
    return { publicKey, privateKey: handle(alg, { key, seed: undefined }) };
  },
  encapsulate(alg, publicKey) {
    const key = importPublic(c, alg, publicKey);
    try {
      const { sharedKey, ciphertext } = encapsulate(key);
      return { encapsulatedKey: bytes(ciphertext), sharedSecret: secretBytes(sharedKey) };
    } catch (cause) {
      throw new InvalidKeyError(`invalid ${alg} public key`, { cause, details: { algorithm: alg } });
    }
  },
  decapsulate(alg, privateKey, encapsulatedKey) {
    const { key } = innerOf(privateKey, alg);
    try {
      return secretBytes(decapsulate(key, encapsulatedKey));
    } catch (cause) {
      // Wrong-length input is the only way to get here: ML-KEM answers a tampered ciphertext of the
      // right length with an implicit-rejection secret, not an error.
      throw new InvalidCiphertextError(`${alg} ciphertext rejected`, {
        cause,
        details: { algorithm: alg, length: encapsulatedKey.length },
      });
    }
  },
});

const checkContext = (context: Uint8Array | undefined): void => {
  if (context !== undefined && context.length > 255) {
    throw new InvalidInputError('ML-DSA context must be at most 255 bytes', { details: { length: context.length } });
  }
};

/**
 * @param nativeContext whether node:crypto honours `context` for ML-DSA. When it does not, calls
 * with a non-empty context are served by noble, so no caller ever gets a context silently dropped.
 */
export const createNativeSignature = (c: NativeCrypto, nativeContext: boolean): SignatureProvider => {
  const useNative = (context: Uint8Array | undefined) => nativeContext || context === undefined || context.length === 0;
  return {
    name: NATIVE_PROVIDER_NAME,
    supports: (alg) => (ML_DSA_ALGORITHMS as readonly string[]).includes(alg),
    keyPairFromSeed(alg, seed) {
      const { key, publicKey } = importSeed(c, alg, seed);
      return { publicKey, privateKey: handle(alg, { key, seed: nativeContext ? undefined : new Uint8Array(seed) }) };
    },
    sign(alg, privateKey, message, context) {
      const inner = innerOf(privateKey, alg);
      checkContext(context);
      if (!useNative(context)) {
        if (!inner.seed) throw new InvalidKeyError(`${alg} key cannot sign with a context on this runtime`);
        const noble = nobleSignature.keyPairFromSeed(alg, inner.seed).privateKey;
        return nobleSignature.sign(alg, noble, message, context);
      }
      try {
        const opts = context && context.length > 0 ? { key: inner.key, context } : { key: inner.key };
        return bytes(c.sign(null, message, opts));
      } catch (cause) {
        throw new InvalidInputError(`native ${alg} signing failed`, { cause, details: { algorithm: alg } });
      }
    },
    verify(alg, publicKey, message, signature, context) {
      if (context !== undefined && context.length > 255) return false;
      if (!useNative(context)) return nobleSignature.verify(alg, publicKey, message, signature, context);
      try {
        const key = importPublic(c, alg, publicKey);
        const opts = context && context.length > 0 ? { key, context } : { key };
        return c.verify(null, message, opts, signature);
      } catch {
        // Malformed key or signature: to a verifier that is simply "not valid" (as with noble).
        return false;
      }
    },
  };
};

export interface NativePq {
  readonly kem: KemProvider | undefined;
  readonly signature: SignatureProvider | undefined;
  /** Whether ML-DSA `context` is handled by OpenSSL (otherwise by noble, per call). */
  readonly nativeContext: boolean;
}

// A fixed, public probe seed: detection must not consume randomness or depend on it.
const PROBE_SEED = new Uint8Array(64).map((_, i) => i);

// Every parameter set must import and expand to a well-formed SPKI; one round trip per family then
// shows the operations work (OpenSSL ships the three sets of a family together). Kept small: this
// runs on first use of a PQ provider.
const probeKem = (kem: KemProvider): boolean => {
  for (const alg of KEM_ALGORITHMS) kem.keyPairFromSeed(alg, PROBE_SEED);
  const { publicKey, privateKey } = kem.keyPairFromSeed('ML-KEM-768', PROBE_SEED);
  const { encapsulatedKey, sharedSecret } = kem.encapsulate('ML-KEM-768', publicKey);
  const again = kem.decapsulate('ML-KEM-768', privateKey, encapsulatedKey);
  return sharedSecret.length === 32 && again.every((b, i) => b === sharedSecret[i]);
};

const probeSignature = (sig: SignatureProvider): boolean => {
  for (const alg of ML_DSA_ALGORITHMS) sig.keyPairFromSeed(alg, PROBE_SEED.subarray(0, 32));
  const { publicKey, privateKey } = sig.keyPairFromSeed('ML-DSA-44', PROBE_SEED.subarray(0, 32));
  const msg = new Uint8Array([1, 2, 3]);
  const signature = sig.sign('ML-DSA-44', privateKey, msg);
  return (
    sig.verify('ML-DSA-44', publicKey, msg, signature) &&
    !sig.verify('ML-DSA-44', publicKey, msg.subarray(1), signature)
  );
};

/** True when a context reaches OpenSSL: a signature under one context must fail under another. */
const probeContext = (c: NativeCrypto): boolean => {
  const key = c.createPrivateKey({
    key: seedToPkcs8('ML-DSA-44', PROBE_SEED.subarray(0, 32)),
    format: 'der',
    type: 'pkcs8',
  });
  const pub = nodeCrypto.createPublicKey(key);
  const msg = new Uint8Array([1, 2, 3]);
  const ctx = new Uint8Array([0x63, 0x74, 0x78]);
  const s = c.sign(null, msg, { key, context: ctx });
  return c.verify(null, msg, { key: pub, context: ctx }, s) && !c.verify(null, msg, { key: pub }, s);
};

const attempt = (probe: () => boolean): boolean => {
  try {
    return probe();
  } catch {
    return false;
  }
};

/**
 * Feature detection. `c` is injectable so the fallback path is testable on runtimes that do have
 * native PQ; production passes node:crypto itself.
 */
export const detectNativePq = (c: NativeCrypto = nodeCrypto as unknown as NativeCrypto): NativePq => {
  const { encapsulate, decapsulate } = c;
  let kem: KemProvider | undefined;
  if (typeof encapsulate === 'function' && typeof decapsulate === 'function') {
    const candidate = createNativeKem(c, encapsulate.bind(c), decapsulate.bind(c));
    if (attempt(() => probeKem(candidate))) kem = candidate;
  }
  const nativeContext = attempt(() => probeContext(c));
  const sigCandidate = createNativeSignature(c, nativeContext);
  const signature = attempt(() => probeSignature(sigCandidate)) ? sigCandidate : undefined;
  return { kem, signature, nativeContext };
};
