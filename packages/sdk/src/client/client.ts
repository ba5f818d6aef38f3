/**
 * QuantumApiClient: one typed entry point, namespaces over a pluggable backend.
 *
 *   const qapi = new QuantumApiClient();              // embedded local engine, file store
 *   const { payload } = await qapi.encryption.encrypt('secret');
 */
import { defaultProviders } from '#runtime';
import type { Backend } from '../backend/types.js';
import { CertificatesNamespace } from '../certificates/namespace.js';
import { createHttpBackend } from '../http/backend.js';
import { IdentityNamespace } from '../identity/namespace.js';
import { createLocalBackend } from '../local/engine.js';
import { parseMasterKey, resolveMasterKey } from '../local/master-key.js';
import { FileStore } from '../local/stores/file.js';
import { MemoryStore } from '../local/stores/memory.js';
import type { RecordStore } from '../local/stores/types.js';
import { VaultNamespace } from '../vault/namespace.js';
import { EncryptionNamespace } from './encryption.js';
import {
  DEFAULT_STORE_PATH,
  type QuantumApiClientOptions,
  type ResolvedOptions,
  resolveOptions,
  STORE_PATH_ENV,
} from './options.js';

const createBackend = (r: ResolvedOptions): Backend => {
  const o = r.options;
  if (typeof o.backend === 'object') return o.backend;
  if (r.kind === 'http') {
    return createHttpBackend({
      env: r.env,
      ...(r.apiKey ? { apiKey: r.apiKey } : {}),
      ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}),
      ...o.http,
    });
  }
  const providers = o.providers ?? defaultProviders;
  const storeOpt = o.local?.store ?? 'file';
  let store: RecordStore;
  let masterKey: Uint8Array;
  if (storeOpt === 'memory') {
    store = new MemoryStore();
    // A throwaway store may use a throwaway master key: nothing outlives the process.
    const given = o.local?.masterKey ?? r.env['QAPI_MASTER_KEY'];
    masterKey = given ? parseMasterKey(given) : providers.random.randomBytes(32);
  } else {
    masterKey = resolveMasterKey(o.local?.masterKey, r.env);
    store =
      storeOpt === 'file'
        ? new FileStore({ path: o.local?.path ?? r.env[STORE_PATH_ENV] ?? DEFAULT_STORE_PATH })
        : storeOpt;
  }
  return createLocalBackend({
    store,
    masterKey,
    providers,
    ...(o.local?.tenant ? { tenant: o.local.tenant } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.local?.identity ? { identity: o.local.identity } : {}),
    ...(o.local?.certificates ? { certificates: o.local.certificates } : {}),
    ownsStore: typeof storeOpt === 'string',
  });
};

export class QuantumApiClient {
  readonly backend: Backend;
  readonly encryption: EncryptionNamespace;
  readonly vault: VaultNamespace;
  readonly identity: IdentityNamespace;
  readonly certificates: CertificatesNamespace;

  constructor(options: QuantumApiClientOptions = {}) {
    const resolved = resolveOptions(options);
    this.backend = createBackend(resolved);
    const o = resolved.options;
    const providers = o.providers ?? defaultProviders;
    this.encryption = new EncryptionNamespace(this.backend.encryption);
    this.vault = new VaultNamespace(this.backend.vault, o.vault);
    this.identity = new IdentityNamespace(this.backend.identity, o.identity);
    this.certificates = new CertificatesNamespace(this.backend.certificates, {
      providers,
      ...(o.now ? { now: o.now } : {}),
    });
  }

  /** Which backend serves this client. */
  get backendKind(): Backend['kind'] {
    return this.backend.kind;
  }

  /**
   * Opens the backend (store, master-key check) and fails fast with a typed error. Optional: every
   * operation waits for it anyway; call it at start-up to fail before serving traffic.
   */
  ready(): Promise<void> {
    return this.backend.ready();
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
