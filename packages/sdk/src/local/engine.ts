/**
 * The embedded local engine: a Backend whose operations all run in this process over a RecordStore.
 * Opening checks the master key against the store before anything else happens.
 */
import type { Backend } from '../backend/types.js';
import { LocalCertificatesBackend, type LocalCaOptions } from '../certificates/local.js';
import type { CryptoProviders } from '../crypto/providers.js';
import { InvalidOptionsError } from '../errors.js';
import { createLocalIdentity, type LocalIdentityOptions } from '../identity/local.js';
import { createLocalVault } from '../vault/local.js';
import type { LocalContext } from './context.js';
import { LocalEncryptionBackend } from './encryption.js';
import { checkMasterKey, loadTenantKeyring } from './keyring.js';
import type { RecordStore } from './stores/types.js';

export interface LocalBackendOptions {
  readonly store: RecordStore;
  /** 32-byte master key. */
  readonly masterKey: Uint8Array;
  readonly providers: CryptoProviders;
  /** Tenant whose keys this backend serves. */
  readonly tenant?: string;
  /** Injectable clock (tests; deletion grace periods). */
  readonly now?: () => Date;
  /** Whether close() also closes the store (true when the engine opened it). */
  readonly ownsStore?: boolean;
  /** The local token issuer (identity namespace). */
  readonly identity?: LocalIdentityOptions;
  /** The local CA (certificates namespace). */
  readonly certificates?: LocalCaOptions;
}

export const DEFAULT_TENANT = 'default';
const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Lazily-opened pieces shared by every section of the local backend. */
export class LocalEngine {
  readonly options: LocalBackendOptions;
  #opening: Promise<LocalContext> | undefined;

  constructor(options: LocalBackendOptions) {
    const tenant = options.tenant ?? DEFAULT_TENANT;
    if (!TENANT_RE.test(tenant)) throw new InvalidOptionsError('tenant must be 1-64 characters of [A-Za-z0-9_.-]');
    if (options.masterKey.length !== 32) throw new InvalidOptionsError('masterKey must be 32 bytes');
    this.options = { ...options, tenant };
  }

  context(): Promise<LocalContext> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<LocalContext> {
    const { store, masterKey, providers } = this.options;
    const tenant = this.options.tenant ?? DEFAULT_TENANT;
    const now = this.options.now ?? (() => new Date());
    try {
      await store.open();
      await checkMasterKey(providers, store, masterKey);
      const keyring = await loadTenantKeyring(providers, store, masterKey, tenant, now);
      return { tenant, store, keyring, providers, now };
    } catch (e) {
      // A failed open may be retried (e.g. the store directory was fixed): don't cache the failure.
      this.#opening = undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    if (opening && this.options.ownsStore !== false) {
      await opening.then(
        () => this.options.store.close(),
        () => undefined,
      );
    }
  }
}

/**
 * Wraps a section so each call waits for the engine to open first. The section is built once, on
 * the first call, from the opened context.
 */
const lazySection = <T extends object>(engine: LocalEngine, build: (ctx: LocalContext) => T): T => {
  let section: Promise<T> | undefined;
  const get = (): Promise<T> => {
    section ??= engine.context().then(build, (e) => {
      section = undefined;
      throw e;
    });
    return section;
  };
  return new Proxy({} as T, {
    get(_t, prop) {
      // Not a thenable: `await backend.encryption` must not call into the engine.
      if (prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        const s = await get();
        const fn = (s as Record<PropertyKey, unknown>)[prop];
        if (typeof fn !== 'function') throw new TypeError(`${String(prop)} is not an operation`);
        return (fn as (...a: unknown[]) => unknown).apply(s, args);
      };
    },
  });
};

export const createLocalBackend = (options: LocalBackendOptions): Backend & { readonly engine: LocalEngine } => {
  const engine = new LocalEngine(options);
  return {
    kind: 'local',
    engine,
    encryption: lazySection(engine, (ctx) => new LocalEncryptionBackend(ctx)),
    vault: lazySection(engine, (ctx) => createLocalVault(ctx)),
    identity: lazySection(engine, (ctx) => createLocalIdentity(ctx, options.identity)),
    certificates: lazySection(engine, (ctx) => new LocalCertificatesBackend(ctx, options.certificates)),
    ready: async () => {
      await engine.context();
    },
    close: () => engine.close(),
  };
};
