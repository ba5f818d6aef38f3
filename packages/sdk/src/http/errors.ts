/**
 * Maps an http error response to the same typed errors the local engine throws: first by the
 * server's `code` (when it is one of ours), then by HTTP status. The request id is kept on the
 * error. Server messages are shortened and scrubbed of the API key; request bodies never appear.
 */
import {
  CertificateExpiredError,
  CertificateInvalidError,
  CertificateNotYetValidError,
  CertificateRevokedError,
  CertificateUntrustedError,
  CertificateUsageError,
  CrlInvalidError,
  CsrInvalidError,
} from '../certificates/errors.js';
import {
  ConflictError,
  DecryptionFailedError,
  ERROR_CODES,
  type ErrorCode,
  InvalidCiphertextError,
  InvalidInputError,
  InvalidJwkError,
  InvalidJwsError,
  InvalidKeyError,
  InvalidOptionsError,
  InvalidResponseError,
  KeyNotFoundError,
  KeyStateError,
  KeyUsageError,
  MasterKeyInvalidError,
  MasterKeyMissingError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  QuantumApiError,
  type QuantumApiErrorOptions,
  RateLimitedError,
  ServerError,
  SignatureInvalidError,
  StoreCorruptError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedAlgorithmError,
} from '../errors.js';
import {
  DiscoveryFailedError,
  JwksNoMatchingKeyError,
  JwksUnavailableError,
  TokenAudienceInvalidError,
  TokenClaimInvalidError,
  TokenExpiredError,
  TokenInvalidError,
  TokenIssuerInvalidError,
  TokenNotYetValidError,
  TokenRequestFailedError,
  TokenSignatureInvalidError,
} from '../identity/errors.js';
import { SecretNotFoundError, SecretStateError } from '../vault/errors.js';
import { errorBodySchema } from './wire.js';

type ErrorClass = new (message: string, options?: QuantumApiErrorOptions) => QuantumApiError;

/**
 * Every concrete (message, options) error class a server may name, by its code. Listed by name, not
 * gathered from module namespaces: a namespace object would keep every error class of the package
 * alive in whatever chunk shares this module (the browser verify bundle among them).
 */
const ERROR_CLASSES: readonly ErrorClass[] = [
  ConflictError,
  DecryptionFailedError,
  InvalidCiphertextError,
  InvalidInputError,
  InvalidJwkError,
  InvalidJwsError,
  InvalidKeyError,
  InvalidOptionsError,
  InvalidResponseError,
  KeyNotFoundError,
  KeyStateError,
  KeyUsageError,
  MasterKeyInvalidError,
  MasterKeyMissingError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitedError,
  ServerError,
  SignatureInvalidError,
  StoreCorruptError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedAlgorithmError,
  SecretNotFoundError,
  SecretStateError,
  CertificateInvalidError,
  CertificateExpiredError,
  CertificateNotYetValidError,
  CertificateUntrustedError,
  CertificateRevokedError,
  CertificateUsageError,
  CsrInvalidError,
  CrlInvalidError,
  TokenInvalidError,
  TokenSignatureInvalidError,
  TokenExpiredError,
  TokenNotYetValidError,
  TokenIssuerInvalidError,
  TokenAudienceInvalidError,
  TokenClaimInvalidError,
  JwksUnavailableError,
  JwksNoMatchingKeyError,
  DiscoveryFailedError,
  TokenRequestFailedError,
];

const CLASS_BY_CODE: ReadonlyMap<string, ErrorClass> = (() => {
  const m = new Map<string, ErrorClass>();
  for (const value of ERROR_CLASSES) {
    const code = new value('probe').code;
    if (!m.has(code)) m.set(code, value);
  }
  return m;
})();

const KNOWN = new Set<string>(ERROR_CODES);
const MAX_MESSAGE = 200;

const byStatus = (status: number): ErrorClass => {
  if (status === 401) return UnauthenticatedError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 429) return RateLimitedError;
  if (status === 400 || status === 413 || status === 422) return InvalidInputError;
  return ServerError;
};

export interface HttpErrorContext {
  readonly operation: string;
  readonly status: number;
  readonly body: unknown;
  readonly headerRequestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Removed from any server message before it becomes part of ours. */
  readonly secrets: readonly string[];
  /**
   * The request carried a secret value (vault writes): keep the server's code and status, drop its
   * message and details, which could quote the value back in any form no scrubbing would find.
   */
  readonly sensitive?: boolean;
}

const scrub = (text: string, secrets: readonly string[]): string => {
  // Redact before shortening: a secret cut in half by the limit would no longer match.
  let t = text;
  for (const s of secrets) if (s) t = t.split(s).join('[redacted]');
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE)}...` : t;
};

export const errorFromResponse = (ctx: HttpErrorContext): QuantumApiError => {
  const parsed = errorBodySchema.safeParse(ctx.body);
  let code: string | undefined;
  let message: string | undefined;
  let requestId = ctx.headerRequestId;
  let details: Record<string, string | number | boolean> = {};
  let hint: string | undefined;
  if (parsed.success) {
    const b = parsed.data;
    const nested = errorBodySchema.safeParse(b.error);
    const inner = nested.success && typeof b.error === 'object' ? nested.data : undefined;
    code = b.code ?? inner?.code ?? undefined;
    requestId = b.requestId ?? inner?.requestId ?? requestId;
    if (!ctx.sensitive) {
      message = b.message ?? inner?.message ?? b.title ?? undefined;
      details = { ...(inner?.details ?? {}), ...(b.details ?? {}) };
      if (typeof b.error === 'string') hint = b.error;
    }
  }
  const Cls = code && KNOWN.has(code) ? (CLASS_BY_CODE.get(code) ?? byStatus(ctx.status)) : byStatus(ctx.status);
  const text = `${ctx.operation} failed: HTTP ${ctx.status}${hint ? ` ${hint}` : ''}${message ? `: ${scrub(message, ctx.secrets)}` : ''}`;
  const opts: QuantumApiErrorOptions = {
    details: {
      ...details,
      status: ctx.status,
      ...(ctx.retryAfterSeconds !== undefined ? { retryAfterSeconds: ctx.retryAfterSeconds } : {}),
    },
    ...(requestId ? { requestId } : {}),
  };
  // A code we know but have no class for (a later namespace's): keep the code on the root class.
  if (code && KNOWN.has(code) && !CLASS_BY_CODE.has(code)) return new QuantumApiError(code as ErrorCode, text, opts);
  return new Cls(text, opts);
};
