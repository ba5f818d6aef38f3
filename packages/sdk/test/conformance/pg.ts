/**
 * A real PostgreSQL for tests: a fresh schema per run on QAPI_TEST_DATABASE_URL (default: the local
 * trust-auth server, database `test`), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env['QAPI_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  readonly name: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export const freshSchema = async (label = 'qapi'): Promise<TestSchema> => {
  const name = `${label}_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 8 });
  return {
    name,
    pool,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await pool.end();
    },
  };
};
