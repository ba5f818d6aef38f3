/**
 * Migration errors name a row without leaking its primary key when the key may be personal data:
 * integer and UUID keys are shown, anything else is withheld and the row is given by position.
 */
import { describe, expect, it } from 'vitest';
import { fromColumn } from '../src/migrate/column-values.js';
import { batchRowNamer, showableRowKey } from '../src/migrate/row-ref.js';

const UUID = '0b7c1f5e-3a2d-4c8e-9f10-2b3c4d5e6f70';

const errorOf = (fn: () => unknown): { code: string; message: string; details: Record<string, unknown> } => {
  try {
    fn();
  } catch (e) {
    return e as never;
  }
  throw new Error('expected a throw');
};

describe('showableRowKey', () => {
  it.each([
    ['integer', '42'],
    ['bigint', '-9007199254740993'],
    ['smallint', '7'],
    ['uuid', UUID],
    ['uuid', UUID.toUpperCase()],
  ])('shows a %s key %s', (type, key) => {
    expect(showableRowKey(type, key)).toBe(true);
  });

  it.each([
    ['text', 'alice@example.com'],
    ['character varying(255)', 'alice@example.com'],
    // Digits in a text column may be a phone number or a national id.
    ['text', '34600123456'],
    ['text', UUID],
    ['numeric', '42'],
    ['citext', 'Alice@Example.com'],
    // A value that does not look like its column's type is not shown either.
    ['integer', 'alice@example.com'],
    ['uuid', 'not-a-uuid'],
  ])('withholds a %s key %s', (type, key) => {
    expect(showableRowKey(type, key)).toBe(false);
  });
});

describe('malformed-value errors', () => {
  const keys = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

  it('never carry an email key: position after the job cursor instead, in message and details', () => {
    const rows = batchRowNamer({
      keyType: 'text',
      keys,
      after: 'job-cursor',
      firstPosition: 1,
      jobId: 'backfill:users:age',
    });
    const e = errorOf(() => fromColumn('not a number', 'number', { table: 'users', column: 'age', row: 1, rows }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe("users.age (row #2 after the job's cursor, key withheld) does not hold a valid number");
    expect(e.details).toEqual({
      table: 'users',
      column: 'age',
      type: 'number',
      rowKeyWithheld: true,
      rowPosition: 2,
      rowsAfter: 'job-cursor',
      jobId: 'backfill:users:age',
    });
    const all = JSON.stringify({ message: e.message, details: e.details });
    for (const k of keys) expect(all).not.toContain(k);
    expect(all).not.toMatch(/example\.com|not a number/);
  });

  it('count on from the first position given (a dry run that read earlier batches)', () => {
    const rows = batchRowNamer({ keyType: 'text', keys, after: 'table-start', firstPosition: 501, jobId: 'j' });
    const e = errorOf(() => fromColumn('x', 'date', { table: 'users', column: 'born', row: 2, rows }));
    expect(e.message).toBe(
      'users.born (row #503 from the start of the table, key withheld) does not hold a valid date',
    );
    expect(e.details).toMatchObject({ rowPosition: 503, rowsAfter: 'table-start' });
  });

  it('still name an integer or UUID key, so the operator can go straight to the row', () => {
    const ints = batchRowNamer({
      keyType: 'integer',
      keys: ['10', '11'],
      after: 'job-cursor',
      firstPosition: 1,
      jobId: 'j',
    });
    const e = errorOf(() => fromColumn('x', 'boolean', { table: 'users', column: 'active', row: 1, rows: ints }));
    expect(e.message).toBe('users.active (row 11) does not hold a valid boolean');
    expect(e.details).toEqual({ table: 'users', column: 'active', rowKey: '11', type: 'boolean' });
    const uuids = batchRowNamer({ keyType: 'uuid', keys: [UUID], after: 'table-start', firstPosition: 1, jobId: 'j' });
    const u = errorOf(() => fromColumn('x', 'bigint', { table: 'users', column: 'n', row: 0, rows: uuids }));
    expect(u.message).toContain(`(row ${UUID})`);
    expect(u.details).toMatchObject({ rowKey: UUID });
  });
});
