/** `@quantumapi/sdk`: the QuantumApiClient, its namespaces, backends and stores. */
import { defaultProviders as runtimeProviders } from '#runtime';
import type { CryptoProviders } from './crypto/providers.js';
export { QuantumApiClient } from './client/client.js';
export type { QuantumApiClientOptions, LocalOptions } from './client/options.js';
export { API_KEY_ENV, BASE_URL_ENV, STORE_PATH_ENV } from './client/options.js';
export * from './client/encryption.js';
export type { PagedAsyncIterable } from './client/paging.js';
export type * from './backend/types.js';
export * from './errors.js';
export type { KeyAlgorithm, KemAlgorithm, MlDsaAlgorithm, SignatureAlgorithm } from './crypto/algorithms.js';
export { KEY_ALGORITHMS } from './crypto/algorithms.js';
export { createLocalBackend, DEFAULT_TENANT, type LocalBackendOptions } from './local/engine.js';
export { MemoryStore } from './local/stores/memory.js';
export { FileStore, type FileStoreOptions } from './local/stores/file.js';
export type { RecordStore, StoredRecord, ListOptions } from './local/stores/types.js';
export type { LocalContext, TenantKeyring } from './local/context.js';
export { MASTER_KEY_ENV, parseMasterKey } from './local/master-key.js';
export type { HttpOptions } from './client/options.js';
export * from './vault/index.js';
export * from './identity/index.js';
export * from './certificates/index.js';
export * from './fields/index.js';
// identity and fields both name a JSON type; the readonly one is the public name.
export type { JsonValue } from './identity/backend.js';
export {
  PostgresStore,
  type PostgresStoreOptions,
  type PgPoolLike,
  type PgClientLike,
  type PgQueryResult,
} from './local/stores/postgres.js';
export {
  createHttpBackend,
  DEFAULT_BASE_URL,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type HttpBackend,
  type HttpBackendOptions,
} from './http/backend.js';
export type { RetryPolicy } from './http/transport.js';
export type { CryptoProviders } from './crypto/providers.js';

/**
 * The crypto providers this runtime uses by default (node:crypto where it helps, noble elsewhere).
 * Re-declared rather than re-exported so the published typings never name the internal `#runtime`.
 */
export const defaultProviders: CryptoProviders = runtimeProviders;
