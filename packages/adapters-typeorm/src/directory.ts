/**
 * The data-key directory in the application's own database: the same `quantumapi_data_keys`
 * table, columns and insert-if-absent semantics as the Prisma adapter, so a row written through
 * one ORM finds its data key through the other. SQLite and PostgreSQL use the Prisma adapter's
 * DDL verbatim; MySQL/MariaDB need bounded VARCHAR keys (TEXT cannot be a primary key there).
 */
import { StoreUnavailableError } from '@quantumapi/sdk';
import {
  type DataKeyDirectory,
  type DataKeyRecord,
  type DataKeyRow,
  type DataKeyTableDialect,
  dataKeyRecordFromRow,
  dataKeysTableSql,
} from '@quantumapi/sdk/fields';
import { FieldConfigError } from '@quantumapi/sdk/fields';
import type { DataSource } from 'typeorm';

export type SqlDialect = DataKeyTableDialect;

const COLUMNS = 'tenant, id, purpose, wrapped_key, key_id, key_version, created_at';

/** The shared directory table's DDL, per dialect (defined once in the sdk's field engine). */
export { dataKeysTableSql };

export const dialectOf = (dataSource: DataSource): SqlDialect => {
  switch (dataSource.options.type) {
    case 'better-sqlite3':
      return 'sqlite';
    case 'postgres':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
      return 'mysql';
    default:
      throw new FieldConfigError(`@quantumapi/typeorm does not support the ${dataSource.options.type} driver`, {
        details: { driver: dataSource.options.type },
      });
  }
};

export class TypeOrmDataKeyDirectory implements DataKeyDirectory {
  readonly #ds: DataSource;
  readonly dialect: SqlDialect;
  readonly #insert: string;
  readonly #select: string;
  readonly #table: string;

  constructor(dataSource: DataSource) {
    this.#ds = dataSource;
    this.dialect = dialectOf(dataSource);
    const p = (i: number) => (this.dialect === 'postgres' ? `$${i}` : '?');
    // PostgreSQL: next to the entities when the DataSource names a schema.
    const schema = this.dialect === 'postgres' ? (dataSource.options as { schema?: string }).schema : undefined;
    this.#table = schema ? `"${schema.replaceAll('"', '""')}".quantumapi_data_keys` : 'quantumapi_data_keys';
    const values = `VALUES (${[1, 2, 3, 4, 5, 6, 7].map(p).join(', ')})`;
    this.#insert =
      this.dialect === 'mysql'
        ? // A no-op update rather than INSERT IGNORE, which would also swallow truncation errors.
          `INSERT INTO ${this.#table} (${COLUMNS}) ${values} ON DUPLICATE KEY UPDATE id = id`
        : `INSERT INTO ${this.#table} (${COLUMNS}) ${values} ON CONFLICT (tenant, id) DO NOTHING`;
    this.#select = `SELECT ${COLUMNS} FROM ${this.#table} WHERE tenant = ${p(1)} AND id = ${p(2)}`;
  }

  /** Creates the table when missing (apps with migrations create it there instead). */
  async ensureTable(): Promise<void> {
    await this.#wrap(() => this.#ds.query(dataKeysTableSql(this.dialect, this.#table)));
  }

  // On PostgreSQL and MySQL dataSource.query takes its own pooled connection (autocommit), so a key
  // record is durable even if the entity write that needed it rolls back. SQLite has one
  // connection: registerQuantumApi loads the first data key before the application writes.
  async put(r: DataKeyRecord): Promise<DataKeyRecord> {
    await this.#wrap(() =>
      this.#ds.query(this.#insert, [r.tenant, r.id, r.purpose, r.wrappedKey, r.keyId, r.keyVersion, r.createdAt]),
    );
    const stored = await this.get(r.tenant, r.id);
    if (!stored) throw new StoreUnavailableError('data key was not persisted', { details: { dataKeyId: r.id } });
    return stored;
  }

  async get(tenant: string, id: string): Promise<DataKeyRecord | undefined> {
    const rows = await this.#wrap(() => this.#ds.query<DataKeyRow[]>(this.#select, [tenant, id]));
    const row = rows[0];
    return row ? dataKeyRecordFromRow(row) : undefined;
  }

  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError('data key directory query failed', { cause });
    }
  }
}
