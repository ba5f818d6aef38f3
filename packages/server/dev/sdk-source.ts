/**
 * Development seam: `@quantumapi/sdk` straight from the sdk's TypeScript source, plus the three
 * exports the server needs that the sdk's barrel does not have yet (see the server README).
 * Used by tests and `start:dev`; `start` uses the built package.
 */
export * from '../../sdk/src/index.js';
export { PostgresStore, type PostgresStoreOptions } from '../../sdk/src/local/stores/postgres.js';
export { defaultProviders } from '../../sdk/src/runtime/node.js';
export { createHttpBackend } from '../../sdk/src/http/backend.js';
