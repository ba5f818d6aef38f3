/**
 * ML-DSA keys in X.509 encodings (RFC 9881): SubjectPublicKeyInfo, and PKCS#8 whose privateKey is
 *
 *   ML-DSA-PrivateKey ::= CHOICE {
 *     seed [0] OCTET STRING (SIZE (32)),        -- what we write (DESIGN §3: seeds only)
 *     expandedKey OCTET STRING,                 -- accepted on import
 *     both SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING } }  -- accepted, cross-checked
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { PrivateKey, PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import type { MlDsaAlgorithm } from '../../crypto/algorithms.js';
import { concat, equalBytes } from '../../crypto/bytes.js';
import { nobleSignature } from '../../crypto/noble-provider.js';
import type { KeyPair, PrivateKeyHandle, SignatureProvider } from '../../crypto/providers.js';
import { InvalidKeyError, UnsupportedAlgorithmError } from '../../errors.js';
import { readTlv, toArrayBuffer } from './der.js';
import { fromPem, isPem, toPem } from './pem.js';
import { ML_DSA_OIDS, ML_DSA_SIZES, algorithmOfOid } from './oids.js';

const NOBLE = { 'ML-DSA-44': ml_dsa44, 'ML-DSA-65': ml_dsa65, 'ML-DSA-87': ml_dsa87 } as const;

export const mlDsaAlgorithmIdentifier = (alg: MlDsaAlgorithm): AlgorithmIdentifier =>
  // parameters left undefined: RFC 9881 requires them absent (not NULL).
  new AlgorithmIdentifier({ algorithm: ML_DSA_OIDS[alg] });

/** Maps an AlgorithmIdentifier to an ML-DSA algorithm, or undefined when unknown or parameterised. */
export const mlDsaOfIdentifier = (id: AlgorithmIdentifier): MlDsaAlgorithm | undefined => {
  if (id.parameters !== undefined) return undefined;
  return algorithmOfOid(id.algorithm);
};

// ---------- public keys ----------

export interface MlDsaPublicKey {
  readonly algorithm: MlDsaAlgorithm;
  readonly publicKey: Uint8Array;
}

export const spkiOf = (alg: MlDsaAlgorithm, publicKey: Uint8Array): SubjectPublicKeyInfo => {
  if (publicKey.length !== ML_DSA_SIZES[alg].publicKey)
    throw new InvalidKeyError(`${alg} public key has the wrong length`);
  return new SubjectPublicKeyInfo({
    algorithm: mlDsaAlgorithmIdentifier(alg),
    subjectPublicKey: toArrayBuffer(publicKey),
  });
};

export const publicKeyOfSpki = (spki: SubjectPublicKeyInfo): MlDsaPublicKey => {
  const algorithm = mlDsaOfIdentifier(spki.algorithm);
  if (!algorithm)
    throw new UnsupportedAlgorithmError('subject public key is not an ML-DSA key (RFC 9881 encoding)', {
      details: { oid: spki.algorithm.algorithm },
    });
  const publicKey = new Uint8Array(spki.subjectPublicKey);
  if (publicKey.length !== ML_DSA_SIZES[algorithm].publicKey)
    throw new InvalidKeyError(`${algorithm} public key has the wrong length`);
  return { algorithm, publicKey };
};

export const encodeSpki = (alg: MlDsaAlgorithm, publicKey: Uint8Array): Uint8Array =>
  new Uint8Array(AsnConvert.serialize(spkiOf(alg, publicKey)));

export const decodeSpki = (input: Uint8Array | string): MlDsaPublicKey => {
  const der = typeof input === 'string' ? fromPem(input, 'PUBLIC KEY') : input;
  let spki: SubjectPublicKeyInfo;
  try {
    spki = AsnConvert.parse(toArrayBuffer(der), SubjectPublicKeyInfo);
  } catch (cause) {
    throw new InvalidKeyError('malformed SubjectPublicKeyInfo', { cause });
  }
  return publicKeyOfSpki(spki);
};

export const publicKeyToPem = (alg: MlDsaAlgorithm, publicKey: Uint8Array): string =>
  toPem('PUBLIC KEY', encodeSpki(alg, publicKey));

// ---------- private keys ----------

/** A decoded ML-DSA private key. `seed` is present unless the input held only the expanded key. */
export interface MlDsaPrivateKey {
  readonly algorithm: MlDsaAlgorithm;
  readonly seed: Uint8Array | undefined;
  readonly expandedKey: Uint8Array | undefined;
}

/** A key ready to sign: the public key, a provider handle and (when known) the seed for export. */
export interface MlDsaSigningKey {
  readonly algorithm: MlDsaAlgorithm;
  readonly publicKey: Uint8Array;
  readonly privateKey: PrivateKeyHandle;
  /** The provider that owns `privateKey`. */
  readonly signer: SignatureProvider;
  readonly seed: Uint8Array | undefined;
}

const SEED_TAG = 0x80; // [0] IMPLICIT OCTET STRING, primitive

