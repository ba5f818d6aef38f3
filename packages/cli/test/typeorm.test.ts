/**
 * A TypeORM-mapped table migrated by the cli and read by `@quantumapi/typeorm`: the table spec
 * comes from the entity (`tableFromTypeormEntity`), the backfill encrypts the existing rows, and the
 * adapter decrypts them and finds them through the blind index. Then a re-index stopped halfway:
 * an entity declaring `version: 2, previousVersions: [1]` finds rows under either version with
 * exactly the values `indexLookupValues` computes; one without `previousVersions` finds only the
 * re-indexed rows until the re-index completes.
 */
import 'reflect-metadata';
import { FieldEngine, QuantumApiClient } from '@quantumapi/sdk';
import {
  BlindIndex,
  type BlindIndexOptions,
  Encrypted,
  encryptedWhere,
  type QuantumApiRegistration,
  registerQuantumApi,
} from '@quantumapi/typeorm';
import { Column, DataSource, Entity, In, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, indexLookupValues, PgDataKeyDirectory, reindex } from '../src/index.js';
import { tableFromTypeormEntity } from '../src/typeorm.js';
import { createTestDatabase, originalEmail, seedUsers, type TestDatabase } from './db.js';

const ROWS = 600;

interface User {
  id: number;
  email: string | null;
  emailHash: string | null;
  age: number | null;
  born: Date | null;
  profile: string | null;
}

/**
 * The application's `users` entity (the table `seedUsers` creates), with the blind index declared
 * as `index` says. The decorators are applied as plain calls: this package compiles without
 * `experimentalDecorators`; `@Encrypted()` on a property is the same call.
 */
const userEntity = (index: Omit<BlindIndexOptions, 'of' | 'name'>) => {
  class UserEntity {}
  const p = UserEntity.prototype;
  Entity({ name: 'users' })(UserEntity);
  PrimaryColumn({ type: 'integer' })(p, 'id');
  Encrypted({ nullable: true })(p, 'email');
  BlindIndex({ of: 'email', name: 'email_hash', ...index })(p, 'emailHash');
  Encrypted({ type: 'number', nullable: true })(p, 'age');
  Encrypted({ type: 'date', nullable: true })(p, 'born');
  Column({ type: 'text', nullable: true })(p, 'profile'); // not encrypted: left alone
  return UserEntity as unknown as new () => User;
};

const bornOf = (id: number) => new Date(Date.UTC(1980, 0, 1 + id));

describe('a TypeORM-mapped table: backfill by the cli, reads through the TypeORM adapter', () => {
  let db: TestDatabase;
  let client: QuantumApiClient;
  const sources: DataSource[] = [];
  const regs: QuantumApiRegistration[] = [];

  /** An application process: its own DataSource over the table, registered with the same backend. */
  const app = async (entity: new () => User, register = true) => {
    const ds = await new DataSource({ type: 'postgres', url: db.url, entities: [entity] }).initialize();
    sources.push(ds);
    if (register) regs.push(await registerQuantumApi(ds, { backend: client.backend.encryption }));
    return { ds, repo: ds.getRepository(entity) };
  };

  const V1 = userEntity({});
  const Reindexing = userEntity({ version: 2, previousVersions: [1] });
  const V2 = userEntity({ version: 2 });

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_typeorm');
    await seedUsers(db.pool, ROWS);
    client = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
  });

  afterAll(async () => {
    for (const r of regs) r.close();
    for (const ds of sources) await ds.destroy();
    await client?.close();
    await db?.drop();
  });

  it('the table spec comes from the entity: table, primary key, columns, types and index', async () => {
    const { ds } = await app(V1, false);
    expect(tableFromTypeormEntity(ds, V1)).toEqual({
      table: 'users',
      aadTable: 'users',
      primaryKey: 'id',
      columns: {
        email: { type: 'string', index: { name: 'email_hash' } },
        age: { type: 'number' },
        born: { type: 'date' },
      },
    });
    const { ds: ds2 } = await app(Reindexing, false);
    expect(tableFromTypeormEntity(ds2, Reindexing).columns['email']).toEqual({
      type: 'string',
      index: { name: 'email_hash', version: 2, previousVersions: [1] },
    });
  });

  it('backfill, then the adapter decrypts every row and findOneBy({ email }) finds it', async () => {
    const { ds, repo } = await app(V1, false);
    const done = await backfill({ pool: db.pool, table: tableFromTypeormEntity(ds, V1), keys: client, batchSize: 200 });
    expect(done).toMatchObject({ status: 'done', rowsSeen: ROWS, rowsChanged: ROWS });
    regs.push(await registerQuantumApi(ds, { backend: client.backend.encryption }));

    const u5 = await repo.findOneBy({ email: ' user.5@EXAMPLE.com' });
    expect(u5).toMatchObject({ id: 5, email: 'User.5@Example.com ', age: 5, born: bornOf(5) });
    const all = await repo.find({ order: { id: 'ASC' } });
    expect(all).toHaveLength(ROWS);
    for (const u of all) {
      expect(u.email).toBe(originalEmail(u.id));
      expect(u.age).toBe(u.id % 90);
      expect(u.born).toStrictEqual(bornOf(u.id));
    }
    const raw = (await db.pool.query('SELECT email, age FROM users WHERE id = 5')).rows[0];
    expect(raw.email).toMatch(/^qf1\./);
    expect(raw.age).toMatch(/^qf1\./);
  });

  it('a re-index stopped halfway: lookups through previousVersions find rows under either version', async () => {
    const during = await app(Reindexing);
    const after = await app(V2);
    const spec = tableFromTypeormEntity(during.ds, Reindexing);
    const stop = new AbortController();
    const half = await reindex({
      pool: db.pool,
      table: spec,
      keys: client,
      batchSize: 200,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.processed >= 200) stop.abort();
      },
    });
    expect(half).toMatchObject({ status: 'aborted', rowsSeen: 200 });

    // Rows 1..200 are under version 2, the rest still under version 1.
    expect((await during.repo.findOneBy({ email: 'user.5@example.com' }))?.id).toBe(5);
    expect((await during.repo.findOneBy({ email: 'user.400@example.com' }))?.id).toBe(400);
    const both = await during.repo.findBy({ email: In(['user.5@example.com', 'user.400@example.com']) });
    expect(both.map((u) => u.id).sort((a, b) => a - b)).toEqual([5, 400]);
    expect((await after.repo.findOneBy({ email: 'user.5@example.com' }))?.id).toBe(5);
    expect(await after.repo.findOneBy({ email: 'user.400@example.com' })).toBeNull();

    // The adapter matches exactly the values the migration engine's lookup helper computes.
    const engine = new FieldEngine({ backend: client.backend.encryption, directory: new PgDataKeyDirectory(db.pool) });
    try {
      const values = await indexLookupValues(engine, spec, 'email', 'user.400@example.com');
      expect(values).toHaveLength(2);
      expect(encryptedWhere(during.repo, { email: 'user.400@example.com' })).toEqual({ emailHash: In(values) });
    } finally {
      engine.close();
    }

    const rest = await reindex({ pool: db.pool, table: spec, keys: client, batchSize: 200 });
    expect(rest).toMatchObject({ status: 'done', rowsSeen: ROWS - 200, totalSeen: ROWS });
    expect((await after.repo.findOneBy({ email: 'user.400@example.com' }))?.id).toBe(400);
  });
});
