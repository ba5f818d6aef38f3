/**
 * What introspection (RFC 7662) decides, apart from HTTP: whether a token was signed by the
 * tenant's issuer with one of its current keys and is within its lifetime, and whether the
 * introspecting client may be told it is active for the audience it carries.
 *
 * The audience rule mirrors issuance (oidc-routes.ts, token endpoint): any key obtains tokens for
 * the API audience, and only a key with `identity:write` obtains tokens for any other audience
 * (there and at `POST /identity/tokens`). So a token for the API audience is active for every key
 * of the tenant, one for another audience only for a key that holds `identity:write`, and one with
 * no audience for none. The decision rests on the introspecting key's scopes and the server's own
 * API audience, never on anything the token says about what should be expected of it.
 */
import type { Jwks } from '@quantumapi/sdk';
import { compactVerifyAsync, fromUtf8, type JwsSuite } from '@quantumapi/sdk/crypto';
import type { ApiKeyRecord } from './api-keys.js';

/** Seconds a token's nbf / iat may lie ahead of this process's clock (another process issued it). */
const CLOCK_SKEW = 5;

export interface IssuedTokenChecks {
  readonly issuer: string;
  /** The tenant's current keys: a token is looked up by its `kid` here and nowhere else. */
  readonly jwks: Jwks;
  readonly algorithms: readonly string[];
  readonly suites: readonly JwsSuite[];
  /** Unix seconds. */
  readonly now: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const numericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The payload of a token this issuer signed that is valid now (signature, `iss`, `exp` required,
 * `nbf`, `iat`), else undefined: callers answer every failure the same way.
 */
export const verifiedPayload = async (
  token: string,
  checks: IssuedTokenChecks,
): Promise<Record<string, unknown> | undefined> => {
  let payload: Record<string, unknown>;
  try {
    const r = await compactVerifyAsync(
      token,
      // By kid only: no kid, or one the issuer does not hold, finds no key and fails verification.
      (h) => (h.kid === undefined ? undefined : checks.jwks.keys.find((k) => k.kid === h.kid)),
      { algorithms: checks.algorithms, suites: checks.suites },
    );
    const parsed: unknown = JSON.parse(fromUtf8(r.payload));
    if (!isRecord(parsed)) return undefined;
    payload = parsed;
  } catch {
    return undefined;
  }
  const { iss, exp, nbf, iat } = payload;
  const now = checks.now;
  if (iss !== checks.issuer) return undefined;
  // Written as "refuse unless provably fine", so a NaN anywhere refuses.
  if (!numericDate(exp) || !(now < exp)) return undefined;
  if (nbf !== undefined && !(numericDate(nbf) && nbf <= now + CLOCK_SKEW)) return undefined;
  if (iat !== undefined && !(numericDate(iat) && iat <= now + CLOCK_SKEW)) return undefined;
  return payload;
};

/** Whether `introspector` may be told a token with this (verified) `aud` is active. */
export const audienceAccepted = (aud: unknown, apiAudience: string, introspector: ApiKeyRecord): boolean => {
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (list.length === 0 || !list.every((a) => typeof a === 'string' && a.length > 0)) return false;
  if (list.includes(apiAudience)) return true;
  return introspector.scopes.includes('identity:write');
};

/**
 * A token's `scope` as it stands now: what it was issued with, less what its key has lost since
 * (a token never carries more power than its key; a revoked key's tokens are inactive outright).
 */
export const currentScope = (scope: unknown, key: ApiKeyRecord): unknown =>
  typeof scope === 'string'
    ? scope
        .split(' ')
        .filter((s) => s && (key.scopes as readonly string[]).includes(s))
        .join(' ')
    : scope;
