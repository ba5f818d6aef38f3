/**
 * The RecordStore contract, run against every store: what the engine relies on (revisions,
 * compare-and-set, tenant scoping, ordered keyset listing) holds on each of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, StoreUnavailableError } from '../../src/errors.js';
import { FileStore } from '../../src/local/stores/file.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { PostgresStore } from '../../src/local/stores/postgres.js';
import type { RecordStore } from '../../src/local/stores/types.js';
import { freshSchema, TEST_DATABASE_URL } from './pg.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const factories: [string, () => Promise<RecordStore>][] = [
  ['memory', async () => new MemoryStore()],
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qapi-store-'));
      const s = new FileStore({ path: dir });
      cleanups.push(async () => {
        await s.close();
        await rm(dir, { recursive: true, force: true });
      });
      return s;
    },
  ],
  [
    'postgres',
    async () => {
      const schema = await freshSchema('qapi_store');
      const s = new PostgresStore({ pool: schema.pool, schema: schema.name });
      cleanups.push(() => schema.drop());
      return s;
    },
  ],
];

describe.each(factories)('RecordStore contract: %s', (_name, make) => {
  it('inserts at revision 1, replaces with compare-and-set, refuses stale revisions', async () => {
    const s = await make();
    await s.open();
    expect(await s.put('t1', 'c', 'a', { n: 1 }, 0)).toBe(1);
    await expect(s.put('t1', 'c', 'a', { n: 2 }, 0)).rejects.toBeInstanceOf(ConflictError);
    expect(await s.put('t1', 'c', 'a', { n: 2 }, 1)).toBe(2);
    await expect(s.put('t1', 'c', 'a', { n: 3 }, 1)).rejects.toBeInstanceOf(ConflictError);
    await expect(s.put('t1', 'c', 'missing', { n: 3 }, 4)).rejects.toBeInstanceOf(ConflictError);
    expect(await s.get('t1', 'c', 'a')).toEqual({ id: 'a', revision: 2, data: { n: 2 } });
  });

  it('scopes every record by tenant and collection', async () => {
    const s = await make();
    await s.open();
    await s.put('t1', 'c', 'x', { v: 't1' }, 0);
    await s.put('t2', 'c', 'x', { v: 't2' }, 0);
    await s.put('t1', 'd', 'x', { v: 'd' }, 0);
    expect((await s.get<{ v: string }>('t2', 'c', 'x'))?.data.v).toBe('t2');
    expect((await s.list('t1', 'c')).map((r) => r.data)).toEqual([{ v: 't1' }]);
    expect(await s.get('t3', 'c', 'x')).toBeUndefined();
  });

  it('lists in id order with keyset pagination', async () => {
    const s = await make();
    await s.open();
    const ids = ['b', 'a', 'd', 'c', 'A', 'e-1', 'e_2'];
    for (const id of ids) await s.put('t', 'c', id, { id }, 0);
    const sorted = [...ids].sort();
    expect((await s.list('t', 'c')).map((r) => r.id)).toEqual(sorted);
    expect((await s.list('t', 'c', { after: 'b', limit: 2 })).map((r) => r.id)).toEqual(
      sorted.slice(sorted.indexOf('b') + 1, sorted.indexOf('b') + 3),
    );
    expect(await s.list('t', 'c', { after: 'zzz' })).toEqual([]);
  });

  it('deletes, honouring an expected revision', async () => {
    const s = await make();
    await s.open();
    await s.put('t', 'c', 'a', { n: 1 }, 0);
    await expect(s.delete('t', 'c', 'a', 7)).rejects.toBeInstanceOf(ConflictError);
    expect(await s.delete('t', 'c', 'a', 1)).toBe(true);
    expect(await s.delete('t', 'c', 'a')).toBe(false);
    expect(await s.get('t', 'c', 'a')).toBeUndefined();
    // A deleted record can be created again from revision 0.
    expect(await s.put('t', 'c', 'a', { n: 2 }, 0)).toBe(1);
  });

  it('lets exactly one of many concurrent writers win each revision', async () => {
    const s = await make();
    await s.open();
    await s.put('t', 'c', 'hot', { n: 0 }, 0);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.put('t', 'c', 'hot', { n: i }, 1)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
  });
});

describe('PostgresStore specifics', () => {
  it('migrates idempotently when several instances open one schema at once', async () => {
    const schema = await freshSchema('qapi_mig');
    cleanups.push(() => schema.drop());
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ pool: schema.pool, schema: schema.name }));
    await Promise.all(stores.map((s) => s.open()));
    const r = await schema.pool.query(`SELECT count(*)::int AS n FROM "${schema.name}".qapi_migrations`);
    expect(r.rows[0].n).toBe(1);
  });

  it('creates its own pool from a connection string and fails closed when the database is unreachable', async () => {
    const schema = await freshSchema('qapi_own');
    cleanups.push(() => schema.drop());
    const own = new PostgresStore({ connectionString: TEST_DATABASE_URL, schema: schema.name, maxConnections: 2 });
    await own.put('t', 'c', 'a', { ok: true }, 0);
    expect((await own.get('t', 'c', 'a'))?.revision).toBe(1);
    await own.close();
    const down = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none', schema: 'x' });
    await expect(down.open()).rejects.toBeInstanceOf(StoreUnavailableError);
    await down.close();
  });
});
