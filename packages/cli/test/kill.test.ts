/**
 * The resumability guarantee, shown the hard way: a 50k-row backfill through the real `qapi`
 * binary is SIGKILLed at random points five times, the table is checked after every kill, and a
 * last run completes it. Every row then decrypts to its original value exactly once encrypted.
 */
import { FieldEngine, QuantumApiClient } from '@quantumapi/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDataKeyDirectory } from '../src/index.js';
import { finish, localEnv, qapi, start } from './cli-process.js';
import { createTestDatabase, originalEmail, seedUsers, type TestDatabase } from './db.js';

const ROWS = 50_000;
const KILLS = 5;
const ARGS = [
  'migrate',
  'backfill',
  '--table',
  'users',
  '--column',
  'email',
  '--index',
  'email=email_hash',
  '--column',
  'age:number',
  '--batch-size',
  '250',
  '--quiet',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('backfill killed with SIGKILL at random points', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_kill');
    await seedUsers(db.pool, ROWS);
    env = { ...localEnv(), DATABASE_URL: db.url };
    // The default key exists before the first kill (as in production: keys predate migrations).
    expect((await qapi(['encrypt'], env, 'warm-up')).code).toBe(0);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const checkpoint = async () => {
    const exists = (await db.pool.query(`SELECT to_regclass('quantumapi_migrations') AS t`)).rows[0].t;
    if (!exists) return { cursor: 0, seen: 0 };
    const r = (await db.pool.query('SELECT cursor, rows_seen FROM quantumapi_migrations')).rows[0];
    return r ? { cursor: Number(r.cursor ?? 0), seen: Number(r.rows_seen) } : { cursor: 0, seen: 0 };
  };

  /** Rows up to the cursor are fully encrypted, rows after it untouched: no half-written batch. */
  const expectConsistentAt = async (cursor: number) => {
    const r = (
      await db.pool.query(
        `SELECT
           count(*) FILTER (WHERE id <= $1 AND (age NOT LIKE 'qf1.%' OR (email IS NOT NULL AND (email NOT LIKE 'qf1.%' OR email_hash IS NULL)))) AS bad_before,
           count(*) FILTER (WHERE id > $1 AND (age LIKE 'qf1.%' OR email LIKE 'qf1.%' OR email_hash IS NOT NULL)) AS bad_after
         FROM users`,
        [cursor],
      )
    ).rows[0];
    expect({ before: Number(r.bad_before), after: Number(r.bad_after) }).toEqual({ before: 0, after: 0 });
  };

  it(`survives ${KILLS} kills and completes with every row encrypted exactly once`, async () => {
    const cursors: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = (await checkpoint()).seen;
      const child = start(ARGS, env);
      const done = finish(child);
      // Wait until this run has committed at least one batch, then kill at a random moment.
      const deadline = Date.now() + 30_000;
      while ((await checkpoint()).seen <= before && Date.now() < deadline) await sleep(20);
      await sleep(Math.floor(Math.random() * 250));
      child.kill('SIGKILL');
      const run = await done;
      expect(run.signal).toBe('SIGKILL');
      const cp = await checkpoint();
      expect(cp.seen).toBe(cp.cursor); // ids are 1..N: rows seen == last id committed
      await expectConsistentAt(cp.cursor);
      cursors.push(cp.cursor);
    }
    expect(cursors[cursors.length - 1]).toBeLessThan(ROWS); // the kills really happened mid-run
    expect(new Set(cursors).size).toBe(KILLS);

    const last = await qapi([...ARGS, '--output', 'json'], env);
    expect(last.code).toBe(0);
    const result = JSON.parse(last.stdout.toString('utf8'));
    expect(result).toMatchObject({ status: 'done', totalSeen: ROWS, totalChanged: ROWS });

    // Every row: decrypts (once) to its original value; the index matches.
    const client = new QuantumApiClient({
      local: { store: 'file', path: env['QAPI_STORE_PATH']!, masterKey: env['QAPI_MASTER_KEY']! },
    });
    const reader = new FieldEngine({ backend: client.backend.encryption, directory: new PgDataKeyDirectory(db.pool) });
    try {
      const rows = (await db.pool.query('SELECT id, email, email_hash, age FROM users ORDER BY id')).rows as {
        id: number;
        email: string | null;
        email_hash: string | null;
        age: string;
      }[];
      expect(rows).toHaveLength(ROWS);
      const ages = await reader.decryptMany(
        rows.map((r) => ({ ciphertext: r.age, type: 'number' as const, location: { table: 'users', column: 'age' } })),
      );
      expect(ages).toEqual(rows.map((r) => r.id % 90));
      const withEmail = rows.filter((r) => r.email !== null);
      expect(withEmail).toHaveLength(ROWS - Math.floor(ROWS / 97));
      const emails = await reader.decryptMany(
        withEmail.map((r) => ({
          ciphertext: r.email!,
          type: 'string' as const,
          location: { table: 'users', column: 'email' },
        })),
      );
      const def = { name: 'email_hash', table: 'users', columns: ['email'] };
      const hashes = await reader.blindIndexMany(def, emails);
      withEmail.forEach((r, i) => {
        // Equal to the original, so not a ciphertext of a ciphertext.
        expect(emails[i]).toBe(originalEmail(r.id));
        expect(r.email_hash).toBe(hashes[i]);
      });
    } finally {
      reader.close();
      await client.close();
    }
  });
});
