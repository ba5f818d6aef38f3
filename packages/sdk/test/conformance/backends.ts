/**
 * The backends every conformance suite runs against. Each factory returns a fresh, isolated
 * backend (own store / schema / tenant) and a cleanup. The http backend talks to a real server
 * process on PostgreSQL, shared by the suite, with a fresh tenant per backend.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/backend/types.js';
import { createHttpBackend } from '../../src/http/backend.js';
import { createLocalBackend } from '../../src/local/engine.js';
import { FileStore } from '../../src/local/stores/file.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { PostgresStore } from '../../src/local/stores/postgres.js';
import { defaultProviders } from '../../src/runtime/node.js';
import { freshSchema } from './pg.js';
import {
  bootstrapTenants,
  type Deployment,
  type IssuedKey,
  newDeployment,
  type ServerProcess,
  startServerProcess,
} from './server-process.js';

export interface BackendHandle {
  readonly backend: Backend;
  cleanup(): Promise<void>;
}

export type BackendFactory = () => Promise<BackendHandle>;

const masterKey = (): Uint8Array => randomBytes(32);

const local = async (store: MemoryStore | FileStore | PostgresStore, after: () => Promise<void> = async () => {}) => {
  const backend = createLocalBackend({
    store,
    masterKey: masterKey(),
    providers: defaultProviders,
    tenant: 'conformance',
  });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await after();
    },
  };
};

interface Shared {
  readonly deployment: Deployment;
  readonly server: ServerProcess;
  /** Pre-issued tenants: a fresh one per backend without a CLI start per test. */
  readonly tenants: IssuedKey[];
}
let shared: Promise<Shared> | undefined;
const TENANT_POOL = 64;

/** One server process per test file, started on first use and stopped by `stopSharedServer`. */
export const sharedServer = (): Promise<Shared> => {
  shared ??= (async () => {
    const deployment = await newDeployment({ QAPI_RATE_LIMIT_RPS: '10000', QAPI_RATE_LIMIT_BURST: '10000' });
    const [server, tenants] = await Promise.all([
      startServerProcess(deployment),
      bootstrapTenants(
        deployment,
        Array.from({ length: TENANT_POOL }, (_, i) => `conf-${i}`),
      ),
    ]);
    return { deployment, server, tenants };
  })();
  return shared;
};

export const stopSharedServer = async (): Promise<void> => {
  if (!shared) return;
  const { deployment, server } = await shared;
  shared = undefined;
  await server.stop();
  await deployment.db.drop();
};

export const BACKENDS: readonly [string, BackendFactory][] = [
  ['local+memory', () => local(new MemoryStore())],
  [
    'local+file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qapi-conf-'));
      return local(new FileStore({ path: dir }), () => rm(dir, { recursive: true, force: true }));
    },
  ],
  [
    'local+postgres',
    async () => {
      const schema = await freshSchema('qapi_conf');
      return local(new PostgresStore({ pool: schema.pool, schema: schema.name }), () => schema.drop());
    },
  ],
  [
    'http+server+postgres',
    async () => {
      const { server, tenants } = await sharedServer();
      const issued = tenants.shift();
      if (!issued) throw new Error(`more than ${TENANT_POOL} http backends in one file: raise TENANT_POOL`);
      const backend = createHttpBackend({ baseUrl: server.baseUrl, apiKey: issued.apiKey, timeoutMs: 20_000, env: {} });
      return { backend, cleanup: () => backend.close() };
    },
  ],
];
