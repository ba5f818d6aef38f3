/** The certificates namespace: ML-DSA X.509 (RFC 9881), CSR issuance, CRLs, verification, rotation. */
export type * from './backend.js';
export * from './errors.js';
export { hasLocalCa, LocalCertificatesBackend, type LocalCaOptions } from './local.js';
export {
  canonicalJson,
  MANIFEST_CONTEXT,
  signManifest,
  verifyManifest,
  type JsonValue as ManifestJsonValue,
  type ManifestSigner,
  type SignedManifest,
  type VerifiedManifest,
  type VerifyManifestOptions,
} from './manifest.js';
export {
  CertificatesNamespace,
  type CertificatesNamespaceOptions,
  type Duration as CertificateDuration,
  type IssueFromCsrOptions,
  type IssueOptions,
  type IssuedWithKey,
  type NamespaceVerifyOptions,
  type RotatingOptions,
} from './namespace.js';
export {
  RotatingCertificate,
  realScheduler,
  type CertificateBundle,
  type RotatingCertificateEvent,
  type RotatingCertificateEvents,
  type Scheduler,
  type TlsOptions,
} from './rotating.js';
export * from './x509/index.js';
