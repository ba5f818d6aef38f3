/**
 * Real databases for the adapter tests: a fresh SQLite file, a fresh PostgreSQL schema in `test`
 * at 127.0.0.1:5432, or a fresh MariaDB/MySQL database at 127.0.0.1:3306; dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DataSource, type DataSourceOptions, type EntitySchema } from 'typeorm';

export type DbKind = 'sqlite' | 'postgres' | 'mariadb';

export const PG_URL = process.env.QAPI_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const MY = {
  host: process.env.QAPI_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.QAPI_TEST_MYSQL_PORT ?? 3306),
  user: process.env.QAPI_TEST_MYSQL_USER ?? 'root',
  password: process.env.QAPI_TEST_MYSQL_PASSWORD ?? '',
};

// biome-ignore lint/complexity/noBannedTypes: TypeORM's own entity list type
type EntityList = (Function | string | EntitySchema)[];

export interface TestDb {
  readonly kind: DbKind;
  readonly ds: DataSource;
  /** Where the data lives, for a second client (Prisma, a second DataSource) on the same data. */
  readonly location: { sqliteFile?: string; pgSchema?: string; mysqlDatabase?: string };
  /** A raw SQL statement straight through the driver (no entity, no subscriber). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  /** Quotes an identifier for this dialect. */
  q(name: string): string;
  /** A second DataSource on the same data (a "second process"). */
  reopen(entities: EntityList): Promise<DataSource>;
  close(): Promise<void>;
}

const optionsFor = (kind: DbKind, loc: TestDb['location'], entities: EntityList, sync: boolean): DataSourceOptions => {
  switch (kind) {
    case 'sqlite':
      return { type: 'better-sqlite3', database: loc.sqliteFile!, entities, synchronize: sync };
    case 'postgres':
      return {
        type: 'postgres',
        url: PG_URL,
        schema: loc.pgSchema!,
        entities,
        synchronize: sync,
        // Raw test queries name tables unqualified.
        extra: { options: `-c search_path=${loc.pgSchema}` },
      };
    case 'mariadb':
      return {
        type: 'mysql',
        host: MY.host,
        port: MY.port,
        username: MY.user,
        password: MY.password,
        database: loc.mysqlDatabase!,
        entities,
        synchronize: sync,
      };
  }
};

export const openDb = async (kind: DbKind, entities: EntityList, synchronize = true): Promise<TestDb> => {
  const id = randomBytes(6).toString('hex');
  const loc: TestDb['location'] = {};
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'qapi-typeorm-'));
    loc.sqliteFile = join(dir, 'test.db');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else if (kind === 'postgres') {
    loc.pgSchema = `qapi_t_${id}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${loc.pgSchema}`);
    cleanup = async () => {
      await admin.query(`DROP SCHEMA ${loc.pgSchema} CASCADE`);
      await admin.end();
    };
  } else {
    loc.mysqlDatabase = `qapi_t_${id}`;
    const admin = await mysql.createConnection(MY);
    await admin.query(`CREATE DATABASE ${loc.mysqlDatabase}`);
    cleanup = async () => {
      await admin.query(`DROP DATABASE ${loc.mysqlDatabase}`);
      await admin.end();
    };
  }
  const ds = await new DataSource(optionsFor(kind, loc, entities, synchronize)).initialize();
  const extra: DataSource[] = [];
  return {
    kind,
    ds,
    location: loc,
    raw: async (sql) => {
      const r = await ds.query(sql);
      return Array.isArray(r) ? (r as Record<string, unknown>[]) : [];
    },
    q: (name) => (kind === 'mariadb' ? `\`${name}\`` : `"${name}"`),
    reopen: async (ents) => {
      const d = await new DataSource(optionsFor(kind, loc, ents, false)).initialize();
      extra.push(d);
      return d;
    },
    close: async () => {
      for (const d of extra) if (d.isInitialized) await d.destroy();
      if (ds.isInitialized) await ds.destroy();
      await cleanup();
    },
  };
};
