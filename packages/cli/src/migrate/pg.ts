/**
 * The PostgreSQL side of a migration: identifier quoting, transactions, and the one data-key
 * directory table the adapters share (`quantumapi_data_keys`, same columns and insert-if-absent
 * semantics as `@quantumapi/prisma` and `@quantumapi/typeorm`).
 */
import {
  type DataKeyDirectory,
  type DataKeyRecord,
  type DataKeyRow,
  dataKeyRecordFromRow,
  dataKeysTableSql,
  type PgClientLike,
  type PgPoolLike,
  StoreUnavailableError,
} from '@quantumapi/sdk';

export type { PgClientLike, PgPoolLike };

/** `users` -> "users"; `app.users` -> "app"."users". Names are validated by the spec first. */
export const quoteIdent = (name: string): string =>
  name
    .split('.')
    .map((p) => `"${p.replaceAll('"', '""')}"`)
    .join('.');

/** The directory table every adapter shares (DDL from the sdk's field engine). */
export const DATA_KEYS_TABLE_SQL = dataKeysTableSql('postgres');

/** Runs `fn` in one transaction; rolls back on any error (or when `fn` asks for it). */
export const inTransaction = async <T>(
  pool: PgPoolLike,
  fn: (client: PgClientLike, rollback: () => void) => Promise<T>,
): Promise<T> => {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    let rollbackOnly = false;
    const result = await fn(client, () => {
      rollbackOnly = true;
    });
    await client.query(rollbackOnly ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection is gone: do not return it to the pool
    }
    throw e;
  } finally {
    client.release(broken);
  }
};

/** The adapters' data-key directory, over a pg pool. Records are cached: they never change. */
export class PgDataKeyDirectory implements DataKeyDirectory {
  readonly #pool: PgPoolLike;
  readonly #cache = new Map<string, DataKeyRecord>();

  constructor(pool: PgPoolLike) {
    this.#pool = pool;
  }

  async ensureTable(): Promise<void> {
    await this.#wrap(() => this.#pool.query(DATA_KEYS_TABLE_SQL));
  }

  async exists(): Promise<boolean> {
    const res = await this.#wrap(() => this.#pool.query(`SELECT to_regclass('quantumapi_data_keys') AS t`));
    return (res.rows[0] as { t: unknown }).t !== null;
  }

  async put(r: DataKeyRecord): Promise<DataKeyRecord> {
    await this.#wrap(() =>
      this.#pool.query(
        `INSERT INTO quantumapi_data_keys (tenant, id, purpose, wrapped_key, key_id, key_version, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant, id) DO NOTHING`,
        [r.tenant, r.id, r.purpose, r.wrappedKey, r.keyId, r.keyVersion, r.createdAt],
      ),
    );
    const stored = await this.get(r.tenant, r.id);
    if (!stored) throw new StoreUnavailableError('data key was not persisted', { details: { dataKeyId: r.id } });
    return stored;
  }

  async get(tenant: string, id: string): Promise<DataKeyRecord | undefined> {
    const k = `${tenant}\u0000${id}`;
    const hit = this.#cache.get(k);
    if (hit) return hit;
    const res = await this.#wrap(() =>
      this.#pool.query(
        `SELECT tenant, id, purpose, wrapped_key, key_id, key_version, created_at
         FROM quantumapi_data_keys WHERE tenant = $1 AND id = $2`,
        [tenant, id],
      ),
    );
    const row = res.rows[0] as DataKeyRow | undefined;
    if (!row) return undefined;
    const record: DataKeyRecord = Object.freeze(dataKeyRecordFromRow(row));
    this.#cache.set(k, record);
    return record;
  }

  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw new StoreUnavailableError('data key directory query failed', { cause });
    }
  }
}

/** The SQL type of a column (e.g. `integer`, `uuid`, `text`), for typed array parameters. */
export const columnType = async (pool: PgPoolLike, table: string, column: string): Promise<string | undefined> => {
  const res = await pool.query(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
     WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND NOT a.attisdropped`,
    [quoteIdent(table), column],
  );
  return (res.rows[0] as { type?: string } | undefined)?.type;
};
