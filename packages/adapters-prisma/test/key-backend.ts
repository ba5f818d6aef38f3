/** The embedded local engine over a memory store, with a default ML-KEM-768 key: the key backend of the tests and benches. */
import { createLocalBackend } from '../../sdk/src/local/engine.js';
import { MemoryStore } from '../../sdk/src/local/stores/memory.js';
import { defaultProviders } from '../../sdk/src/runtime/node.js';

export const localEncryption = async () => {
  const local = createLocalBackend({
    store: new MemoryStore(),
    masterKey: defaultProviders.random.randomBytes(32),
    providers: defaultProviders,
  });
  await local.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  return local.encryption;
};
