/**
 * A short, bounded per-tenant cache for what anonymous requests read (the OIDC discovery document
 * and JWKS, the public CA chain and CRL):
 *
 * - Only values that exist are stored: a load that answers `undefined` (unknown tenant, no CA yet)
 *   is repeated on the next request, so a tenant that gets its CA a moment later is served at once
 *   and arbitrary names never take a slot. The anonymous rate limit bounds what those loads cost.
 * - At most `maxTenants` entries, least recently used evicted first.
 * - An entry lives `ttlMs`, or less when `expiresAt` says the value itself goes stale sooner (a
 *   CRL past its nextUpdate must not be served).
 * - Concurrent misses for one tenant share one load; a load that an `invalidate` overtook is
 *   returned to its callers but not stored (it may predate a revocation).
 */

export interface TenantCacheOptions<V> {
  /** The tenant's value, or `undefined` when there is none (nothing is stored then). */
  readonly load: (tenant: string) => Promise<V | undefined>;
  readonly ttlMs: number;
  readonly maxTenants: number;
  /** When the value stops being valid, in ms since the epoch (default: never before the TTL). */
  readonly expiresAt?: (value: V) => number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly until: number;
}

export class TenantCache<V> {
  readonly #o: TenantCacheOptions<V>;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<V>>();
  readonly #loading = new Map<string, Promise<V | undefined>>();
  /** Bumped by every invalidation: a load started before it must not store its result. */
  #epoch = 0;

  constructor(options: TenantCacheOptions<V>) {
    if (!(options.ttlMs > 0) || !(options.maxTenants >= 1)) throw new RangeError('cache TTL and size must be positive');
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held (tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** The tenants with an entry, fresh or not. */
  tenants(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** The TTL in whole seconds (for Cache-Control). */
  get ttlSeconds(): number {
    return Math.max(1, Math.floor(this.#o.ttlMs / 1000));
  }

  /** The cached value if still fresh, without loading (and without touching its recency). */
  peek(tenant: string): V | undefined {
    const e = this.#entries.get(tenant);
    return e && e.until > this.#now() ? e.value : undefined;
  }

  get(tenant: string): Promise<V | undefined> {
    const e = this.#entries.get(tenant);
    if (e) {
      this.#entries.delete(tenant);
      if (e.until > this.#now()) {
        // Least recently used goes first: a hit moves the tenant to the end.
        this.#entries.set(tenant, e);
        return Promise.resolve(e.value);
      }
    }
    const pending = this.#loading.get(tenant);
    if (pending) return pending;
    const epoch = this.#epoch;
    const p = this.#o
      .load(tenant)
      .then((value) => {
        if (value !== undefined && epoch === this.#epoch) {
          const now = this.#now();
          const until = Math.min(now + this.#o.ttlMs, this.#o.expiresAt?.(value) ?? Number.POSITIVE_INFINITY);
          if (until > now) this.#put(tenant, { value, until });
        }
        return value;
      })
      .finally(() => {
        if (this.#loading.get(tenant) === p) this.#loading.delete(tenant);
      });
    this.#loading.set(tenant, p);
    return p;
  }

  invalidate(tenant: string): void {
    this.#epoch++;
    this.#entries.delete(tenant);
    this.#loading.delete(tenant);
  }

  #put(tenant: string, entry: Entry<V>): void {
    this.#entries.delete(tenant);
    while (this.#entries.size >= this.#o.maxTenants) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(tenant, entry);
  }
}
