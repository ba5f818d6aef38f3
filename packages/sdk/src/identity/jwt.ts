/**
 * JWT verification on top of the compact JWS verifier (crypto/jws.ts): signature first, then the
 * registered claims. Algorithms come from the caller's allow-list and the key, never the token.
 * No zod and no Node imports: the browser `/verify` entry is built from this module.
 */
import { fromUtf8 } from '../crypto/bytes.js';
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const checkClaims = (payload: JwtClaims, checks: ClaimChecks): void => {
  const now = Math.floor((checks.currentDate ?? new Date()).getTime() / 1000);
  const tol = checks.clockTolerance ?? 0;
  const { exp, nbf, iat, iss, aud } = payload;
  const claimError = (claim: string, what: string) =>
    new TokenClaimInvalidError(`"${claim}" ${what}`, { details: { claim } });
  for (const c of ['exp', 'nbf', 'iat'] as const) {
    if (payload[c] !== undefined && !isNumericDate(payload[c])) throw claimError(c, 'must be a NumericDate');
  }
  if (exp === undefined) {
    if (checks.requireExpiry !== false) throw claimError('exp', 'is missing');
  } else if (now - tol >= exp) {
    throw new TokenExpiredError('token has expired', { details: { exp, now } });
  }
  if (nbf !== undefined && now + tol < nbf)
    throw new TokenNotYetValidError('token is not valid yet', { details: { nbf, now } });
  if (iat !== undefined && now + tol < iat) throw claimError('iat', 'is in the future');
  if (checks.maxTokenAge !== undefined) {
    if (iat === undefined) throw claimError('iat', 'is missing (maxTokenAge is set)');
    if (now - tol - iat > checks.maxTokenAge)
      throw new TokenExpiredError('token is older than maxTokenAge', { details: { iat, now } });
  }
  if (iss !== checks.issuer)
    throw new TokenIssuerInvalidError('unexpected token issuer', { details: { expected: checks.issuer } });
  const expected = typeof checks.audience === 'string' ? [checks.audience] : checks.audience;
  const actual: unknown[] = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!actual.some((a) => expected.includes(a as string))) {
    throw new TokenAudienceInvalidError('token audience is not an expected one', {
      details: { expected: expected.join(',') },
    });
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

/** Verify a JWT's signature with the key the resolver picks, then its claims. */
export const verifyJwt = async (
  jwt: string,
  key: Readonly<Record<string, unknown>> | JwsAsyncKeyResolver,
  options: JwtVerifyOptions,
): Promise<JwtVerifyResult> => {
  const aud = options.audience;
  if (!options.issuer || !(typeof aud === 'string' ? aud : Array.isArray(aud) && aud.length > 0)) {
    throw new InvalidOptionsError('"issuer" and "audience" are required');
  }
  const { payload, protectedHeader } = await verifyJws(jwt, key, options);
  let claims: unknown;
  try {
    claims = JSON.parse(fromUtf8(payload));
  } catch {}
  if (!isRecord(claims)) throw new TokenInvalidError('token payload is not a JSON object');
  checkClaims(claims, options);
  return { payload: claims, protectedHeader };
};
