/**
 * Bulk field crypto: 1,000 short fields (30-byte emails, 40-byte AAD) sealed or opened under one
 * data key, one AES-256-GCM cipher object per field (node:crypto, the per-field path) against the
 * field engine's batched GCM (one raw AES call for the batch's counter blocks, GHASH on a per-key
 * table with the AAD's GHASH state cached). Same bytes either way (test/fields/batch-gcm.test.ts).
 */
import { nobleBlockCipher } from '../../src/crypto/noble-provider.js';
import { BatchGcm } from '../../src/crypto/batch-gcm.js';
import { nodeAead, nodeBlockCipher } from '../../src/runtime/node.js';
import { defineSection } from '../lib/types.js';

const FIELDS = 1000;

export default defineSection({
  id: 'fields-bulk',
  title: 'Field engine, bulk (1,000 fields per call)',
  description:
    `${FIELDS} 30-byte values with a 40-byte AAD under one data key: AES-256-GCM through one node:crypto cipher ` +
    'object per field, against the batched GCM of encryptMany / decryptMany over the node and noble block ciphers. ' +
    'One operation = the whole batch.',
  cases(env) {
    const key = env.random.randomBytes(32);
    const aad = env.random.randomBytes(40);
    const items = Array.from({ length: FIELDS }, () => ({
      nonce: env.random.randomBytes(12),
      plaintext: env.random.randomBytes(30),
      aad,
    }));
    const batched = {
      node: new BatchGcm(nodeBlockCipher, key),
      noble: new BatchGcm(nobleBlockCipher, key),
    };
    const sealed = batched.node.sealMany(items);
    const opens = items.map((it, i) => ({ nonce: it.nonce, aad, sealed: sealed[i]! }));
    return [
      {
        operation: `seal ${FIELDS} fields`,
        provider: 'node, cipher object per field',
        run: () => items.map((it) => nodeAead.seal(key, it.nonce, it.plaintext, it.aad)),
      },
      {
        operation: `seal ${FIELDS} fields`,
        provider: 'batched GCM, node AES',
        run: () => batched.node.sealMany(items),
      },
      {
        operation: `seal ${FIELDS} fields`,
        provider: 'batched GCM, noble AES',
        run: () => batched.noble.sealMany(items),
      },
      {
        operation: `open ${FIELDS} fields`,
        provider: 'node, cipher object per field',
        run: () => opens.map((o) => nodeAead.open(key, o.nonce, o.sealed, o.aad)),
      },
      {
        operation: `open ${FIELDS} fields`,
        provider: 'batched GCM, node AES',
        run: () => batched.node.openMany(opens),
      },
      {
        operation: `open ${FIELDS} fields`,
        provider: 'batched GCM, noble AES',
        run: () => batched.noble.openMany(opens),
      },
    ];
  },
});
