/**
 * Same database, two ORMs: rows written through the Prisma adapter read through the TypeORM
 * adapter and the other way round, lookups through each other's blind indexes included. Both
 * adapters keep their data keys in the same `quantumapi_data_keys` table and share the backend.
 * Tables are created with the Prisma adapter tests' SQL (its `User` model, in test/prisma).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPrismaFieldEngine, defineEncryptionManifest, quantumApiEncryption } from '@quantumapi/prisma';
import pg from 'pg';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient as PgClient } from './prisma/postgresql/generated/client/client.js';
import { PrismaClient as SqliteClient } from './prisma/sqlite/generated/client/client.js';
import {
  BlindIndex,
  Encrypted,
  encryptedRepository,
  type QuantumApiRegistration,
  registerQuantumApi,
} from '../src/index.js';
import { type CountingBackend, localBackend } from './backend.js';
import { PG_URL } from './db.js';

/** The Prisma test schema's `User` model, declared for TypeORM. */
@Entity({ name: 'User' })
class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'integer', default: 0 })
  age!: number;

  @Encrypted({ nullable: true })
  email!: string | null;

  @BlindIndex({ of: 'email', unique: true })
  emailHash!: string | null;

  @Encrypted({ nullable: true })
  phone!: string | null;

  @BlindIndex({ of: 'phone', normalize: ['phone'] })
  phoneHash!: string | null;

  @Encrypted({ type: 'date', nullable: true })
  dob!: Date | null;

  @Encrypted({ type: 'json', nullable: true })
  prefs!: { theme: string } | null;
}

/** The same declarations on the Prisma side (what `/// @encrypted` comments would generate). */
const encryptionManifest = defineEncryptionManifest({
  version: 1,
  models: {
    User: {
      fields: {
        email: { index: { name: 'emailHash', unique: true } },
        phone: { index: { name: 'phoneHash', normalize: ['phone'] } },
        dob: { type: 'date' },
        prefs: { type: 'json' },
      },
    },
  },
});

type Kind = 'sqlite' | 'postgres';

const tables = (kind: Kind): string[] => {
  const pk = kind === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'SERIAL PRIMARY KEY';
  return [
    `CREATE TABLE "User" (id ${pk}, name TEXT NOT NULL, age INTEGER NOT NULL DEFAULT 0, email TEXT,
      "emailHash" TEXT UNIQUE, phone TEXT, "phoneHash" TEXT, dob TEXT, prefs TEXT)`,
  ];
};

const extend = (prisma: SqliteClient, engine: Awaited<ReturnType<typeof createPrismaFieldEngine>>) =>
  prisma.$extends(quantumApiEncryption({ engine, manifest: encryptionManifest }));

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`Prisma <-> TypeORM on the same ${kind} database`, () => {
    let backend: CountingBackend;
    let ds: DataSource;
    let prisma: SqliteClient;
    let xp: ReturnType<typeof extend>;
    let reg: QuantumApiRegistration;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      backend = await localBackend();
      if (kind === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'qapi-cross-'));
        const file = join(dir, 'cross.db');
        ds = await new DataSource({ type: 'better-sqlite3', database: file, entities: [User] }).initialize();
        for (const sql of tables(kind)) await ds.query(sql);
        prisma = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const schema = `qapi_x_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        ds = await new DataSource({
          type: 'postgres',
          url: PG_URL,
          schema,
          entities: [User],
          extra: { options: `-c search_path=${schema}` },
        }).initialize();
        for (const sql of tables(kind)) await ds.query(sql);
        const adapter = new PrismaPg({ connectionString: PG_URL, options: `-c search_path=${schema}` }, { schema });
        prisma = new PgClient({ adapter }) as unknown as SqliteClient;
        cleanup = async () => {
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        };
      }
      // TypeORM first: it creates the index root; Prisma must find and use the same one.
      reg = await registerQuantumApi(ds, { backend });
      xp = extend(prisma, await createPrismaFieldEngine({ prisma, backend }));
    });

    afterAll(async () => {
      reg?.close();
      await prisma?.$disconnect();
      if (ds?.isInitialized) await ds.destroy();
      await cleanup?.();
    });

    const dob = new Date('1990-05-06T00:00:00.000Z');

    it('a row written by Prisma reads through TypeORM, found by the same blind index', async () => {
      const created = await xp.user.create({
        data: {
          name: 'from-prisma',
          email: 'Pat.Prisma@example.com',
          phone: '+34 600 000 001',
          dob,
          prefs: { theme: 'light' },
        },
      });
      const users = encryptedRepository(ds.getRepository(User));
      const u = await users.findOneByOrFail({ email: 'pat.prisma@EXAMPLE.com' });
      expect(u.id).toBe(created.id);
      expect(u.email).toBe('Pat.Prisma@example.com');
      expect(u.dob).toStrictEqual(dob);
      expect(u.prefs).toStrictEqual({ theme: 'light' });
      expect((await users.findOneByOrFail({ phone: '+34600000001' })).id).toBe(created.id);
      expect(u.emailHash).toBe(created.emailHash);
    });

    it('a row written by TypeORM reads through Prisma, found by the same blind index', async () => {
      const saved = await ds.getRepository(User).save(
        Object.assign(new User(), {
          name: 'from-typeorm',
          age: 41,
          email: 'Tom.TypeORM@example.com',
          phone: '(600) 000-002',
          dob,
          prefs: { theme: 'dark' },
        }),
      );
      const p = await xp.user.findUnique({ where: { email: 'tom.typeorm@example.com' } });
      expect(p?.id).toBe(saved.id);
      expect(p?.email).toBe('Tom.TypeORM@example.com');
      expect(p?.dob).toStrictEqual(dob);
      expect(p?.prefs).toStrictEqual({ theme: 'dark' });
      expect((await xp.user.findFirst({ where: { phone: '600000002' } }))?.id).toBe(saved.id);
    });

    it('the unique blind index is enforced across ORMs', async () => {
      await expect(
        ds.getRepository(User).save(Object.assign(new User(), { name: 'dup', email: ' PAT.PRISMA@example.com' })),
      ).rejects.toThrow();
    });

    it('both wrote into one key table: one index root, field keys only, no plaintext', async () => {
      const rows = (await ds.query('SELECT tenant, id, purpose, wrapped_key FROM quantumapi_data_keys')) as {
        id: string;
        purpose: string;
        wrapped_key: string;
      }[];
      expect(rows.filter((r) => r.purpose === 'index-root')).toHaveLength(1);
      expect(rows.length).toBeGreaterThanOrEqual(3); // root + one field key per engine
      const raw = JSON.stringify(await ds.query('SELECT * FROM "User"')).toLowerCase();
      for (const pii of ['pat.prisma', 'tom.typeorm', '600 000', '1990', 'light', 'dark'])
        expect(raw).not.toContain(pii);
    });
  });
}
