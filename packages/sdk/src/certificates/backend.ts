/**
 * The certificates section of the backend contract (attach as `Backend.certificates`). JSON-friendly
 * shapes (PEM strings, ISO dates) so the http backend can carry them unchanged. The CA never sees a
 * service private key: issuance takes a CSR.
 */
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';
import type { Page } from '../backend/types.js';
import type { RevocationReason } from './x509/crl.js';

export interface IssueFromCsrInput {
  /** PEM `CERTIFICATE REQUEST`, signed by the key to certify (proof of possession). */
  readonly csr: string;
  /** Lifetime in seconds; the backend's default (24 h) when absent, capped by its maximum. */
  readonly ttlSeconds?: number;
  /** Override the SANs requested in the CSR (a CA may still restrict them). */
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
}

export interface IssuedCertificate {
  /** PEM of the new certificate. */
  readonly certificate: string;
  /** PEM issuer chain, nearest issuer first, ending with the root. */
  readonly chain: readonly string[];
  readonly serialNumber: string;
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface CertificateRecord extends IssuedCertificate {
  readonly issuedAt: string;
  readonly revokedAt: string | undefined;
  readonly revocationReason: RevocationReason | undefined;
}

export interface RevokeInput {
  readonly serialNumber: string;
  readonly reason?: RevocationReason;
}

export interface RevocationInfo {
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
}

export interface CrlInfo {
  /** PEM `X509 CRL`, signed by the issuing CA. */
  readonly crl: string;
  readonly crlNumber: number;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  /**
   * CRLs of the CAs above the issuing CA (the root's, when there is an intermediate), PEM. Pass them
   * along with `crl` to verifiers that check every link of the chain (OpenSSL / Node's `crl` option).
   */
  readonly issuerCrls: readonly string[];
}

export interface CaInfo {
  /** PEM of the issuing CA (the intermediate when there is one). */
  readonly certificate: string;
  /** PEM of the root: what relying parties configure as their trust anchor. */
  readonly root: string;
  /** Issuing CA first, root last. */
  readonly chain: readonly string[];
  readonly algorithm: MlDsaAlgorithm;
  readonly rootAlgorithm: MlDsaAlgorithm;
}

export interface ListCertificatesInput {
  readonly pageSize?: number;
  readonly continuationToken?: string;
}

export interface CertificatesBackend {
  issueFromCsr(input: IssueFromCsrInput): Promise<IssuedCertificate>;
  revoke(input: RevokeInput): Promise<RevocationInfo>;
  crl(): Promise<CrlInfo>;
  caCertificate(): Promise<CaInfo>;
  getCertificate(serialNumber: string): Promise<CertificateRecord>;
  listCertificates(input?: ListCertificatesInput): Promise<Page<CertificateRecord>>;
}
