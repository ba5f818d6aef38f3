/**
 * HPKE KEMs from draft-ietf-hpke-pq: ML-KEM-768/1024 (private key = 64-byte seed d || z) and
 * X-Wing / MLKEM768-X25519 (private key = 32-byte seed). Serialization is the identity for all.
 *
 * DeriveKeyPair(ikm) always uses SHAKE256.LabeledDerive with suite_id "KEM" || kem_id, whatever the
 * HPKE suite's own KDF is. Encap takes the KEM's encapsulation randomness directly; the vectors'
 * ikmE is exactly that randomness (32 bytes for ML-KEM, 64 for X-Wing).
 */
import { ml_kem768_x25519 } from '@noble/post-quantum/hybrid.js';
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { InvalidCiphertextError, InvalidInputError, InvalidKeyError } from '../../errors.js';
import type { RandomSource } from '../providers.js';
import { shake256LabeledDerive } from './kdf.js';
import { HPKE_KEM, type HpkeKemId, kemSuiteId } from './suites.js';

export interface HpkeKeyPair {
  readonly publicKey: Uint8Array;
  /** The serialized private key: the KEM seed, never the expanded key. Treat as secret. */
  readonly privateKey: Uint8Array;
}

/** A private key expanded once, for callers that both check the public key and decapsulate. */
export interface ExpandedPrivateKey {
  readonly publicKey: Uint8Array;
  decap(enc: Uint8Array): Uint8Array;
}

export interface HpkeKem {
  readonly id: HpkeKemId;
  readonly name: string;
  readonly nsecret: number;
  readonly nenc: number;
  readonly npk: number;
  readonly nsk: number;
  /** Length of the encapsulation randomness (ikmE in the vectors). */
  readonly nrandom: number;
  deriveKeyPair(ikm: Uint8Array): HpkeKeyPair;
  /** Public key of a serialized private key (seed). */
  publicKeyOf(privateKey: Uint8Array): Uint8Array;
  expand(privateKey: Uint8Array): ExpandedPrivateKey;
  encap(publicKey: Uint8Array, randomness: Uint8Array): { sharedSecret: Uint8Array; enc: Uint8Array };
  decap(enc: Uint8Array, privateKey: Uint8Array): Uint8Array;
}

interface NobleKem {
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array, msg: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * ML-KEM: noble's keygen takes the 64-byte seed and decapsulate the expanded key, so a decap costs
 * one key expansion (the price of keeping only seeds at rest).
 * X-Wing: noble's keygen takes the 32-byte seed, its "secretKey" is that same seed, and decapsulate
 * expands it internally.
 */
const makeKem = (
  id: HpkeKemId,
  name: string,
  impl: NobleKem,
  sizes: { nenc: number; npk: number; nsk: number; nrandom: number },
  expandsSeed: boolean,
): HpkeKem => {
  const suiteId = kemSuiteId(id);
  const checkSk = (sk: Uint8Array): void => {
    if (!(sk instanceof Uint8Array) || sk.length !== sizes.nsk) {
      throw new InvalidKeyError(`${name} private key must be ${sizes.nsk} bytes`);
    }
  };
  return {
    id,
    name,
    nsecret: 32,
    ...sizes,
    deriveKeyPair(ikm) {
      if (!(ikm instanceof Uint8Array) || ikm.length < 32) {
        throw new InvalidInputError('DeriveKeyPair ikm must be at least 32 bytes');
      }
      const privateKey = shake256LabeledDerive(suiteId, ikm, 'DeriveKeyPair', EMPTY, sizes.nsk);
      return { publicKey: impl.keygen(privateKey).publicKey, privateKey };
    },
    publicKeyOf(privateKey) {
      checkSk(privateKey);
      return impl.keygen(privateKey).publicKey;
    },
    expand(privateKey) {
      checkSk(privateKey);
      const { publicKey, secretKey: expanded } = impl.keygen(privateKey);
      const secretKey = expandsSeed ? expanded : privateKey;
      return {
        publicKey,
        decap(enc) {
          if (!(enc instanceof Uint8Array) || enc.length !== sizes.nenc) {
            throw new InvalidCiphertextError(`${name} encapsulated key must be ${sizes.nenc} bytes`);
          }
          try {
            return impl.decapsulate(enc, secretKey);
          } catch (cause) {
            throw new InvalidCiphertextError(`${name} decapsulation failed`, { cause });
          }
        },
      };
    },
    encap(publicKey, randomness) {
      if (!(publicKey instanceof Uint8Array) || publicKey.length !== sizes.npk) {
        throw new InvalidKeyError(`${name} public key must be ${sizes.npk} bytes`);
      }
      if (randomness.length !== sizes.nrandom) {
        throw new InvalidInputError(`${name} encapsulation randomness must be ${sizes.nrandom} bytes`);
      }
      let out: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        out = impl.encapsulate(publicKey, randomness);
      } catch (cause) {
        // FIPS 203 encapsulation-key check (coefficients < q), or an invalid X25519 share.
        throw new InvalidKeyError(`invalid ${name} public key`, { cause });
      }
      return { sharedSecret: out.sharedSecret, enc: out.cipherText };
    },
    decap(enc, privateKey) {
      // Length of enc first: a malformed ciphertext should not cost a key expansion.
      if (!(enc instanceof Uint8Array) || enc.length !== sizes.nenc) {
        throw new InvalidCiphertextError(`${name} encapsulated key must be ${sizes.nenc} bytes`);
      }
      return this.expand(privateKey).decap(enc);
    },
  };
};

export const HPKE_KEMS: Readonly<Record<HpkeKemId, HpkeKem>> = {
  [HPKE_KEM.ML_KEM_768]: makeKem(
    HPKE_KEM.ML_KEM_768,
    'ML-KEM-768',
    ml_kem768,
    { nenc: 1088, npk: 1184, nsk: 64, nrandom: 32 },
    true,
  ),
  [HPKE_KEM.ML_KEM_1024]: makeKem(
    HPKE_KEM.ML_KEM_1024,
    'ML-KEM-1024',
    ml_kem1024,
    { nenc: 1568, npk: 1568, nsk: 64, nrandom: 32 },
    true,
  ),
  [HPKE_KEM.X_WING]: makeKem(
    HPKE_KEM.X_WING,
    'X-Wing',
    ml_kem768_x25519,
    { nenc: 1120, npk: 1216, nsk: 32, nrandom: 64 },
    false,
  ),
};

/** GenerateKeyPair: a fresh random seed through the same path as DeriveKeyPair's output. */
export const generateKemKeyPair = (kem: HpkeKem, random: RandomSource): HpkeKeyPair => {
  const privateKey = random.randomBytes(kem.nsk);
  return { publicKey: kem.publicKeyOf(privateKey), privateKey };
};
