/**
 * Several processes on one PostgreSQL: concurrent rotations of one key through two independent
 * store instances (two pools, as two processes would have) never lose a version.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalBackend } from '../../src/local/engine.js';
import { PostgresStore } from '../../src/local/stores/postgres.js';
import { defaultProviders } from '../../src/runtime/node.js';
import { freshSchema, TEST_DATABASE_URL, type TestSchema } from './pg.js';

const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.drop();
});

describe('PostgresStore under concurrent writers', () => {
  it('keeps every version when N rotations race across two store instances', async () => {
    const schema = await freshSchema('qapi_race');
    schemas.push(schema);
    const masterKey = randomBytes(32);
    const pools = [
      new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 }),
      new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 4 }),
    ];
    const backends = pools.map((pool) =>
      createLocalBackend({
        store: new PostgresStore({ pool, schema: schema.name }),
        masterKey,
        providers: defaultProviders,
        tenant: 'race',
      }),
    );
    try {
      await Promise.all(backends.map((b) => b.ready()));
      const [a, b] = backends as [(typeof backends)[0], (typeof backends)[0]];
      const key = await a.encryption.createKey({ algorithm: 'ML-KEM-768' });
      const N = 12;
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) => (i % 2 === 0 ? a : b).encryption.rotateKey(key.id)),
      );
      // Each rotation saw a distinct version: none overwrote another.
      expect(new Set(results.map((r) => r.currentVersion)).size).toBe(N);
      const final = await b.encryption.getKey(key.id);
      expect(final.currentVersion).toBe(N + 1);
      expect(final.versions.map((v) => v.version)).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
      // Every version's key material is intact and usable from the other instance.
      const p = await a.encryption.encrypt({ plaintext: new Uint8Array([7]), encoding: 'base64', keyId: key.id });
      expect(p.keyVersion).toBe(N + 1);
      expect((await b.encryption.decrypt({ payload: p.payload })).plaintext).toEqual(new Uint8Array([7]));
    } finally {
      for (const be of backends) await be.close();
      for (const pool of pools) await pool.end();
    }
  });
});
