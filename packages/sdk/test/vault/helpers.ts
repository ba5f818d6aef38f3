/** Real local-engine parts for vault tests: the lead's memory/file stores and tenant keyring. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProviders } from '../../src/runtime/node.js';
import type { LocalContext } from '../../src/local/context.js';
import { createTenantKeyring } from '../../src/local/keyring.js';
import { FileStore } from '../../src/local/stores/file.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import type { RecordStore } from '../../src/local/stores/types.js';

export const makeContext = (
  store: RecordStore = new MemoryStore(),
  tenant = 'tenant-a',
  dataKey: Uint8Array = defaultProviders.random.randomBytes(32),
  now: () => Date = () => new Date(),
): LocalContext => ({
  tenant,
  store,
  keyring: createTenantKeyring(defaultProviders, tenant, dataKey),
  providers: defaultProviders,
  now,
});

export const withFileStore = async <T>(fn: (store: FileStore, dir: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), 'qapi-vault-'));
  const store = new FileStore({ path: dir });
  await store.open();
  try {
    return await fn(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
};

/** Rejects with a QuantumApiError-like object; returns it for further checks. */
export const errorOf = async (
  p: Promise<unknown> | (() => unknown),
): Promise<{ code: string; message: string } & Error> => {
  try {
    if (typeof p === 'function') await p();
    else await p;
  } catch (e) {
    return e as { code: string; message: string } & Error;
  }
  throw new Error('expected a rejection');
};
