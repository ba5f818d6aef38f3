/**
 * A primary key can be an email. A migration that stops on a malformed value must not put such a
 * key in its error (message or details), yet must leave the operator a way to the row: its
 * position after the job's checkpoint cursor, which this test follows back to the row.
 */
import { QuantumApiClient } from '@quantumapi/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, reindex, type TableSpec } from '../src/index.js';
import { createTestDatabase, seedUsers, type TestDatabase } from './db.js';

const emails = Array.from({ length: 30 }, (_, i) => `person.${String(i).padStart(2, '0')}@example.com`);
const VICTIM = 'person.23@example.com';

const errorOf = async (
  p: Promise<unknown>,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> => {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a rejection');
};

describe('migration errors and personal-data primary keys', () => {
  let db: TestDatabase;
  let client: QuantumApiClient;
  const people: TableSpec = { table: 'people', primaryKey: 'email', columns: { age: { type: 'number' } } };

  /** The row an error points at, found the way row-ref.ts documents. */
  const rowAt = async (d: Record<string, unknown>): Promise<string> => {
    const after =
      d['rowsAfter'] === 'job-cursor'
        ? (
            (await db.pool.query('SELECT cursor FROM quantumapi_migrations WHERE id = $1', [d['jobId']])).rows[0] as {
              cursor: string;
            }
          ).cursor
        : null;
    const r = await db.pool.query(
      `SELECT email FROM people ${after === null ? '' : 'WHERE email > $2'} ORDER BY email OFFSET $1 LIMIT 1`,
      after === null ? [Number(d['rowPosition']) - 1] : [Number(d['rowPosition']) - 1, after],
    );
    return (r.rows[0] as { email: string }).email;
  };

  const expectNoKey = (e: { message: string; details: Record<string, unknown> }) => {
    const all = `${e.message} ${JSON.stringify(e.details)}`;
    for (const k of emails) expect(all).not.toContain(k);
    expect(all).not.toContain('example.com');
  };

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_pii');
    client = new QuantumApiClient({ local: { store: 'memory' } });
    await db.pool.query('CREATE TABLE people (email text PRIMARY KEY, age text, email_hash text)');
    for (const [i, e] of emails.entries()) {
      await db.pool.query('INSERT INTO people (email, age) VALUES ($1, $2)', [e, e === VICTIM ? 'forty' : String(i)]);
    }
  });

  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  it('a backfill names the row by position after the job cursor, never by its email key', async () => {
    const e = await errorOf(backfill({ pool: db.pool, table: people, keys: client, batchSize: 10 }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe("people.age (row #4 after the job's cursor, key withheld) does not hold a valid number");
    expect(e.details).toMatchObject({ rowKeyWithheld: true, rowPosition: 4, rowsAfter: 'job-cursor' });
    expect(e.details).not.toHaveProperty('rowKey');
    expectNoKey(e);
    // Two batches committed before the third stopped: the position leads back to the right row.
    expect(await rowAt(e.details)).toBe(VICTIM);
  });

  it('a dry run counts on from where it started, and leads to the same row', async () => {
    const e = await errorOf(backfill({ pool: db.pool, table: people, keys: client, batchSize: 2, dryRun: true }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toMatchObject({ rowPosition: 4, rowsAfter: 'job-cursor' });
    expectNoKey(e);
    expect(await rowAt(e.details)).toBe(VICTIM);
    // Another job over the same table (one more column): no checkpoint yet, so from the table's start.
    const wider: TableSpec = { ...people, columns: { ...people.columns, email_hash: {} } };
    const fresh = await errorOf(backfill({ pool: db.pool, table: wider, keys: client, batchSize: 7, dryRun: true }));
    expect(fresh.details).toMatchObject({ rowPosition: 24, rowsAfter: 'table-start' });
    expectNoKey(fresh);
    expect(await rowAt(fresh.details)).toBe(VICTIM);
  });

  it('a re-index reading a plaintext value withholds the key too', async () => {
    const spec: TableSpec = {
      ...people,
      columns: { age: { type: 'number', index: { name: 'email_hash', version: 2 } } },
    };
    const e = await errorOf(reindex({ pool: db.pool, table: spec, keys: client, batchSize: 100 }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toMatchObject({ rowPosition: 24, rowsAfter: 'table-start' });
    expectNoKey(e);
  });

  it('an integer key is still shown', async () => {
    await seedUsers(db.pool, 40, 'members');
    await db.pool.query(`UPDATE members SET age = 'forty' WHERE id = 33`);
    const members: TableSpec = { table: 'members', primaryKey: 'id', columns: { age: { type: 'number' } } };
    const e = await errorOf(backfill({ pool: db.pool, table: members, keys: client, batchSize: 10 }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('members.age (row 33) does not hold a valid number');
    expect(e.details).toEqual({ table: 'members', column: 'age', rowKey: '33', type: 'number' });
  });
});
