/**
 * The data-key directory in the application's own database (`quantumapi_data_keys`), through the
 * plain (un-extended) Prisma client. Plain SQL that SQLite and PostgreSQL both accept.
 */
import {
  type DataKeyDirectory,
  type DataKeyRecord,
  type DataKeyRow,
  dataKeyRecordFromRow,
  dataKeysTableSql,
  StoreUnavailableError,
} from '@quantumapi/sdk/fields';

/** The part of a PrismaClient this needs: tagged-template raw SQL. */
export interface RawSqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * DDL for migrations (SQLite and PostgreSQL); the table also appears as a Prisma model in the
 * README. The same table as the TypeORM adapter's and the migration engine's.
 */
export const DATA_KEYS_TABLE_SQL = dataKeysTableSql('postgres');

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
        this.#db.$queryRaw<DataKeyRow[]>`SELECT tenant, id, purpose, wrapped_key, key_id, key_version, created_at
          FROM quantumapi_data_keys WHERE tenant = ${tenant} AND id = ${id}`,
    );
    const row = rows[0];
    return row ? dataKeyRecordFromRow(row) : undefined;
  }

  async #wrap<T>(fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError('data key directory query failed', { cause });
    }
  }
}
