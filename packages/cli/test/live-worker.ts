/**
 * A separate application process for the live-migration test: it reads random rows (decrypting
 * them), looks rows up by email through the blind index (old and new index versions), and updates
 * emails, until stdin closes. It prints one JSON line of counters; any failed read is recorded.
 */
import { randomInt } from 'node:crypto';
import { FieldEngine, PostgresStore, QuantumApiClient } from '@quantumapi/sdk';
import pg from 'pg';
import { indexLookupValues, PgDataKeyDirectory, type TableSpec } from '../src/index.js';

const [url, masterKey, rowsArg] = process.argv.slice(2) as [string, string, string];
const ROWS = Number(rowsArg);
const pool = new pg.Pool({ connectionString: url, max: 2 });
const client = new QuantumApiClient({ local: { store: new PostgresStore({ pool, schema: 'qapi_keys' }), masterKey } });
// The application's view while a re-index runs: new writes use version 2, lookups also try version 1.
const spec: TableSpec = {
  table: 'users',
  primaryKey: 'id',
  columns: { email: { index: { name: 'email_hash', version: 2, previousVersions: [1] } } },
};
const engine = new FieldEngine({
  backend: client.backend.encryption,
  directory: new PgDataKeyDirectory(pool),
  cache: { maxAgeMs: 200 }, // pick up the rotated key version quickly, as a short-lived cache would
});
const loc = { table: 'users', column: 'email' };
const expected = new Map<number, string>();
/** Lookups that found their row under the new index version, and under the old one. */
const stats = {
  reads: 0,
  lookups: 0,
  foundUnderNew: 0,
  foundUnderOld: 0,
  writes: 0,
  failures: 0,
  errors: [] as string[],
};
let stop = false;
process.stdin.on('end', () => {
  stop = true;
});
process.stdin.resume();

const fail = (what: string, e?: unknown) => {
  stats.failures++;
  if (stats.errors.length < 5) stats.errors.push(`${what}: ${(e as Error)?.message ?? ''}`);
};

while (!stop) {
  const id = randomInt(1, ROWS + 1);
  if (id % 97 === 0) continue;
  try {
    const row = (await pool.query('SELECT email FROM users WHERE id = $1', [id])).rows[0];
    const email = await engine.decrypt(row.email, 'string', loc);
    const want = expected.get(id) ?? `User.${id}@Example.com `;
    if (email !== want) fail(`read ${id}`);
    stats.reads++;
    const hashes = await indexLookupValues(engine, spec, 'email', want); // [version 2, version 1]
    const found = (await pool.query('SELECT id, email_hash FROM users WHERE email_hash = ANY($1)', [hashes])).rows;
    if (found.length !== 1 || found[0].id !== id) fail(`lookup ${id}`);
    else if (found[0].email_hash === hashes[0]) stats.foundUnderNew++;
    else stats.foundUnderOld++;
    stats.lookups++;
    if (stats.reads % 5 === 0) {
      const next = `changed.${id}.${stats.writes}@example.com`;
      const [ct] = await engine.encryptMany([{ value: next, location: loc }]);
      const [h] = await indexLookupValues(engine, spec, 'email', next);
      await pool.query('UPDATE users SET email = $2, email_hash = $3 WHERE id = $1', [id, ct, h]);
      expected.set(id, next);
      stats.writes++;
    }
  } catch (e) {
    fail(`row ${id}`, e);
  }
}
engine.close();
await client.close();
await pool.end();
process.stdout.write(`${JSON.stringify(stats)}\n`);
