/** Real local backend (memory store) for field-engine tests, with call counters around it. */
import { createHmac } from 'node:crypto';
import type { EncryptionBackend } from '../../src/backend/types.js';
import { FieldEngine, type FieldEngineOptions } from '../../src/fields/engine.js';
import { MemoryDataKeyDirectory } from '../../src/fields/data-key-directory.js';
import { createLocalBackend } from '../../src/local/engine.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { defaultProviders } from '../../src/runtime/node.js';

export interface CountingBackend {
  readonly generateDataKey: EncryptionBackend['generateDataKey'];
  readonly unwrapKey: EncryptionBackend['unwrapKey'];
  readonly calls: { generateDataKey: number; unwrapKey: number };
}

export const localBackend = async (): Promise<CountingBackend> => {
  const backend = createLocalBackend({
    store: new MemoryStore(),
    masterKey: defaultProviders.random.randomBytes(32),
    providers: defaultProviders,
  });
  await backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  const calls = { generateDataKey: 0, unwrapKey: 0 };
  return {
    calls,
    generateDataKey: (input) => {
      calls.generateDataKey++;
      return backend.encryption.generateDataKey(input);
    },
    unwrapKey: (w) => {
      calls.unwrapKey++;
      return backend.encryption.unwrapKey(w);
    },
  };
};

export const makeEngine = async (
  extra: Partial<FieldEngineOptions> = {},
): Promise<{ engine: FieldEngine; backend: CountingBackend; directory: MemoryDataKeyDirectory }> => {
  const backend = await localBackend();
  const directory = new MemoryDataKeyDirectory();
  const engine = new FieldEngine({ backend, directory, ...extra });
  return { engine, backend, directory };
};

/**
 * An engine whose MAC provider counts how often it is keyed: one keying is one blind-index key
 * derivation, which the engine must not repeat for an index it already resolved.
 */
export const makeKeyCountingEngine = async (): Promise<{ engine: FieldEngine; keyings: () => number }> => {
  let keyings = 0;
  const mac = {
    name: 'counting',
    hmacSha3_256: (key: Uint8Array) => {
      keyings++;
      return (m: Uint8Array) => new Uint8Array(createHmac('sha3-256', key).update(m).digest());
    },
  };
  const { engine } = await makeEngine({ providers: { ...defaultProviders, mac } });
  return { engine, keyings: () => keyings };
};

export const errorOf = async (fn: () => unknown): Promise<{ code: string; message: string; name: string }> => {
  try {
    await fn();
  } catch (e) {
    return e as { code: string; message: string; name: string };
  }
  throw new Error('expected a rejection');
};
