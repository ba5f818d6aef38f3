/**
 * What the anonymous OIDC reads serve, per tenant, for a short TTL: the discovery document (whose
 * only costly part is finding out that the tenant exists, up to two store reads) and the JWKS.
 * Two TenantCaches (tenant-cache.ts: only tenants that exist are stored, bounded, least recently
 * used out first, single-flight loads, invalidation wins over loads in flight), plus:
 *
 * - the JWKS of a tenant nobody authenticated for is loaded only once discovery says the tenant
 *   exists, so nothing is loaded or created for arbitrary names;
 * - `keyUsed` drops a tenant's JWKS as soon as this process signs with a key the cached set does
 *   not hold (a key just created, or rotated), so introspection and JWKS readers never wait out
 *   the TTL for a key made here. Other processes' new keys show up within the TTL.
 */
import type { Jwks } from '@quantumapi/sdk';
import { TenantCache } from './tenant-cache.js';

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

export class IssuerCache {
  readonly #discovery: TenantCache<DiscoveryDocument>;
  readonly #jwks: TenantCache<Jwks>;

  constructor(options: IssuerCacheOptions) {
    const common = {
      ttlMs: options.ttlMs,
      maxTenants: options.maxTenants,
      ...(options.now ? { now: options.now } : {}),
    };
    this.#discovery = new TenantCache({ ...common, load: options.discover });
    this.#jwks = new TenantCache({ ...common, load: options.loadJwks });
  }

  /** Tenants held (tests and metrics). */
  get size(): number {
    return new Set([...this.#discovery.tenants(), ...this.#jwks.tenants()]).size;
  }

  /** How long a cached value may still be served, in whole seconds (for Cache-Control). */
  get ttlSeconds(): number {
    return this.#discovery.ttlSeconds;
  }

  /** The tenant's discovery document, or undefined when the tenant has no issuer here. */
  discovery(tenant: string): Promise<DiscoveryDocument | undefined> {
    return this.#discovery.get(tenant);
  }

  /**
   * The tenant's public keys. Unless `exists` (the caller authenticated a key of the tenant), an
   * unknown tenant answers undefined, and nothing is loaded or created for it.
   */
  async jwks(tenant: string, exists = false): Promise<Jwks | undefined> {
    const hit = this.#jwks.peek(tenant);
    if (hit) return this.#jwks.get(tenant); // refreshes its recency
    if (!exists && (await this.discovery(tenant)) === undefined) return undefined;
    return this.#jwks.get(tenant);
  }

  /** This process signed with `kid`: drop a cached key set that does not have it. */
  keyUsed(tenant: string, kid: string): void {
    const keys = this.#jwks.peek(tenant)?.keys;
    if (keys && !keys.some((k) => k.kid === kid)) this.invalidate(tenant);
  }

  invalidate(tenant: string): void {
    this.#discovery.invalidate(tenant);
    this.#jwks.invalidate(tenant);
  }
}
