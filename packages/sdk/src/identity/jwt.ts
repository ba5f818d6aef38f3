/**
 * JWT verification on top of the compact JWS verifier (crypto/jws.ts): signature first, then the
 * registered claims. Algorithms come from the caller's allow-list and the key, never the token.
 * No zod and no Node imports: the browser `/verify` entry is built from this module.
 */
import {
  type CompactVerifyResult,
  compactVerifyAsync,
  type JwsAsyncKeyResolver,
  type JwsProtectedHeader,
  type JwsSuite,
} from '../crypto/jws.js';
import { InvalidOptionsError, QuantumApiError } from '../errors.js';
import {
  TokenAudienceInvalidError,
  TokenClaimInvalidError,
  TokenExpiredError,
  TokenInvalidError,
  TokenIssuerInvalidError,
  TokenNotYetValidError,
  TokenSignatureInvalidError,
} from './errors.js';
import { isRecord } from './jwks.js';

export interface JwtClaims {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

export interface JwtVerifyResult {
  readonly payload: JwtClaims;
  readonly protectedHeader: JwsProtectedHeader;
}

export interface ClaimChecks {
  /** Exact `iss`. */
  readonly issuer: string;
  /** The token's `aud` must contain at least one of these. */
  readonly audience: string | readonly string[];
  /** Seconds of clock skew tolerated on exp / nbf / iat (default 0). */
  readonly clockTolerance?: number;
  /** Reject tokens whose `iat` is older than this many seconds. */
  readonly maxTokenAge?: number;
  /** Tokens without `exp` are refused unless this is false. */
  readonly requireExpiry?: boolean;
  /** Unix seconds "now" (tests, replays); defaults to the system clock. */
  readonly currentDate?: Date;
}

export interface JwtVerifyOptions extends ClaimChecks {
  readonly algorithms: readonly string[];
  readonly suites: readonly JwsSuite[];
}

// Its own decoder rather than crypto/bytes.ts, so the browser /verify bundle does not carry the base64 tables.
const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 JSON that must be an object (a JWS header or JWT payload); undefined for anything else. */
export const parseJsonObject = (bytes: Uint8Array | undefined): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(utf8.decode(bytes));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

/**
 * exp / nbf / iat (with clockTolerance and maxTokenAge), then iss and aud. Every time comparison is
 * written as "refuse unless provably fine", so a NaN from a bad clockTolerance, maxTokenAge or
 * currentDate (no zod in the browser entry) refuses the token instead of letting it through.
 */
export const checkClaims = (payload: JwtClaims, checks: ClaimChecks): void => {
  const now = Math.floor(+(checks.currentDate ?? new Date()) / 1000);
  // Unary plus: a string tolerance must not turn `now + tol` into string concatenation.
  const tol = +(checks.clockTolerance ?? 0);
  const { exp, nbf, iat, iss, aud } = payload;
  const claimError = (claim: string, what: string) =>
    new TokenClaimInvalidError(`"${claim}" ${what}`, { details: { claim } });
  for (const c of ['exp', 'nbf', 'iat'] as const) {
    if (payload[c] !== undefined && !Number.isFinite(payload[c])) throw claimError(c, 'is not a NumericDate');
  }
  if (exp === undefined) {
    if (checks.requireExpiry !== false) throw claimError('exp', 'is missing');
  } else if (!(now - tol < exp)) {
    throw new TokenExpiredError('token expired', { details: { exp, now } });
  }
  if (nbf !== undefined && !(now + tol >= nbf))
    throw new TokenNotYetValidError('token not yet valid', { details: { nbf, now } });
  if (iat !== undefined && !(now + tol >= iat)) throw claimError('iat', 'is in the future');
  if (checks.maxTokenAge !== undefined) {
    if (iat === undefined) throw claimError('iat', 'is missing (maxTokenAge)');
    if (!(now - tol - iat <= checks.maxTokenAge))
      throw new TokenExpiredError('token is too old', { details: { iat, now } });
  }
  const expected = [checks.audience].flat();
  if (iss !== checks.issuer)
    throw new TokenIssuerInvalidError('unexpected issuer', { details: { expected: checks.issuer } });
  const actual: unknown[] = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!actual.some((a) => expected.includes(a as string))) {
    throw new TokenAudienceInvalidError('unexpected audience', { details: { expected: expected.join(',') } });
  }
};

/**
 * Signature only (compact JWS), with the JWS layer's structural and signature errors mapped to
 * token codes; allow-list and key errors pass through with their own codes.
 */
export const verifyJws = async (
  jws: string,
  key: Readonly<Record<string, unknown>> | JwsAsyncKeyResolver,
  options: { readonly algorithms: readonly string[]; readonly suites: readonly JwsSuite[] },
): Promise<CompactVerifyResult> => {
  try {
    return await compactVerifyAsync(jws, key, options);
  } catch (e) {
    const code = e instanceof QuantumApiError ? e.code : '';
    if (code === 'SIGNATURE_INVALID')
      throw new TokenSignatureInvalidError('token signature does not verify', { cause: e });
    if (code === 'INVALID_JWS') throw new TokenInvalidError(`invalid token: ${(e as Error).message}`, { cause: e });
    throw e;
  }
};

/**
 * The JWT flow over any JWS verifier (this module's, or the browser entry's ML-DSA-only one): options
 * first, then the signature, then a payload that must be a JSON object, then its claims.
 */
export const verifyJwtWith = async (
  jwt: string,
  verify: (jws: string) => Promise<CompactVerifyResult>,
  checks: ClaimChecks,
): Promise<JwtVerifyResult> => {
  const aud = checks.audience;
  if (!checks.issuer || !(typeof aud === 'string' ? aud : Array.isArray(aud) && aud.length > 0)) {
    throw new InvalidOptionsError('"issuer" and "audience" are required');
  }
  const { payload, protectedHeader } = await verify(jwt);
  const claims = parseJsonObject(payload);
  if (!claims) throw new TokenInvalidError('invalid token: payload is not a JSON object');
  checkClaims(claims, checks);
  return { payload: claims, protectedHeader };
};

/** Verify a JWT's signature with the key the resolver picks, then its claims. */
export const verifyJwt = (
  jwt: string,
  key: Readonly<Record<string, unknown>> | JwsAsyncKeyResolver,
  options: JwtVerifyOptions,
): Promise<JwtVerifyResult> => verifyJwtWith(jwt, (jws) => verifyJws(jws, key, options), options);
