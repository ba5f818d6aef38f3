/**
 * Field engine vs a bare node:crypto loop doing the same crypto (AES-256-GCM seal with AAD + one
 * HMAC-SHA3-256), per encrypted column with a blind index. The engine adds: typed encoding, the
 * AAD framing, the qf1 string, base64url and hex. Keys are set up once, before timing.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { nobleMac } from '../../src/crypto/noble-provider.js';
import { MemoryDataKeyDirectory } from '../../src/fields/data-key-directory.js';
import { FieldEngine } from '../../src/fields/engine.js';
import { createLocalBackend } from '../../src/local/engine.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { defaultProviders, nodeAead, nodeRandom } from '../../src/runtime/node.js';
import { defineSection } from '../lib/types.js';

const backend = createLocalBackend({
  store: new MemoryStore(),
  masterKey: defaultProviders.random.randomBytes(32),
  providers: defaultProviders,
});
await backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
// The engine's MAC comes from the runtime's provider set: node:crypto's SHA3 in Node (the
// default), noble in browsers; both are measured here.
const engines = {
  'engine, node HMAC': new FieldEngine({
    backend: backend.encryption,
    directory: new MemoryDataKeyDirectory(),
    cache: { maxUses: 2 ** 31 },
  }),
  'engine, noble HMAC': new FieldEngine({
    backend: backend.encryption,
    directory: new MemoryDataKeyDirectory(),
    providers: { aead: nodeAead, random: nodeRandom, mac: nobleMac },
    cache: { maxUses: 2 ** 31 },
  }),
};
const def = { name: 'emailHash', table: 'User', columns: ['email'] };
const loc = { table: 'User', column: 'email' };
const prepared = await Promise.all(
  Object.entries(engines).map(async ([name, e]) => ({
    name,
    sealer: await e.sealer(2 ** 31), // one key for the whole run: the cache policy is not what is measured
    index: await e.indexer(def),
  })),
);

const EMAIL = 'jane.doe.1987@examplemail.com';

export default defineSection({
  id: 'fields',
  title: 'Field engine (one encrypted, indexed column)',
  description:
    'A 29-character email: encrypt to a qf1 field ciphertext and compute its HMAC-SHA3-256 blind index, ' +
    'against a bare node:crypto loop doing AES-256-GCM (random nonce, AAD) + HMAC-SHA3-256 on raw bytes. ' +
    'Target: engine >= 0.8x the bare loop.',
  cases() {
    const key = randomBytes(32);
    const macKey = randomBytes(32);
    const aad = randomBytes(40);
    const pt = Buffer.from(EMAIL);
    const bare = () => {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12)).setAAD(aad);
      c.update(pt);
      c.final();
      c.getAuthTag();
      return createHmac('sha3-256', macKey).update(pt).digest();
    };
    const bareAes = () => {
      const c = createCipheriv('aes-256-gcm', key, randomBytes(12)).setAAD(aad);
      c.update(pt);
      c.final();
      return c.getAuthTag();
    };
    return [
      { operation: 'encrypt + index', provider: 'bare node:crypto', run: bare },
      ...prepared.map((p) => ({
        operation: 'encrypt + index',
        provider: p.name,
        run: () => [p.sealer.encrypt(EMAIL, loc), p.index(EMAIL)],
      })),
      { operation: 'encrypt', provider: 'bare node:crypto', run: bareAes },
      { operation: 'encrypt', provider: 'engine', run: () => prepared[0]!.sealer.encrypt(EMAIL, loc) },
      { operation: 'blind index', provider: 'engine, node HMAC', run: () => prepared[0]!.index(EMAIL) },
      { operation: 'blind index', provider: 'engine, noble HMAC', run: () => prepared[1]!.index(EMAIL) },
    ];
  },
});
