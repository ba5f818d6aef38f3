/** HPKE (RFC 9180 base mode) with the post-quantum KEMs and SHAKE256 KDF of draft-ietf-hpke-pq. */
export { HpkeReceiverContext, HpkeSenderContext } from './context.js';
export {
  type HpkeOpenOptions,
  type HpkeSealOptions,
  type HpkeSenderOptions,
  type HpkeSetupOptions,
  hpkeDeriveKeyPair,
  hpkeGenerateKeyPair,
  hpkeKemSizes,
  hpkeOpen,
  hpkePublicKey,
  hpkeReceiveExport,
  hpkeSeal,
  hpkeSendExport,
  setupBaseR,
  setupBaseS,
} from './hpke.js';
export type { HpkeKeyPair } from './kem.js';
export {
  HPKE_AEAD,
  HPKE_KDF,
  HPKE_KEM,
  HPKE_MODE_BASE,
  type HpkeAeadId,
  type HpkeKdfId,
  type HpkeKemId,
  type HpkeSuite,
  hpkeSuite,
  hpkeSuiteId,
  isJoseHpkeAlgorithm,
  JOSE_HPKE_ALGORITHMS,
  type JoseHpkeAlgorithm,
} from './suites.js';
export {
  type FlattenedJwe,
  type JoseHeaderObject,
  type JoseHeaderValue,
  type JweDecryptOptions,
  type JweDecryptResult,
  type JweEncryptOptions,
  jweDecrypt,
  jweEncrypt,
} from '../jose-hpke.js';
