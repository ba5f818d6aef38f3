/**
 * PostgreSQL store: many processes share one key store. Compare-and-set is a single conditional
 * statement (INSERT ... ON CONFLICT DO NOTHING / UPDATE ... WHERE revision = $expected), so two
 * processes rotating the same key can never both win: the loser gets ConflictError and the engine
 * re-reads and retries.
 *
 * `pg` is an optional peer dependency: pass a Pool you built, or a connection string and the
 * module is imported on open(). Nothing here imports `pg` at load time.
 */
import {
  ConflictError,
  InvalidOptionsError,
  QuantumApiError,
  StoreCorruptError,
  StoreUnavailableError,
} from '../../errors.js';
import type { ListOptions, RecordStore, StoredRecord } from './types.js';

/** The part of `pg.Pool` this store uses (structural, so the sdk does not depend on pg's types). */
export interface PgQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}
export interface PgClientLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  release(err?: Error | boolean): void;
}
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PostgresStoreOptions {
  /** A pg Pool (or anything with its query/connect/end). Not ended by close() unless `ownsPool`. */
  readonly pool?: PgPoolLike;
  /** Used to create a Pool with the `pg` module when `pool` is absent (e.g. DATABASE_URL). */
  readonly connectionString?: string;
  /** Schema holding the tables; created if missing. Default `public`. */
  readonly schema?: string;
  /** Max pool size when the store creates the pool. */
  readonly maxConnections?: number;
  readonly ownsPool?: boolean;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Ordered, append-only. Each entry runs once per schema, inside the migration transaction. */
const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `CREATE TABLE IF NOT EXISTS ${s}.qapi_records (
      tenant text COLLATE "C" NOT NULL,
      collection text COLLATE "C" NOT NULL,
      id text COLLATE "C" NOT NULL,
      revision bigint NOT NULL CHECK (revision > 0),
      data jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, collection, id)
    )`,
];

// One lock id for every qapi migration: migrations are rare and short.
const MIGRATION_LOCK = 0x71617069; // "qapi"

const unavailable = (what: string, cause: unknown): QuantumApiError =>
  cause instanceof QuantumApiError ? cause : new StoreUnavailableError(`PostgreSQL store: cannot ${what}`, { cause });

