/**
 * Certificate failures, one class per stable code. The codes already exist in ERROR_CODES; these
 * classes only give callers something to `instanceof` without string-matching codes. Messages name
 * the failed check and non-secret ids (serials, subjects), never key material.
 */
import { QuantumApiError, type QuantumApiErrorOptions } from '../errors.js';

/** Malformed or non-DER certificate, wrong algorithm encoding, or a signature that does not verify. */
export class CertificateInvalidError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_INVALID';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_INVALID', message, options);
  }
}

/** `at` is after notAfter of a certificate in the chain. */
export class CertificateExpiredError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_EXPIRED';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_EXPIRED', message, options);
  }
}

/** `at` is before notBefore of a certificate in the chain. */
export class CertificateNotYetValidError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_NOT_YET_VALID';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_NOT_YET_VALID', message, options);
  }
}

/** No path from the certificate to one of the trust anchors. */
export class CertificateUntrustedError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_UNTRUSTED';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_UNTRUSTED', message, options);
  }
}

/** Listed in a (valid) CRL of its issuer. */
export class CertificateRevokedError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_REVOKED';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_REVOKED', message, options);
  }
}

/** keyUsage, basicConstraints or EKU forbid the use the caller asked for. */
export class CertificateUsageError extends QuantumApiError {
  declare readonly code: 'CERTIFICATE_USAGE';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CERTIFICATE_USAGE', message, options);
  }
}

/** Malformed CSR or its self-signature (proof of possession) does not verify. */
export class CsrInvalidError extends QuantumApiError {
  declare readonly code: 'CSR_INVALID';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CSR_INVALID', message, options);
  }
}

/** Malformed, unsigned-by-issuer, stale or not-yet-valid CRL. */
export class CrlInvalidError extends QuantumApiError {
  declare readonly code: 'CRL_INVALID';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('CRL_INVALID', message, options);
  }
}
