/**
 * One error root with stable codes. Messages never carry plaintext, secret values,
 * private keys or API keys: callers log them, so they must be safe to log.
 */

export const ERROR_CODES = [
  // input and formats
  'INVALID_INPUT',
  'INVALID_OPTIONS',
  'INVALID_CIPHERTEXT',
  'DECRYPTION_FAILED',
  'SIGNATURE_INVALID',
  'INVALID_KEY',
  'INVALID_JWK',
  'INVALID_JWS',
  'UNSUPPORTED_ALGORITHM',
  // keys
  'KEY_NOT_FOUND',
  'KEY_STATE',
  'KEY_USAGE',
  // store / engine
  'MASTER_KEY_MISSING',
  'MASTER_KEY_INVALID',
  'STORE_CORRUPT',
  'STORE_UNAVAILABLE',
  'CONFLICT',
  'NOT_FOUND',
  // remote
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RATE_LIMITED',
  'TIMEOUT',
  'NETWORK',
  'SERVER_ERROR',
  'INVALID_RESPONSE',
  // certificates
  'CERTIFICATE_INVALID',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_NOT_YET_VALID',
  'CERTIFICATE_REVOKED',
  'CERTIFICATE_UNTRUSTED',
  'CERTIFICATE_USAGE',
  'CSR_INVALID',
  'CRL_INVALID',
  // identity / tokens
  'TOKEN_INVALID',
  'TOKEN_SIGNATURE_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_ISSUER_INVALID',
  'TOKEN_AUDIENCE_INVALID',
  'TOKEN_CLAIM_INVALID',
  'ALGORITHM_NOT_ALLOWED',
  'KEY_ALGORITHM_MISMATCH',
  'JWKS_UNAVAILABLE',
  'JWKS_NO_MATCHING_KEY',
  'DISCOVERY_FAILED',
  'TOKEN_REQUEST_FAILED',
  // vault
  'SECRET_NOT_FOUND',
  'SECRETS_UNRESOLVED',
  'SECRET_STATE',
  // fields / adapters
  'FIELD_UNSUPPORTED_OPERATION',
  'FIELD_CONFIG',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface QuantumApiErrorOptions {
  cause?: unknown;
  /** Non-secret structured context (ids, versions, field names). Never values. */
  details?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Request id from a remote service, when there was one. */
  requestId?: string;
}

export class QuantumApiError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, options: QuantumApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
    this.requestId = options.requestId;
  }

  toJSON(): { name: string; code: ErrorCode; message: string; details: Record<string, unknown>; requestId?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      details: { ...this.details },
      ...(this.requestId ? { requestId: this.requestId } : {}),
    };
  }
}

const subclass = <C extends ErrorCode>(code: C, name: string) => {
  const Cls = class extends QuantumApiError {
    declare readonly code: C;
    constructor(message: string, options?: QuantumApiErrorOptions) {
      super(code, message, options);
    }
  };
  Object.defineProperty(Cls, 'name', { value: name });
  return Cls;
};

/** A caller-supplied value failed validation. */
export class InvalidInputError extends /* @__PURE__ */ subclass('INVALID_INPUT', 'InvalidInputError') {}
/** Client or engine options failed validation. */
export class InvalidOptionsError extends /* @__PURE__ */ subclass('INVALID_OPTIONS', 'InvalidOptionsError') {}
/** A ciphertext, payload or wrapped key is malformed (bad encoding, length, version, suite). */
export class InvalidCiphertextError extends /* @__PURE__ */ subclass('INVALID_CIPHERTEXT', 'InvalidCiphertextError') {}
/** A well-formed ciphertext did not authenticate: tampered, wrong key, wrong AAD. */
export class DecryptionFailedError extends /* @__PURE__ */ subclass('DECRYPTION_FAILED', 'DecryptionFailedError') {}
/** A signature did not verify. */
export class SignatureInvalidError extends /* @__PURE__ */ subclass('SIGNATURE_INVALID', 'SignatureInvalidError') {}
/** Key material has the wrong shape or does not match its algorithm. */
export class InvalidKeyError extends /* @__PURE__ */ subclass('INVALID_KEY', 'InvalidKeyError') {}
export class InvalidJwkError extends /* @__PURE__ */ subclass('INVALID_JWK', 'InvalidJwkError') {}
export class InvalidJwsError extends /* @__PURE__ */ subclass('INVALID_JWS', 'InvalidJwsError') {}
/** An algorithm, suite or version this build does not implement: never a fallback. */
export class UnsupportedAlgorithmError extends /* @__PURE__ */ subclass(
  'UNSUPPORTED_ALGORITHM',
  'UnsupportedAlgorithmError',
) {}
export class KeyNotFoundError extends /* @__PURE__ */ subclass('KEY_NOT_FOUND', 'KeyNotFoundError') {}
/** The key (version) exists but its state forbids the operation (Deprecated, PendingDeletion). */
export class KeyStateError extends /* @__PURE__ */ subclass('KEY_STATE', 'KeyStateError') {}
/** The key's algorithm cannot do this operation (e.g. encrypt with an ML-DSA key). */
export class KeyUsageError extends /* @__PURE__ */ subclass('KEY_USAGE', 'KeyUsageError') {}
export class MasterKeyMissingError extends /* @__PURE__ */ subclass('MASTER_KEY_MISSING', 'MasterKeyMissingError') {}
export class MasterKeyInvalidError extends /* @__PURE__ */ subclass('MASTER_KEY_INVALID', 'MasterKeyInvalidError') {}
export class StoreCorruptError extends /* @__PURE__ */ subclass('STORE_CORRUPT', 'StoreCorruptError') {}
export class StoreUnavailableError extends /* @__PURE__ */ subclass('STORE_UNAVAILABLE', 'StoreUnavailableError') {}
export class ConflictError extends /* @__PURE__ */ subclass('CONFLICT', 'ConflictError') {}
export class NotFoundError extends /* @__PURE__ */ subclass('NOT_FOUND', 'NotFoundError') {}
export class UnauthenticatedError extends /* @__PURE__ */ subclass('UNAUTHENTICATED', 'UnauthenticatedError') {}
export class PermissionDeniedError extends /* @__PURE__ */ subclass('PERMISSION_DENIED', 'PermissionDeniedError') {}
export class RateLimitedError extends /* @__PURE__ */ subclass('RATE_LIMITED', 'RateLimitedError') {}
export class TimeoutError extends /* @__PURE__ */ subclass('TIMEOUT', 'TimeoutError') {}
export class NetworkError extends /* @__PURE__ */ subclass('NETWORK', 'NetworkError') {}
export class ServerError extends /* @__PURE__ */ subclass('SERVER_ERROR', 'ServerError') {}
export class InvalidResponseError extends /* @__PURE__ */ subclass('INVALID_RESPONSE', 'InvalidResponseError') {}

export const isQuantumApiError = (e: unknown): e is QuantumApiError => e instanceof QuantumApiError;
