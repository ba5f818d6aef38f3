/**
 * Per-tenant token buckets, in this process. With several server processes each enforces its own
 * share (N processes allow up to N x the rate); put a shared limiter in front for a global cap.
 */
export interface RateLimitOptions {
  /** Tokens added per second. */
  readonly ratePerSecond: number;
  /** Bucket size: the burst a tenant may send at once. */
  readonly burst: number;
  readonly now?: () => number;
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

  constructor(options: RateLimitOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new RangeError('rate limit must be positive');
    this.#o = options;
  }

  take(tenant: string): RateDecision {
    const now = (this.#o.now ?? Date.now)();
    let b = this.#buckets.get(tenant);
    if (!b) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.clear();
      b = { tokens: this.#o.burst, at: now };
      this.#buckets.set(tenant, b);
    }
    b.tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#o.ratePerSecond)) };
  }
}
