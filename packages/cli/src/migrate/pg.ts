/**
 * The PostgreSQL side of a migration: identifier quoting, transactions, and the one data-key
 * directory table the adapters share (`quantumapi_data_keys`, same columns and insert-if-absent
 * semantics as `@quantumapi/prisma` and `@quantumapi/typeorm`).
 */
import {
  type DataKeyDirectory,
  type DataKeyPurpose,
  type DataKeyRecord,
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

interface KeyRow {
  tenant: string;
  id: string;
  purpose: string;
  wrapped_key: string;
  key_id: string;
  key_version: number | string;
  created_at: string;
}

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
    const row = res.rows[0] as KeyRow | undefined;
    if (!row) return undefined;
    const record: DataKeyRecord = Object.freeze({
      tenant: row.tenant,
      id: row.id,
      purpose: row.purpose as DataKeyPurpose,
      wrappedKey: row.wrapped_key,
      keyId: row.key_id,
      keyVersion: Number(row.key_version),
      createdAt: row.created_at,
    });
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
