/**
 * HPKE algorithm identifiers (RFC 9180 registry, draft-ietf-hpke-pq) and the JOSE names built on
 * them (draft-ietf-jose-hpke-encrypt, draft-ietf-jose-hpke-pq-pqt). Pure data.
 */
import { UnsupportedAlgorithmError } from '../../errors.js';
import { concat, i2osp, utf8 } from '../bytes.js';

export const HPKE_KEM = {
  ML_KEM_768: 0x0041,
  ML_KEM_1024: 0x0042,
  /** MLKEM768-X25519, a.k.a. X-Wing. */
  X_WING: 0x647a,
} as const;
export type HpkeKemId = (typeof HPKE_KEM)[keyof typeof HPKE_KEM];

export const HPKE_KDF = {
  HKDF_SHA256: 0x0001,
  /** One-stage SHAKE256 KDF (draft-ietf-hpke-pq), Nh = 64. */
  SHAKE256: 0x0011,
} as const;
export type HpkeKdfId = (typeof HPKE_KDF)[keyof typeof HPKE_KDF];

export const HPKE_AEAD = {
  AES_128_GCM: 0x0001,
  AES_256_GCM: 0x0002,
  CHACHA20_POLY1305: 0x0003,
  /** No AEAD: the context can only export secrets (RFC 9180 §5.3). */
  EXPORT_ONLY: 0xffff,
} as const;
export type HpkeAeadId = (typeof HPKE_AEAD)[keyof typeof HPKE_AEAD];

export const HPKE_MODE_BASE = 0x00;

export interface HpkeSuite {
  readonly kem: HpkeKemId;
  readonly kdf: HpkeKdfId;
  readonly aead: HpkeAeadId;
}

const KEM_IDS: readonly number[] = Object.values(HPKE_KEM);
const KDF_IDS: readonly number[] = Object.values(HPKE_KDF);
const AEAD_IDS: readonly number[] = Object.values(HPKE_AEAD);

export const isHpkeKemId = (id: number): id is HpkeKemId => KEM_IDS.includes(id);
export const isHpkeKdfId = (id: number): id is HpkeKdfId => KDF_IDS.includes(id);
export const isHpkeAeadId = (id: number): id is HpkeAeadId => AEAD_IDS.includes(id);

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/** Checks ids coming from outside (JSON, wire) and fails closed on anything not implemented. */
export const hpkeSuite = (kem: number, kdf: number, aead: number): HpkeSuite => {
  if (!isHpkeKemId(kem)) throw new UnsupportedAlgorithmError('unsupported HPKE KEM', { details: { kem: hex4(kem) } });
  if (!isHpkeKdfId(kdf)) throw new UnsupportedAlgorithmError('unsupported HPKE KDF', { details: { kdf: hex4(kdf) } });
  if (!isHpkeAeadId(aead)) {
    throw new UnsupportedAlgorithmError('unsupported HPKE AEAD', { details: { aead: hex4(aead) } });
  }
  return Object.freeze({ kem, kdf, aead });
};

/** suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2) (RFC 9180 §5.1). */
export const hpkeSuiteId = (suite: HpkeSuite): Uint8Array =>
  concat(utf8('HPKE'), i2osp(suite.kem, 2), i2osp(suite.kdf, 2), i2osp(suite.aead, 2));

/** suite_id used inside the KEM (DeriveKeyPair): "KEM" || I2OSP(kem_id, 2). */
export const kemSuiteId = (kem: HpkeKemId): Uint8Array => concat(utf8('KEM'), i2osp(kem, 2));

/**
 * JOSE integrated-encryption algorithms this build implements. All use SHAKE256 and AES-256-GCM
 * (draft-ietf-jose-hpke-pq-pqt §3); the KEM is what differs.
 */
export const JOSE_HPKE_ALGORITHMS = {
  'HPKE-9': hpkeSuite(HPKE_KEM.X_WING, HPKE_KDF.SHAKE256, HPKE_AEAD.AES_256_GCM),
  'HPKE-12': hpkeSuite(HPKE_KEM.ML_KEM_768, HPKE_KDF.SHAKE256, HPKE_AEAD.AES_256_GCM),
  'HPKE-13': hpkeSuite(HPKE_KEM.ML_KEM_1024, HPKE_KDF.SHAKE256, HPKE_AEAD.AES_256_GCM),
} as const satisfies Record<string, HpkeSuite>;
export type JoseHpkeAlgorithm = keyof typeof JOSE_HPKE_ALGORITHMS;

export const isJoseHpkeAlgorithm = (alg: string): alg is JoseHpkeAlgorithm => Object.hasOwn(JOSE_HPKE_ALGORITHMS, alg);
