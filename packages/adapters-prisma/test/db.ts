/**
 * Real databases for the adapter tests: a fresh SQLite file (driven by better-sqlite3 or libSQL),
 * or a fresh PostgreSQL schema in the `test` database at 127.0.0.1:5432. Tables are created with
 * SQL here (no migrations offline).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PrismaClient as PgClient } from './prisma/postgresql/generated/client/client.js';
import { PrismaClient as SqliteClient } from './prisma/sqlite/generated/client/client.js';

export type DbKind = 'sqlite' | 'libsql' | 'postgresql';
export type AnyClient = SqliteClient;

export interface TestDb {
  readonly kind: DbKind;
  /** The driver adapter's own name (`@prisma/adapter-…`), so a test can check it runs on the one it names. */
  readonly driver: string;
  readonly prisma: AnyClient;
  /** A raw SELECT outside Prisma, straight from the driver. */
  rawRows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const PG_URL = process.env.QAPI_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const tables = (kind: DbKind): string[] => {
  const pk = kind === 'postgresql' ? 'SERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  return [
    `CREATE TABLE "User" (id ${pk}, name TEXT NOT NULL, age INTEGER NOT NULL DEFAULT 0, email TEXT,
      "emailHash" TEXT UNIQUE, phone TEXT, "phoneHash" TEXT, dob TEXT, prefs TEXT, "legacyNote" TEXT)`,
    `CREATE TABLE "Post" (id ${pk}, title TEXT NOT NULL, "secretNote" TEXT,
      "authorId" INTEGER NOT NULL REFERENCES "User"(id) ON DELETE CASCADE)`,
    `CREATE TABLE "Profile" (id ${pk}, ssn TEXT, "ssnHash" TEXT UNIQUE, score TEXT,
      "userId" INTEGER NOT NULL UNIQUE REFERENCES "User"(id) ON DELETE CASCADE)`,
  ];
};

export const openDb = async (kind: DbKind): Promise<TestDb> => {
  if (kind === 'sqlite' || kind === 'libsql') {
    const dir = mkdtempSync(join(tmpdir(), 'qapi-prisma-'));
    const file = join(dir, 'test.db');
    // For libsql the raw SQL goes through better-sqlite3, another SQLite build: the storage checks
    // then also show that what libSQL wrote is an ordinary SQLite file.
    const raw = new Database(file);
    for (const t of tables(kind)) raw.exec(t);
    const url = `file:${file}`;
    // Imported only here: compat/prisma6 reuses this file with its own Prisma 6 dependencies (no
    // libSQL adapter among them) and never asks for this kind.
    const adapter =
      kind === 'sqlite'
        ? new PrismaBetterSqlite3({ url })
        : new (await import('@prisma/adapter-libsql')).PrismaLibSql({ url });
    const prisma = new SqliteClient({ adapter });
    return {
      kind,
      driver: adapter.adapterName,
      prisma,
      rawRows: async (sql) => {
        const st = raw.prepare(sql);
        if (st.reader) return st.all() as Record<string, unknown>[];
        st.run();
        return [];
      },
      close: async () => {
        await prisma.$disconnect();
        raw.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `qapi_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path TO ${schema}`);
  for (const t of tables(kind)) await admin.query(t);
  const adapter = new PrismaPg({ connectionString: PG_URL, options: `-c search_path=${schema}` }, { schema });
  const prisma = new PgClient({ adapter }) as unknown as AnyClient;
  return {
    kind,
    driver: adapter.adapterName,
    prisma,
    rawRows: async (sql) => (await admin.query(sql)).rows as Record<string, unknown>[],
    close: async () => {
      await prisma.$disconnect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
};
