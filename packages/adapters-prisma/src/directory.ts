/**
 * The data-key directory in the application's own database (`quantumapi_data_keys`), through the
 * plain (un-extended) Prisma client. Plain SQL that SQLite and PostgreSQL both accept.
 */
import { StoreUnavailableError } from '@quantumapi/sdk/fields';
import type { DataKeyDirectory, DataKeyPurpose, DataKeyRecord } from '@quantumapi/sdk/fields';

/** The part of a PrismaClient this needs: tagged-template raw SQL. */
export interface RawSqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** DDL for migrations; the table also appears as a Prisma model in the README. */
export const DATA_KEYS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS quantumapi_data_keys (
  tenant      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  purpose     TEXT    NOT NULL,
  wrapped_key TEXT    NOT NULL,
  key_id      TEXT    NOT NULL,
  key_version INTEGER NOT NULL,
  created_at  TEXT    NOT NULL,
  PRIMARY KEY (tenant, id)
)`;

interface Row {
  tenant: string;
  id: string;
  purpose: string;
  wrapped_key: string;
  key_id: string;
  key_version: number | bigint;
  created_at: string;
}

const toRecord = (r: Row): DataKeyRecord => ({
  tenant: r.tenant,
  id: r.id,
  purpose: r.purpose as DataKeyPurpose,
  wrappedKey: r.wrapped_key,
  keyId: r.key_id,
  keyVersion: Number(r.key_version),
  createdAt: r.created_at,
});

export class PrismaDataKeyDirectory implements DataKeyDirectory {
  readonly #db: RawSqlClient;

  constructor(db: RawSqlClient) {
    this.#db = db;
  }

  /** Creates the table when missing (apps with migrations declare it in their schema instead). */
  async ensureTable(): Promise<void> {
    await this.#wrap(() => this.#db.$executeRawUnsafe(DATA_KEYS_TABLE_SQL));
  }

  async put(r: DataKeyRecord): Promise<DataKeyRecord> {
    await this.#wrap(
      () => this.#db.$executeRaw`INSERT INTO quantumapi_data_keys
        (tenant, id, purpose, wrapped_key, key_id, key_version, created_at)
        VALUES (${r.tenant}, ${r.id}, ${r.purpose}, ${r.wrappedKey}, ${r.keyId}, ${r.keyVersion}, ${r.createdAt})
        ON CONFLICT (tenant, id) DO NOTHING`,
    );
    const stored = await this.get(r.tenant, r.id);
    if (!stored) throw new StoreUnavailableError('data key was not persisted', { details: { dataKeyId: r.id } });
    return stored;
  }

  async get(tenant: string, id: string): Promise<DataKeyRecord | undefined> {
    const rows = await this.#wrap(
      () =>
        this.#db.$queryRaw<Row[]>`SELECT tenant, id, purpose, wrapped_key, key_id, key_version, created_at
          FROM quantumapi_data_keys WHERE tenant = ${tenant} AND id = ${id}`,
    );
    const row = rows[0];
    return row ? toRecord(row) : undefined;
  }

  async #wrap<T>(fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError('data key directory query failed', { cause });
    }
  }
}
