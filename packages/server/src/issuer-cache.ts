/**
 * What the anonymous OIDC reads serve, per tenant, for a short TTL: the discovery document (whose
 * only costly part is finding out that the tenant exists, up to two store reads) and the JWKS.
 *
 * - Only tenants that exist are cached: an unknown name is looked up again on every request (so a
 *   tenant bootstrapped by another process is served at once) and never takes a slot, so arbitrary
 *   names cannot grow the cache; the anonymous rate limit bounds what those lookups cost.
 * - At most `maxTenants` entries, least recently used evicted first.
 * - `keyUsed` drops a tenant's JWKS as soon as this process signs with a key the cached set does
 *   not hold (a key just created, or rotated), so introspection and JWKS readers never wait out
 *   the TTL for a key made here. Other processes' new keys show up within the TTL.
 * - Concurrent misses for one tenant share one load; a load that straddles an invalidation is
 *   returned to its callers but not stored.
 */
import type { Jwks } from '@quantumapi/sdk';

export type DiscoveryDocument = Readonly<Record<string, unknown>>;

export interface IssuerCacheOptions {
  /** The tenant's discovery document, or undefined when it has no issuer here. */
  readonly discover: (tenant: string) => Promise<DiscoveryDocument | undefined>;
  /** The tenant's current public keys (the tenant exists). */
  readonly loadJwks: (tenant: string) => Promise<Jwks>;
  readonly ttlMs: number;
  readonly maxTenants: number;
  readonly now?: () => number;
}

interface Timed<T> {
  readonly value: T;
  readonly until: number;
}

interface Entry {
  discovery?: Timed<DiscoveryDocument>;
  jwks?: Timed<Jwks>;
}

export class IssuerCache {
  readonly #o: IssuerCacheOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #loadingDiscovery = new Map<string, Promise<DiscoveryDocument | undefined>>();
  readonly #loadingJwks = new Map<string, Promise<Jwks>>();
  /** Bumped by every invalidation: a load started before it must not store its result. */
  #epoch = 0;

  constructor(options: IssuerCacheOptions) {
    if (!(options.ttlMs > 0) || !(options.maxTenants >= 1)) throw new RangeError('cache TTL and size must be positive');
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held (tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /** How long a cached value may still be served, in whole seconds (for Cache-Control). */
  get ttlSeconds(): number {
    return Math.max(1, Math.floor(this.#o.ttlMs / 1000));
  }

  /** The tenant's discovery document, or undefined when the tenant has no issuer here. */
  discovery(tenant: string): Promise<DiscoveryDocument | undefined> {
    const hit = this.#fresh(tenant, 'discovery');
    if (hit) return Promise.resolve(hit);
    return this.#singleFlight(this.#loadingDiscovery, tenant, this.#o.discover, (e, v) => {
      if (v !== undefined) e.discovery = { value: v, until: this.#now() + this.#o.ttlMs };
    });
  }

  /**
   * The tenant's public keys. Unless `exists` (the caller authenticated a key of the tenant), an
   * unknown tenant answers undefined, and nothing is loaded or created for it.
   */
  async jwks(tenant: string, exists = false): Promise<Jwks | undefined> {
    const hit = this.#fresh(tenant, 'jwks');
    if (hit) return hit;
    if (!exists && (await this.discovery(tenant)) === undefined) return undefined;
    return this.#singleFlight(this.#loadingJwks, tenant, this.#o.loadJwks, (e, v) => {
      e.jwks = { value: v, until: this.#now() + this.#o.ttlMs };
    });
  }

  /** This process signed with `kid`: drop a cached key set that does not have it. */
  keyUsed(tenant: string, kid: string): void {
    const keys = this.#entries.get(tenant)?.jwks?.value.keys;
    if (keys && !keys.some((k) => k.kid === kid)) this.invalidate(tenant);
  }

  invalidate(tenant: string): void {
    this.#epoch++;
    this.#entries.delete(tenant);
    this.#loadingDiscovery.delete(tenant);
    this.#loadingJwks.delete(tenant);
  }

  #fresh<K extends keyof Entry>(tenant: string, kind: K): NonNullable<Entry[K]>['value'] | undefined {
    const e = this.#entries.get(tenant);
    const slot = e?.[kind];
    if (!e || !slot) return undefined;
    if (slot.until <= this.#now()) {
      delete e[kind];
      if (!e.discovery && !e.jwks) this.#entries.delete(tenant);
      return undefined;
    }
    // Least recently used goes first: a hit moves the tenant to the end.
    this.#entries.delete(tenant);
    this.#entries.set(tenant, e);
    return slot.value;
  }

  #singleFlight<T>(
    loading: Map<string, Promise<T>>,
    tenant: string,
    load: (tenant: string) => Promise<T>,
    store: (entry: Entry, value: T) => void,
  ): Promise<T> {
    const pending = loading.get(tenant);
    if (pending) return pending;
    const epoch = this.#epoch;
    const p = load(tenant)
      .then((value) => {
        if (epoch === this.#epoch) {
          const entry: Entry = this.#entries.get(tenant) ?? {};
          store(entry, value);
          if (entry.discovery || entry.jwks) this.#put(tenant, entry);
        }
        return value;
      })
      .finally(() => {
        if (loading.get(tenant) === p) loading.delete(tenant);
      });
    loading.set(tenant, p);
    return p;
  }

  #put(tenant: string, entry: Entry): void {
    this.#entries.delete(tenant);
    while (this.#entries.size >= this.#o.maxTenants) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(tenant, entry);
  }
}
