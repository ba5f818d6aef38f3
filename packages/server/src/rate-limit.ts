/**
 * Token buckets in this process, keyed per tenant (authenticated requests) or per client address
 * (the anonymous OIDC discovery and JWKS reads). With several server processes each enforces its
 * own share (N processes allow up to N x the rate); put a shared limiter in front for a global cap.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the burst a tenant may send at once. */
  readonly burst: number;
  readonly now?: () => number;
  /** Most buckets kept at once (default 100,000). */
  readonly maxBuckets?: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_BUCKETS = 100_000;

export class RateLimiter {
  readonly #o: RateLimitOptions;
  readonly #buckets = new Map<string, Bucket>();
  readonly #max: number;

  constructor(options: RateLimitOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError('rate limit must be positive');
    this.#o = options;
    this.#max = options.maxBuckets ?? MAX_BUCKETS;
  }

  take(tenant: string): RateDecision {
    const now = (this.#o.now ?? Date.now)();
    let b = this.#buckets.get(tenant);
    if (b) {
      this.#buckets.delete(tenant); // re-insert: Map order is recency
    } else {
      if (this.#buckets.size >= this.#max) this.#makeRoom(now);
      b = { tokens: this.#o.burst, at: now };
    }
    this.#buckets.set(tenant, b);
    b.tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#o.ratePerSecond)) };
  }

  /** What `take` would answer now, without taking anything. */
  peek(key: string): RateDecision {
    const b = this.#buckets.get(key);
    if (!b) return { ok: true };
    const now = (this.#o.now ?? Date.now)();
    const tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.ratePerSecond);
    if (tokens >= 1) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.#o.ratePerSecond)) };
  }

  /**
   * The table is full: drop the buckets that have refilled (forgetting them changes nothing), and
   * if every one is still in use, the least recently used. Clearing everything instead would let
   * anyone with enough addresses reset every client's limit.
   */
  #makeRoom(now: number): void {
    const full = (this.#o.burst / this.#o.ratePerSecond) * 1000;
    for (const [k, b] of this.#buckets) if (now - b.at >= full) this.#buckets.delete(k);
    if (this.#buckets.size < this.#max) return;
    const oldest = this.#buckets.keys().next().value;
    if (oldest !== undefined) this.#buckets.delete(oldest);
  }
}

/** Per client address, for the endpoints anyone may call (QAPI_ANON_RATE_LIMIT_RPS / _BURST). */
export const ANONYMOUS_RATE_LIMIT = { ratePerSecond: 20, burst: 60 } as const;

/**
 * Failed authentications per client address (QAPI_AUTH_FAILURE_RATE_LIMIT_RPS / _BURST): a client
 * past its burst of bad keys is refused before its next key is looked up, until the bucket refills.
 */
export const AUTH_FAILURE_RATE_LIMIT = { ratePerSecond: 1, burst: 20 } as const;

/** The first four groups of a valid IPv6 address, without leading zeros. */
const ipv6Prefix64 = (address: string): string => {
  const groups = (part: string): string[] =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const [head = '', tail] = address.split('::');
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':');
};

/**
 * The bucket of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64, since
 * one host usually holds a whole /64 and would otherwise get a fresh bucket per address.
 * Requests without a socket address (in-process tests) share one bucket.
 */
export const addressBucket = (address: string | undefined): string => {
  if (!address) return 'addr:unknown';
  const plain = address.split('%')[0] as string;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain);
  if (mapped && isIPv4(mapped[1] as string)) return `ip4:${mapped[1]}`;
  if (isIPv4(plain)) return `ip4:${plain}`;
  if (isIPv6(plain)) return `ip6:${ipv6Prefix64(plain.toLowerCase())}/64`;
  return 'addr:unknown';
};
