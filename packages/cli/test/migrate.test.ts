import { FieldEngine, QuantumApiClient } from '@quantumapi/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backfill,
  decryptColumns,
  indexLookupValues,
  migrationStatus,
  PgDataKeyDirectory,
  reindex,
  rotate,
  type TableSpec,
  tableFromPrismaManifest,
} from '../src/index.js';
import { resolveTable } from '../src/migrate/spec.js';
import { createTestDatabase, seedUsers, type TestDatabase } from './db.js';

const ROWS = 1_200;
const spec: TableSpec = {
  table: 'users',
  primaryKey: 'id',
  columns: {
    email: { type: 'string', index: 'email_hash' },
    age: { type: 'number' },
    born: { type: 'date' },
    profile: { type: 'json' },
  },
};

describe('migration engine on PostgreSQL', () => {
  let db: TestDatabase;
  let client: QuantumApiClient;
  let reader: FieldEngine;
  const originals = new Map<number, Record<string, unknown>>();

  const snapshot = async () =>
    (await db.pool.query('SELECT id, email, email_hash, age, born, profile FROM users ORDER BY id')).rows as {
      id: number;
      email: string | null;
      email_hash: string | null;
      age: string;
      born: string;
      profile: string;
    }[];

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_mig');
    await seedUsers(db.pool, ROWS);
    for (const r of await snapshot()) originals.set(r.id, r);
    client = new QuantumApiClient({ local: { store: 'memory' } });
    // What an adapter does on read: the same directory table, the same (table, column) locations.
    reader = new FieldEngine({ backend: client.backend.encryption, directory: new PgDataKeyDirectory(db.pool) });
  });

  afterAll(async () => {
    reader?.close();
    await client?.close();
    await db?.drop();
  });

  const expectAllDecrypt = async () => {
    for (const r of await snapshot()) {
      const o = originals.get(r.id)!;
      if (o.email === null) expect(r.email).toBeNull();
      else expect(await reader.decrypt(r.email!, 'string', { table: 'users', column: 'email' })).toBe(o.email);
      expect(await reader.decrypt(r.age, 'number', { table: 'users', column: 'age' })).toBe(Number(o.age));
      expect((await reader.decrypt(r.born, 'date', { table: 'users', column: 'born' })).toISOString()).toBe(o.born);
      expect(await reader.decrypt(r.profile, 'json', { table: 'users', column: 'profile' })).toEqual(
        JSON.parse(o.profile as string),
      );
    }
  };

  it('a dry run reports what a backfill would change and writes nothing', async () => {
    const r = await backfill({ pool: db.pool, table: spec, keys: client, dryRun: true, batchSize: 250 });
    expect(r).toMatchObject({ status: 'done', dryRun: true, rowsSeen: ROWS, rowsChanged: ROWS });
    expect(r.changedByColumn['email']).toBe(ROWS - Math.floor(ROWS / 97));
    expect(r.changedByColumn['email_hash']).toBe(ROWS - Math.floor(ROWS / 97));
    const tables = await db.pool.query(
      `SELECT to_regclass('quantumapi_migrations') AS m, to_regclass('quantumapi_data_keys') AS k`,
    );
    expect(tables.rows[0]).toEqual({ m: null, k: null });
    expect((await snapshot()).map((r) => r.email)).toEqual([...originals.values()].map((o) => o.email));
  });

  it('an aborted backfill stops after a committed batch and the rerun finishes the rest', async () => {
    const ac = new AbortController();
    const progress: number[] = [];
    const first = await backfill({
      pool: db.pool,
      table: spec,
      keys: client,
      batchSize: 100,
      signal: ac.signal,
      onProgress: (p) => {
        progress.push(p.processed);
        if (p.processed >= 300) ac.abort();
      },
    });
    expect(first.status).toBe('aborted');
    expect(first.rowsSeen).toBe(300);
    const rows = await snapshot();
    expect(rows.filter((r) => r.id <= 300).every((r) => r.age.startsWith('qf1.'))).toBe(true);
    expect(rows.filter((r) => r.id > 300).every((r) => !r.age.startsWith('qf1.'))).toBe(true);

    const second = await backfill({ pool: db.pool, table: spec, keys: client, batchSize: 100 });
    expect(second).toMatchObject({ status: 'done', rowsSeen: ROWS - 300, totalSeen: ROWS, totalChanged: ROWS });
    await expectAllDecrypt();
  });

  it('blind indexes are the ones the field engine computes for the original values', async () => {
    const def = { name: 'email_hash', table: 'users', columns: ['email'] };
    for (const r of (await snapshot()).slice(0, 50)) {
      const o = originals.get(r.id)!;
      expect(r.email_hash).toBe(o.email === null ? null : await reader.blindIndex(def, o.email as string));
    }
  });

  it('is idempotent: a finished job is not rerun, and a restarted pass changes nothing', async () => {
    const before = await snapshot();
    expect((await backfill({ pool: db.pool, table: spec, keys: client })).status).toBe('already-done');
    const again = await backfill({ pool: db.pool, table: spec, keys: client, restart: true });
    expect(again).toMatchObject({ status: 'done', rowsSeen: ROWS, rowsChanged: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('rotation re-encrypts every value under the new key version; old and new both decrypt meanwhile', async () => {
    let keyId = '';
    for await (const k of client.encryption.keys.list()) if (k.isDefault && k.algorithm === 'ML-KEM-768') keyId = k.id;
    const rotated = await client.encryption.keys.rotate(keyId);
    expect(rotated.currentVersion).toBe(2);

    const ac = new AbortController();
    const half = await rotate({
      pool: db.pool,
      table: spec,
      keys: client,
      batchSize: 200,
      signal: ac.signal,
      onProgress: (p) => p.processed >= 600 && ac.abort(),
    });
    expect(half.status).toBe('aborted');
    await expectAllDecrypt(); // half v1, half v2

    const rest = await rotate({ pool: db.pool, table: spec, keys: client, batchSize: 200 });
    expect(rest.status).toBe('done');
    expect(rest.totalChanged).toBe(ROWS);
    const keys = await db.pool.query(
      `SELECT DISTINCT k.key_version FROM users u JOIN quantumapi_data_keys k ON k.id = split_part(u.age, '.', 3)`,
    );
    expect(keys.rows).toEqual([{ key_version: 2 }]);
    await expectAllDecrypt();
    // Same target, new pass: nothing left to rotate.
    expect((await rotate({ pool: db.pool, table: spec, keys: client, restart: true })).rowsChanged).toBe(0);
  });

  it('re-index moves every blind index to the new version; lookups match old and new meanwhile', async () => {
    const v2: TableSpec = {
      ...spec,
      columns: {
        ...spec.columns,
        email: { type: 'string', index: { name: 'email_hash', version: 2, previousVersions: [1] } },
      },
    };
    const email = originals.get(1000)!.email as string;
    const lookup = async () => {
      const hashes = await indexLookupValues(reader, v2, 'email', email);
      return (await db.pool.query('SELECT id FROM users WHERE email_hash = ANY($1)', [hashes])).rows;
    };
    expect(await lookup()).toEqual([{ id: 1000 }]);
    const ac = new AbortController();
    await reindex({
      pool: db.pool,
      table: v2,
      keys: client,
      batchSize: 300,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    expect(await lookup()).toEqual([{ id: 1000 }]); // row 1000 still on v1
    const done = await reindex({ pool: db.pool, table: v2, keys: client, batchSize: 300 });
    expect(done.totalChanged).toBe(ROWS - Math.floor(ROWS / 97));
    expect(await lookup()).toEqual([{ id: 1000 }]);
    const def2 = { name: 'email_hash', table: 'users', columns: ['email'], version: 2 };
    const row = (await db.pool.query('SELECT email_hash FROM users WHERE id = 1000')).rows[0];
    expect(row.email_hash).toBe(await reader.blindIndex(def2, email));
  });

  it('status counts encrypted and plaintext values and lists the jobs', async () => {
    const s = await migrationStatus({ pool: db.pool, table: spec });
    expect(s.columns['email']).toEqual({ encrypted: ROWS - 12, plaintext: 0, null: 12 });
    expect(s.jobs.map((j) => [j.operation, j.status])).toEqual([
      ['backfill', 'done'],
      ['rotate', 'done'],
      ['reindex', 'done'],
    ]);
  });

  it('decryptColumns restores the original plaintext', async () => {
    const r = await decryptColumns({ pool: db.pool, table: spec, keys: client, batchSize: 500 });
    expect(r.status).toBe('done');
    const rows = await snapshot();
    for (const row of rows) {
      const o = originals.get(row.id)!;
      expect(row.email).toBe(o.email);
      expect(row.age).toBe(o.age);
      expect(row.born).toBe(o.born);
      expect(JSON.parse(row.profile)).toEqual(JSON.parse(o.profile as string));
    }
  });

  it('accepts a Prisma encryption manifest model as the table description', () => {
    const t = tableFromPrismaManifest(
      {
        version: 1,
        models: {
          User: { table: 'users', fields: { email: { index: 'email_hash' }, dob: { type: 'date', column: 'born' } } },
        },
      },
      'User',
      { primaryKey: 'id' },
    );
    expect(t).toEqual({
      table: 'users',
      aadTable: 'users',
      primaryKey: 'id',
      columns: { email: { index: 'email_hash' }, born: { type: 'date' } },
    });
  });

  it('takes a unique, re-keyed index from a generated Prisma manifest (the adapter-only `unique` is dropped)', () => {
    const t = tableFromPrismaManifest(
      {
        version: 1,
        models: {
          User: {
            table: 'users',
            fields: { email: { index: { name: 'email_hash', unique: true, version: 2, previousVersions: [1] } } },
          },
        },
      },
      'User',
      { primaryKey: 'id' },
    );
    expect(t.columns).toEqual({ email: { index: { name: 'email_hash', version: 2, previousVersions: [1] } } });
    const resolved = resolveTable(t);
    expect(resolved.columns.map((c) => [c.column, c.previousIndexVersions])).toEqual([['email', [1]]]);
  });

  it('rotation stops on a value that is not a field ciphertext, and writes nothing for its batch', async () => {
    await seedUsers(db.pool, 20, 'users_bad');
    const small: TableSpec = { ...spec, table: 'users_bad' };
    expect((await backfill({ pool: db.pool, table: small, keys: client })).status).toBe('done');
    await db.pool.query(`UPDATE users_bad SET age = 'qf1.!!!!!!!!!!!!!!!!.garbage' WHERE id = 5`);
    const before = await db.pool.query('SELECT id, email, age FROM users_bad ORDER BY id');
    // A new key version makes every value stale, so the batch holding row 5 is planned for rewriting.
    await client.encryption.keys.rotate((await client.encryption.encrypt('x')).keyId);
    await expect(rotate({ pool: db.pool, table: small, keys: client })).rejects.toMatchObject({
      code: 'INVALID_CIPHERTEXT',
    });
    expect((await db.pool.query('SELECT id, email, age FROM users_bad ORDER BY id')).rows).toEqual(before.rows);
  });

  it('rejects a spec naming a missing column before touching any row', async () => {
    await expect(
      backfill({ pool: db.pool, table: { table: 'users', primaryKey: 'id', columns: { nope: {} } }, keys: client }),
    ).rejects.toMatchObject({ code: 'FIELD_CONFIG' });
  });
});
