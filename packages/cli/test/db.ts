/** A throwaway PostgreSQL database per test file (127.0.0.1:5432, trust auth). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env['QAPI_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export const createTestDatabase = async (prefix: string): Promise<TestDatabase> => {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      // pool.end() resolves once its clients are asked to close, not once their backends are gone:
      // FORCE on a backend still closing sends its client a FATAL that nobody listens for any more
      // (an unhandled error that fails the run). So wait for them to leave first; FORCE stays for
      // anything left behind by a failed test.
      for (let i = 0; i < 100; i++) {
        const r = await a.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if ((r.rows[0] as { n: number }).n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
};

/** Fills `users(id, email, email_hash, age, born, profile)` with deterministic plaintext rows. */
export const seedUsers = async (pool: pg.Pool, count: number, table = 'users'): Promise<void> => {
  await pool.query(`CREATE TABLE ${table} (
    id integer PRIMARY KEY, email text, email_hash text, age text, born text, profile text)`);
  const chunk = 5_000;
  for (let start = 1; start <= count; start += chunk) {
    const end = Math.min(count, start + chunk - 1);
    await pool.query(
      `INSERT INTO ${table} (id, email, age, born, profile)
       SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE 'User.' || i || '@Example.com ' END, (i % 90)::text,
              to_char(timestamp '1980-01-01' + i * interval '1 day', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              json_build_object('n', i, 'tags', json_build_array('a', i % 3))::text
       FROM generate_series($1::int, $2::int) AS i`,
      [start, end],
    );
  }
};

export const originalEmail = (id: number): string | null => (id % 97 === 0 ? null : `User.${id}@Example.com `);
