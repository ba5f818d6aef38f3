/**
 * One local engine per tenant over the shared store, opened on first use and kept. Each tenant's
 * token issuer is named by `issuerFor` (its OIDC URL on this server), so tokens carry an `iss`
 * that relying parties can discover.
 */
import { type Backend, createLocalBackend, hasLocalIssuerKey, type RecordStore } from '@quantumapi/sdk';
import type { CryptoProviders } from '@quantumapi/sdk/crypto';

export class TenantBackends {
  readonly #backends = new Map<string, Backend>();
  readonly #store: RecordStore;
  readonly #masterKey: Uint8Array;
  readonly #providers: CryptoProviders;
  readonly #issuerFor: ((tenant: string) => string) | undefined;

  constructor(
    store: RecordStore,
    masterKey: Uint8Array,
    providers: CryptoProviders,
    issuerFor?: (tenant: string) => string,
  ) {
    this.#store = store;
    this.#masterKey = masterKey;
    this.#providers = providers;
    this.#issuerFor = issuerFor;
  }

  /** The `iss` of the tenant's tokens (the local engine's default URN without `issuerFor`). */
  issuer(tenant: string): string {
    return this.#issuerFor?.(tenant) ?? `urn:quantumapi:local:${tenant}`;
  }

  /**
   * Whether the tenant's issuer has a signing key, i.e. has issued a token. Read straight from the
   * store, so that unauthenticated OIDC requests for arbitrary tenant names create nothing.
   */
  hasIssuer(tenant: string): Promise<boolean> {
    return hasLocalIssuerKey(this.#store, tenant);
  }

  get(tenant: string): Backend {
    let b = this.#backends.get(tenant);
    if (!b) {
      b = createLocalBackend({
        store: this.#store,
        masterKey: this.#masterKey,
        providers: this.#providers,
        tenant,
        ownsStore: false,
        identity: { issuer: this.issuer(tenant) },
      });
      this.#backends.set(tenant, b);
    }
    return b;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#backends.values()].map((b) => b.close()));
    this.#backends.clear();
  }
}
