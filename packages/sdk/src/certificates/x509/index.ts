/** Pure X.509 building blocks (no I/O, no node: imports): usable in browsers for verification. */
export {
  createIntermediateCertificate,
  createRootCertificate,
  createServiceCertificate,
  extensions,
  keyIdentifier,
  KeyUsageFlags,
  parseCertificate,
  parseCertificates,
  randomSerial,
  signCertificate,
  type CertificateInfo,
  type CertificateInput,
  type CertificateTemplate,
  type IntermediateCertificateOptions,
  type IssuerMaterial,
  type RootCertificateOptions,
  type ServiceCertificateOptions,
  type SubjectAltNames,
} from './certificate.js';
export {
  createCrl,
  parseCrl,
  REVOCATION_REASONS,
  type CrlInput,
  type CrlOptions,
  type ParsedCrl,
  type RevocationReason,
  type RevokedEntry,
} from './crl.js';
export { createCsr, parseCsr, type CsrOptions, type ParsedCsr } from './csr.js';
export {
  decodePkcs8,
  decodeSpki,
  encodePkcs8Seed,
  encodeSpki,
  privateKeyToPem,
  publicKeyToPem,
  signingKeyFromPrivateKey,
  signingKeyFromSeed,
  type MlDsaPrivateKey,
  type MlDsaPublicKey,
  type MlDsaSigningKey,
} from './keys.js';
export { buildName, nameToString, type DistinguishedName } from './name.js';
export { ML_DSA_OIDS } from './oids.js';
export { fromPem, pemBlocks, toPem, type PemLabel } from './pem.js';
export {
  verifyCertificate,
  verifySelfSigned,
  type CertificatePurpose,
  type VerifiedCertificate,
  type VerifyCertificateOptions,
} from './verify.js';
