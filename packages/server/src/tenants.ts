/**
 * One local engine per tenant over the shared store, opened on first use and kept. Each tenant's
 * token issuer is named by `issuerFor` (its OIDC URL on this server), so tokens carry an `iss`
 * that relying parties can discover. Every token signed here is reported to `onTokenIssued`
 * listeners with its key id, whichever route issued it: that is how caches of the issuer's keys
 * learn at once that a key was created (or rotated) in this process.
 */
import {
  type Backend,
  createLocalBackend,
  hasLocalIssuerKey,
  type IdentityBackend,
  type RecordStore,
} from '@quantumapi/sdk';
import type { CryptoProviders } from '@quantumapi/sdk/crypto';

export class TenantBackends {
  readonly #backends = new Map<string, Backend>();
  readonly #store: RecordStore;
  readonly #masterKey: Uint8Array;
  readonly #providers: CryptoProviders;
  readonly #issuerFor: ((tenant: string) => string) | undefined;
  readonly #issued = new Set<(tenant: string, kid: string) => void>();

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

  /** Calls `listener(tenant, kid)` after every token this process signs; returns the unsubscribe. */
  onTokenIssued(listener: (tenant: string, kid: string) => void): () => void {
    this.#issued.add(listener);
    return () => this.#issued.delete(listener);
  }

  get(tenant: string): Backend {
    let b = this.#backends.get(tenant);
    if (!b) {
      b = this.#reportingIssuance(
        tenant,
        createLocalBackend({
          store: this.#store,
          masterKey: this.#masterKey,
          providers: this.#providers,
          tenant,
          ownsStore: false,
          identity: { issuer: this.issuer(tenant) },
        }),
      );
      this.#backends.set(tenant, b);
    }
    return b;
  }

  /** The backend with `identity.issueToken` reporting the key it signed with. Sections stay lazy (getters). */
  #reportingIssuance(tenant: string, inner: Backend): Backend {
    const listeners = this.#issued;
    const identity: IdentityBackend = {
      issuer: () => inner.identity.issuer(),
      jwks: () => inner.identity.jwks(),
      issueToken: async (input) => {
        const issued = await inner.identity.issueToken(input);
        for (const l of listeners) l(tenant, issued.kid);
        return issued;
      },
    };
    return {
      kind: inner.kind,
      get encryption() {
        return inner.encryption;
      },
      get vault() {
        return inner.vault;
      },
      get certificates() {
        return inner.certificates;
      },
      identity,
      ready: () => inner.ready(),
      close: () => inner.close(),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#backends.values()].map((b) => b.close()));
    this.#backends.clear();
  }
}
