/**
 * Error responses: `{ code, message, requestId, details? }` with the status the http backend maps
 * back to the same typed error. Messages of our typed errors are safe by construction (they never
 * hold plaintexts or keys); anything else becomes a bare 500 whose message is not sent or logged.
 */
import { type ErrorCode, QuantumApiError } from '@quantumapi/sdk';
import type { Context } from 'hono';
import type { AppEnv } from './app.js';
import type { Logger } from './log.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  INVALID_OPTIONS: 400,
  INVALID_CIPHERTEXT: 422,
  DECRYPTION_FAILED: 422,
  SIGNATURE_INVALID: 422,
  INVALID_KEY: 422,
  INVALID_JWK: 422,
  UNSUPPORTED_ALGORITHM: 422,
  KEY_STATE: 422,
  KEY_USAGE: 422,
  KEY_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  TIMEOUT: 504,
  // vault
  SECRET_NOT_FOUND: 404,
  SECRET_STATE: 422,
  // certificates
  CSR_INVALID: 422,
  CRL_INVALID: 422,
  CERTIFICATE_INVALID: 422,
  CERTIFICATE_EXPIRED: 422,
  CERTIFICATE_NOT_YET_VALID: 422,
  CERTIFICATE_REVOKED: 422,
  CERTIFICATE_UNTRUSTED: 422,
  CERTIFICATE_USAGE: 422,
  // identity
  INVALID_JWS: 422,
  TOKEN_INVALID: 422,
};

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
  readonly error?: string;
  readonly details?: Readonly<Record<string, string | number | boolean | undefined>>;
}

export const toErrorResponse = (e: unknown, requestId: string): { status: number; body: ErrorBody } => {
  if (e instanceof QuantumApiError) {
    return {
      status: STATUS[e.code] ?? 500,
      body: {
        code: e.code,
        message: e.message,
        requestId,
        ...(Object.keys(e.details).length ? { details: e.details } : {}),
      },
    };
  }
  return { status: 500, body: { code: 'SERVER_ERROR', message: 'internal error', requestId } };
};

export const errorBody = (
  code: ErrorCode,
  message: string,
  requestId: string,
  extra: Partial<ErrorBody> = {},
): ErrorBody => ({
  code,
  message,
  requestId,
  ...extra,
});

/**
 * The 429 every limit answers: `Retry-After`, the standard body, and one warn line with the
 * request id and what the caller adds (never a client address: it is personal data).
 */
export const rateLimitedResponse = (
  c: Context<AppEnv>,
  logger: Logger,
  retryAfterSeconds: number,
  fields: Record<string, unknown>,
): Response => {
  c.header('retry-after', String(retryAfterSeconds));
  logger.log('warn', 'rate limited', { requestId: c.get('requestId'), ...fields, retryAfterSeconds });
  return c.json(
    errorBody('RATE_LIMITED', 'rate limit exceeded', c.get('requestId'), { details: { retryAfterSeconds } }),
    429,
  );
};
