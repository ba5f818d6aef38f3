/** One local engine per tenant over the shared store, opened on first use and kept. */
import { type Backend, createLocalBackend, type RecordStore } from '@quantumapi/sdk';
import type { CryptoProviders } from '@quantumapi/sdk/crypto';

export class TenantBackends {
  readonly #backends = new Map<string, Backend>();
  readonly #store: RecordStore;
  readonly #masterKey: Uint8Array;
  readonly #providers: CryptoProviders;

  constructor(store: RecordStore, masterKey: Uint8Array, providers: CryptoProviders) {
    this.#store = store;
    this.#masterKey = masterKey;
    this.#providers = providers;
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