/** Seed-only PKCS#8 (RFC 9881 `seed [0]`), DER. */
export const encodePkcs8Seed = (alg: MlDsaAlgorithm, seed: Uint8Array): Uint8Array => {
  if (seed.length !== 32) throw new InvalidKeyError(`${alg} seed must be 32 bytes`);
  const info = new PrivateKeyInfo({
    version: 0,
    privateKeyAlgorithm: mlDsaAlgorithmIdentifier(alg),
    privateKey: new PrivateKey(toArrayBuffer(concat(Uint8Array.of(SEED_TAG, 32), seed))),
  });
  return new Uint8Array(AsnConvert.serialize(info));
};

export const privateKeyToPem = (alg: MlDsaAlgorithm, seed: Uint8Array): string =>
  toPem('PRIVATE KEY', encodePkcs8Seed(alg, seed));

/** Decodes PKCS#8 in any of the three RFC 9881 forms; the `both` form must be self-consistent. */
export const decodePkcs8 = (input: Uint8Array | string): MlDsaPrivateKey => {
  const der = typeof input === 'string' ? (isPem(input) ? fromPem(input, 'PRIVATE KEY') : fail()) : input;
  let info: PrivateKeyInfo;
  try {
    info = AsnConvert.parse(toArrayBuffer(der), PrivateKeyInfo);
  } catch (cause) {
    throw new InvalidKeyError('malformed PKCS#8 private key', { cause });
  }
  const algorithm = mlDsaOfIdentifier(info.privateKeyAlgorithm);
  if (!algorithm)
    throw new UnsupportedAlgorithmError('PKCS#8 key is not an ML-DSA key (RFC 9881 encoding)', {
      details: { oid: info.privateKeyAlgorithm.algorithm },
    });
  const body = new Uint8Array(info.privateKey.buffer);
  const top = readTlv(body, 0);
  if (!top || top.end !== body.length) throw new InvalidKeyError(`malformed ${algorithm} private key`);
  const content = body.subarray(top.contentStart, top.end);
  const expandedLength = ML_DSA_SIZES[algorithm].secretKey;
  if (top.tag === SEED_TAG) {
    if (content.length !== 32) throw new InvalidKeyError(`${algorithm} seed must be 32 bytes`);
    return { algorithm, seed: content.slice(), expandedKey: undefined };
  }
  if (top.tag === 0x04) {
    if (content.length !== expandedLength) throw new InvalidKeyError(`${algorithm} expanded key has the wrong length`);
    return { algorithm, seed: undefined, expandedKey: content.slice() };
  }
  if (top.tag === 0x30) {
    const s = readTlv(body, top.contentStart);
    const e = s && readTlv(body, s.end);
    if (!s || !e || s.tag !== 0x04 || e.tag !== 0x04 || e.end !== top.end)
      throw new InvalidKeyError(`malformed ${algorithm} private key`);
    const seed = body.slice(s.contentStart, s.end);
    const expandedKey = body.slice(e.contentStart, e.end);
    if (seed.length !== 32 || expandedKey.length !== expandedLength)
      throw new InvalidKeyError(`malformed ${algorithm} private key`);
    // A `both` key whose halves disagree is either corrupt or an attack on whichever half a peer uses.
    if (!equalBytes(NOBLE[algorithm].keygen(seed).secretKey, expandedKey)) {
      throw new InvalidKeyError(`${algorithm} private key: seed and expanded key do not match`);
    }
    return { algorithm, seed, expandedKey };
  }
  throw new InvalidKeyError(`unknown ${algorithm} private key form`);
};

const fail = (): never => {
  throw new InvalidKeyError('expected a PEM PRIVATE KEY or DER bytes');
};

/** Builds a signing key from a seed through `provider` (native or noble). */
export const signingKeyFromSeed = (
  alg: MlDsaAlgorithm,
  seed: Uint8Array,
  provider: SignatureProvider = nobleSignature,
): MlDsaSigningKey => {
  const pair: KeyPair = provider.keyPairFromSeed(alg, seed);
  return { algorithm: alg, publicKey: pair.publicKey, privateKey: pair.privateKey, signer: provider, seed };
};

/**
 * Builds a signing key from decoded PKCS#8. Expanded-only keys have no seed to hand a provider, so
 * they sign through noble, which accepts the FIPS 204 expanded encoding directly.
 */
export const signingKeyFromPrivateKey = (
  key: MlDsaPrivateKey,
  provider: SignatureProvider = nobleSignature,
): MlDsaSigningKey => {
  if (key.seed) return signingKeyFromSeed(key.algorithm, key.seed, provider);
  const expanded = key.expandedKey as Uint8Array;
  let publicKey: Uint8Array;
  try {
    publicKey = NOBLE[key.algorithm].getPublicKey(expanded);
  } catch (cause) {
    throw new InvalidKeyError(`invalid ${key.algorithm} expanded key`, { cause });
  }
  return {
    algorithm: key.algorithm,
    publicKey,
    privateKey: { provider: nobleSignature.name, algorithm: key.algorithm, inner: expanded },
    signer: nobleSignature,
    seed: undefined,
  };
};

export const signWith = (key: MlDsaSigningKey, message: Uint8Array): Uint8Array =>
  key.signer.sign(key.algorithm, key.privateKey, message);