export class PostgresStore implements RecordStore {
  readonly kind = 'postgres';
  readonly #options: PostgresStoreOptions;
  readonly #schema: string;
  #pool: PgPoolLike | undefined;
  #opening: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    if (!options.pool && !options.connectionString) {
      throw new InvalidOptionsError('PostgresStore needs a pool or a connectionString');
    }
    const schema = options.schema ?? 'public';
    if (!IDENT.test(schema)) throw new InvalidOptionsError('PostgresStore schema must match [a-z_][a-z0-9_]*');
    this.#options = options;
    this.#schema = schema;
    this.#pool = options.pool;
  }

  get schema(): string {
    return this.#schema;
  }

  get #table(): string {
    return `"${this.#schema}".qapi_records`;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open().catch((e) => {
      this.#opening = undefined;
      throw e;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    if (!this.#pool) {
      let pg: { default?: { Pool: new (c: object) => PgPoolLike }; Pool?: new (c: object) => PgPoolLike };
      try {
        // A variable specifier keeps bundlers from inlining the optional peer dependency.
        const specifier = 'pg';
        pg = await import(specifier);
      } catch (cause) {
        throw new InvalidOptionsError('PostgresStore needs the "pg" package: npm install pg', { cause });
      }
      const Pool = pg.Pool ?? pg.default?.Pool;
      if (!Pool) throw new InvalidOptionsError('the "pg" module has no Pool export');
      const pool = new Pool({
        connectionString: this.#options.connectionString,
        max: this.#options.maxConnections ?? 10,
      });
      // An idle connection dropped by the database (restart, failover) is an 'error' event on the
      // pool; unhandled, it would crash the process. The pool replaces the connection, and a query
      // that fails meanwhile surfaces as StoreUnavailableError.
      pool.on?.('error', () => undefined);
      this.#pool = pool;
    }
    await this.#migrate(this.#pool);
  }

  async #migrate(pool: PgPoolLike): Promise<void> {
    let client: PgClientLike;
    try {
      client = await pool.connect();
    } catch (cause) {
      throw unavailable('connect', cause);
    }
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      // Serialises concurrent start-ups: the second process waits, then sees the work done.
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.#schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${this.#schema}".qapi_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = await client.query(`SELECT version FROM "${this.#schema}".qapi_migrations`);
      const applied = new Set(done.rows.map((r) => Number(r['version'])));
      for (const [i, m] of MIGRATIONS.entries()) {
        if (applied.has(i + 1)) continue;
        await client.query(m(`"${this.#schema}"`));
        await client.query(`INSERT INTO "${this.#schema}".qapi_migrations (version) VALUES ($1)`, [i + 1]);
      }
      await client.query('COMMIT');
    } catch (cause) {
      failed = cause instanceof Error ? cause : new Error('migration failed');
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable('run its migrations', cause);
    } finally {
      client.release(failed);
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#opening = undefined;
    if (pool && (this.#options.ownsPool ?? !this.#options.pool)) {
      this.#pool = undefined;
      await pool.end().catch(() => undefined);
    }
  }

  async #query(what: string, text: string, values: unknown[]): Promise<PgQueryResult> {
    await this.open();
    const pool = this.#pool;
    if (!pool) throw new StoreUnavailableError('PostgreSQL store is closed');
    try {
      return await pool.query(text, values);
    } catch (cause) {
      throw unavailable(what, cause);
    }
  }

  #row<T>(r: Record<string, unknown>): StoredRecord<T> {
    const id = r['id'];
    const revision = Number(r['revision']);
    if (typeof id !== 'string' || !Number.isSafeInteger(revision))
      throw new StoreCorruptError('PostgreSQL store row is corrupt');
    return { id, revision, data: r['data'] as T };
  }

  async get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    const r = await this.#query(
      'read',
      `SELECT id, revision, data FROM ${this.#table} WHERE tenant = $1 AND collection = $2 AND id = $3`,
      [tenant, collection, id],
    );
    const row = r.rows[0];
    return row ? this.#row<T>(row) : undefined;
  }

  async put<T>(tenant: string, collection: string, id: string, data: T, expectedRevision: number): Promise<number> {
    if (!Number.isSafeInteger(expectedRevision) || expectedRevision < 0) {
      throw new ConflictError('expectedRevision must be a non-negative integer');
    }
    const json = JSON.stringify(data);
    const r =
      expectedRevision === 0
        ? await this.#query(
            'write',
            `INSERT INTO ${this.#table} (tenant, collection, id, revision, data) VALUES ($1, $2, $3, 1, $4::jsonb)
             ON CONFLICT (tenant, collection, id) DO NOTHING RETURNING revision`,
            [tenant, collection, id, json],
          )
        : await this.#query(
            'write',
            `UPDATE ${this.#table} SET data = $4::jsonb, revision = revision + 1, updated_at = now()
             WHERE tenant = $1 AND collection = $2 AND id = $3 AND revision = $5 RETURNING revision`,
            [tenant, collection, id, json, expectedRevision],
          );
    const row = r.rows[0];
    if (!row) {
      throw new ConflictError(`record ${collection}/${id} changed concurrently`, {
        details: { collection, id, expectedRevision },
      });
    }
    return Number(row['revision']);
  }

  async list<T>(tenant: string, collection: string, options: ListOptions = {}): Promise<StoredRecord<T>[]> {
    const values: unknown[] = [tenant, collection];
    let sql = `SELECT id, revision, data FROM ${this.#table} WHERE tenant = $1 AND collection = $2`;
    if (options.after !== undefined) {
      values.push(options.after);
      sql += ` AND id > $${values.length}`;
    }
    sql += ' ORDER BY id';
    if (options.limit !== undefined) {
      values.push(Math.max(0, Math.floor(options.limit)));
      sql += ` LIMIT $${values.length}`;
    }
    const r = await this.#query('list', sql, values);
    return r.rows.map((row) => this.#row<T>(row));
  }

  async delete(tenant: string, collection: string, id: string, expectedRevision?: number): Promise<boolean> {
    const values: unknown[] = [tenant, collection, id];
    let sql = `DELETE FROM ${this.#table} WHERE tenant = $1 AND collection = $2 AND id = $3`;
    if (expectedRevision !== undefined) {
      values.push(expectedRevision);
      sql += ' AND revision = $4';
    }
    const r = await this.#query('delete', `${sql} RETURNING revision`, values);
    if (r.rows.length > 0) return true;
    if (expectedRevision !== undefined && (await this.get(tenant, collection, id))) {
      throw new ConflictError(`record ${collection}/${id} changed concurrently`, { details: { collection, id } });
    }
    return false;
  }
}
