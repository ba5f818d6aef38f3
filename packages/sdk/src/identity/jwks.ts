/**
 * A cached remote JWKS: fetched once, refreshed after `maxAgeMs`, refetched early when a token
 * names a `kid` we do not have (at most once per `cooldownMs`, so junk kids cannot turn us into a
 * request amplifier), and served from cache through a short outage (`staleIfErrorMs`).
 * Browser-safe and small (no Node imports, no zod, closures rather than a class so names minify):
 * the `/verify` bundle uses it as is.
 */
import { InvalidOptionsError } from '../errors.js';
import { JwksNoMatchingKeyError, JwksUnavailableError } from './errors.js';

export type Jwk = Readonly<Record<string, unknown>>;

/** Fetches a JWKS URL and returns the parsed JSON body; throws on any failure. */
export type JwksLoader = (url: string) => Promise<unknown>;

export interface JwksCacheOptions {
  /** Per request (default 5 s); used by the default loader. */
  readonly timeoutMs?: number;
  /**
   * How to fetch. The default is a plain `fetch` with a timeout (what the browser bundle uses);
   * the identity namespace passes its retrying HTTP client.
   */
  readonly load?: JwksLoader;
  /** Refresh keys older than this (default 10 min). */
  readonly maxAgeMs?: number;
  /** Minimum time between refetches triggered by an unknown kid (default 30 s). */
  readonly cooldownMs?: number;
  /** After maxAge, keep serving cached keys for this long while the JWKS endpoint fails (default 15 min). */
  readonly staleIfErrorMs?: number;
  readonly now?: () => number;
}

export interface JwksCache {
  readonly url: string;
  /** The key for this token header, fetching or refetching the JWKS as the policy allows. */
  getKey(header: { readonly alg: string; readonly kid?: string }): Promise<Jwk>;
}

/** A JSON object: not null, not an array. Shared with identity/jwt.ts and the /verify entry. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const KTY: Readonly<Record<string, string>> = { ES256: 'EC', EdDSA: 'OKP', Ed25519: 'OKP', RS256: 'RSA' };

/** Pick the key for a token header out of a key set; undefined when there is none (or no unique one). */
export const selectJwk = (keys: readonly Jwk[], header: { alg: string; kid?: string }): Jwk | undefined => {
  if (header.kid !== undefined) return keys.find((k) => k['kid'] === header.kid);
  // No kid: only an unambiguous signing key for this alg (by its alg, else by its kty) will do.
  const c = keys.filter(
    (k) =>
      (k['use'] ?? 'sig') === 'sig' &&
      (k['alg'] !== undefined ? k['alg'] === header.alg : k['kty'] === KTY[header.alg]),
  );
  return c.length === 1 ? c[0] : undefined;
};

export const parseJwks = (body: unknown): Jwk[] => {
  if (!isRecord(body) || !Array.isArray(body['keys'])) throw new JwksUnavailableError('JWKS has no "keys" array');
  return body['keys'].filter(isRecord);
};

// https, or plain http to a loopback host only (local issuers, tests).
const SAFE_URL = /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/])/i;

export const createJwksCache = (url: string, options: JwksCacheOptions = {}): JwksCache => {
  if (!SAFE_URL.test(url)) throw new InvalidOptionsError('JWKS URL must use https');
  const clock = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? 600_000;
  const load =
    options.load ??
    (async (u: string): Promise<unknown> => {
      const res = await fetch(u, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000), redirect: 'error' });
      if (!res.ok) throw new JwksUnavailableError(`JWKS answered ${res.status}`, { details: { status: res.status } });
      return res.json();
    });
  let keys: Jwk[] | undefined;
  let fetchedAt = 0;
  let lastAttempt = -Infinity;
  let inflight: Promise<Jwk[]> | undefined;

  // Single flight: concurrent callers share one request. Falls back to cached keys within the stale window.
  const refresh = (now: number): Promise<Jwk[]> => {
    if (!inflight) {
      lastAttempt = now;
      inflight = load(url)
        .then((body) => {
          keys = parseJwks(body);
          fetchedAt = clock();
          return keys;
        })
        .catch((cause: unknown) => {
          if (keys && now - fetchedAt < maxAge + (options.staleIfErrorMs ?? 900_000)) return keys;
          throw new JwksUnavailableError('JWKS fetch failed', { cause, details: { url } });
        })
        .finally(() => {
          inflight = undefined;
        });
    }
    return inflight;
  };

  return {
    url,
    async getKey(header) {
      const now = clock();
      let set = keys && now - fetchedAt < maxAge ? keys : await refresh(now);
      let key = selectJwk(set, header);
      if (!key && now - lastAttempt >= (options.cooldownMs ?? 30_000)) {
        set = await refresh(now);
        key = selectJwk(set, header);
      }
      if (!key) {
        throw new JwksNoMatchingKeyError('no key for the token', {
          details: { alg: header.alg, kid: header.kid },
        });
      }
      return key;
    },
  };
};
