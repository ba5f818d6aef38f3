/**
 * The migration engine's public entry points: backfill (encrypt existing plaintext), rotate
 * (re-encrypt under the current backend key version), reindex (blind indexes under a new index
 * version), decryptColumns (the way out), and migrationStatus. Field ciphertexts and indexes are
 * produced by the sdk's field engine with the adapters' data-key directory, so the Prisma and
 * TypeORM adapters read every row a migration writes.
 */
import {
  type DataKeyDirectory,
  type DataKeyRecord,
  FieldEngine,
  type FieldKeyBackend,
  type FieldValue,
  InvalidOptionsError,
  MemoryDataKeyDirectory,
  parseField,
  type PgPoolLike,
} from '@quantumapi/sdk';
import pg from 'pg';
import { z } from 'zod';
import { type Checkpoint, listJobs } from './checkpoint.js';
import * as ops from './operations.js';
import { PgDataKeyDirectory, quoteIdent } from './pg.js';
import type { ProgressCallback } from './progress.js';
import { type MigrationResult, runMigration } from './runner.js';
import { type ResolvedColumn, type ResolvedTable, resolveTable, type TableSpec } from './spec.js';

export type { MigrationResult, MigrationStatus } from './runner.js';

/** Where the table lives: a pg Pool you own, or a connection string (the pool is then closed for you). */
export type DatabaseOption = { readonly pool: PgPoolLike } | { readonly databaseUrl: string };

/** Who wraps data keys: a QuantumApiClient (local or remote), or any backend with generateDataKey/unwrapKey. */
export interface KeySource {
  readonly backend: { readonly encryption: FieldKeyBackend };
}

export type MigrationOptions = DatabaseOption & {
  readonly table: TableSpec;
  readonly keys: KeySource | FieldKeyBackend;
  /** Tenant bound into blind-index keys and the data-key directory; must match the adapters'. Default "default". */
  readonly tenant?: string;
  /** Backend key that wraps new data keys; the backend's default encryption key when absent. */
  readonly keyId?: string;
  /** Rows per transaction. Default 500. */
  readonly batchSize?: number;
  /** Read and plan every batch, write nothing; the result says what would change. */
  readonly dryRun?: boolean;
  /** Start a job that already finished over again (a new pass over the table). */
  readonly restart?: boolean;
  /** Stops after the batch in flight commits; the job resumes from there on the next run. */
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
};

const optionsSchema = z.object({
  batchSize: z.number().int().min(1).max(50_000).optional(),
  tenant: z.string().min(1).max(200).optional(),
  keyId: z.string().min(1).optional(),
  dryRun: z.boolean().optional(),
  restart: z.boolean().optional(),
  signal: z.instanceof(AbortSignal).optional(),
  onProgress: z.custom<ProgressCallback>((f) => typeof f === 'function').optional(),
});

const keyBackend = (k: KeySource | FieldKeyBackend): FieldKeyBackend => {
  if ('backend' in k && typeof k.backend === 'object' && k.backend !== null && 'encryption' in k.backend) {
    return k.backend.encryption;
  }
  const b = k as FieldKeyBackend;
  if (typeof b.generateDataKey !== 'function' || typeof b.unwrapKey !== 'function') {
    throw new InvalidOptionsError('keys must be a QuantumApiClient or offer generateDataKey and unwrapKey');
  }
  return b;
};

/** Reads from the real directory; keeps new keys in memory. A dry run must not write anything. */
class DryRunDirectory implements DataKeyDirectory {
  readonly #real: DataKeyDirectory;
  readonly #mem = new MemoryDataKeyDirectory();
  constructor(real: DataKeyDirectory) {
    this.#real = real;
  }
  async put(r: DataKeyRecord): Promise<DataKeyRecord> {
    return (await this.#real.get(r.tenant, r.id)) ?? this.#mem.put(r);
  }
  async get(tenant: string, id: string): Promise<DataKeyRecord | undefined> {
    return (await this.#mem.get(tenant, id)) ?? this.#real.get(tenant, id);
  }
}

interface Session {
  readonly pool: PgPoolLike;
  readonly directory: PgDataKeyDirectory;
  readonly engineDirectory: DataKeyDirectory;
  readonly engine: FieldEngine;
  readonly backend: FieldKeyBackend;
}

const withSession = async <T>(options: MigrationOptions, fn: (s: Session) => Promise<T>): Promise<T> => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new InvalidOptionsError(
      `invalid migration options: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const backend = keyBackend(options.keys);
  const owned = 'databaseUrl' in options ? new pg.Pool({ connectionString: options.databaseUrl, max: 2 }) : undefined;
  const pool: PgPoolLike = owned ?? (options as { pool: PgPoolLike }).pool;
  let engine: FieldEngine | undefined;
  try {
    const directory = new PgDataKeyDirectory(pool);
    // A dry run writes nothing, not even the key table: new keys stay in memory.
    const engineDirectory = !options.dryRun
      ? directory
      : (await directory.exists())
        ? new DryRunDirectory(directory)
        : new MemoryDataKeyDirectory();
    engine = new FieldEngine({
      backend,
      directory: engineDirectory,
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.keyId ? { keyId: options.keyId } : {}),
    });
    if (!options.dryRun) await directory.ensureTable();
    return await fn({ pool, directory, engineDirectory, engine, backend });
  } finally {
    engine?.close();
    await owned?.end();
  }
};

const run = (options: MigrationOptions, make: (s: Session) => Promise<ops.Operation>): Promise<MigrationResult> =>
  withSession(options, async (s) =>
    runMigration({
      pool: s.pool,
      table: resolveTable(options.table),
      operation: await make(s),
      batchSize: options.batchSize ?? 500,
      dryRun: options.dryRun ?? false,
      restart: options.restart ?? false,
      signal: options.signal,
      onProgress: options.onProgress,
    }),
  );

/** Encrypt every plaintext value of the listed columns (and fill their blind indexes). */
export const backfill = (options: MigrationOptions): Promise<MigrationResult> =>
  run(options, async (s) => ops.backfill(resolveTable(options.table), s.engine));

/**
 * The backend key version new data keys are wrapped under now, found by wrapping one throwaway
 * data key into a memory directory (nothing is written to the database).
 */
export const currentKeyTarget = async (
  backend: FieldKeyBackend,
  options: { tenant?: string; keyId?: string } = {},
): Promise<ops.KeyTarget> => {
  const mem = new MemoryDataKeyDirectory();
  const probe = new FieldEngine({
    backend,
    directory: mem,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.keyId ? { keyId: options.keyId } : {}),
  });
  try {
    const ct = await probe.encrypt('probe', { table: 'quantumapi', column: 'probe' });
    const rec = (await mem.get(probe.tenant, parseField(ct).dataKeyId))!;
    return { keyId: rec.keyId, keyVersion: rec.keyVersion };
  } finally {
    probe.close();
  }
};

/**
 * Re-encrypt every value whose data key is not wrapped by the current version of the target key
 * (rotate the backend key first: `client.encryption.keys.rotate(id)` or `qapi keys rotate`).
 * Old versions keep decrypting during and after the run.
 */
export const rotate = (options: MigrationOptions): Promise<MigrationResult> =>
  run(options, async (s) =>
    ops.rotate(
      resolveTable(options.table),
      s.engine,
      s.engineDirectory,
      await currentKeyTarget(s.backend, {
        ...(options.tenant ? { tenant: options.tenant } : {}),
        ...(options.keyId ? { keyId: options.keyId } : {}),
      }),
    ),
  );

/** Recompute blind indexes under each index's `version` (keep the old ones in `previousVersions` meanwhile). */
export const reindex = (options: MigrationOptions): Promise<MigrationResult> =>
  run(options, async (s) => ops.reindex(resolveTable(options.table), s.engine));

/** The way out: decrypt the listed columns back to plaintext text. */
export const decryptColumns = (options: MigrationOptions): Promise<MigrationResult> =>
  run(options, async (s) => ops.decrypt(resolveTable(options.table), s.engine));

export interface ColumnCensus {
  readonly encrypted: number;
  readonly plaintext: number;
  readonly null: number;
}

export interface MigrationStatusReport {
  readonly jobs: readonly Checkpoint[];
  /** Per listed column, when a table spec was given. */
  readonly columns: Readonly<Record<string, ColumnCensus>>;
}

/** Every recorded job (optionally for one table), and how many values of each column are encrypted. */
export const migrationStatus = async (
  options: DatabaseOption & { readonly table?: TableSpec },
): Promise<MigrationStatusReport> => {
  const owned = 'databaseUrl' in options ? new pg.Pool({ connectionString: options.databaseUrl, max: 1 }) : undefined;
  const pool: PgPoolLike = owned ?? (options as { pool: PgPoolLike }).pool;
  try {
    const resolved = options.table ? resolveTable(options.table) : undefined;
    const exists = ((await pool.query(`SELECT to_regclass('quantumapi_migrations') AS t`)).rows[0] as { t: unknown }).t;
    const jobs = exists ? await listJobs(pool, resolved?.table) : [];
    const columns: Record<string, ColumnCensus> = {};
    for (const c of resolved?.columns ?? []) {
      const q = quoteIdent(c.column);
      const row = (
        await pool.query(
          `SELECT count(*) FILTER (WHERE ${q} LIKE 'qf1.%') AS enc,
                  count(*) FILTER (WHERE ${q} IS NOT NULL AND ${q} NOT LIKE 'qf1.%') AS plain,
                  count(*) FILTER (WHERE ${q} IS NULL) AS nul
           FROM ${quoteIdent(resolved!.table)}`,
        )
      ).rows[0] as { enc: string; plain: string; nul: string };
      columns[c.column] = { encrypted: Number(row.enc), plaintext: Number(row.plain), null: Number(row.nul) };
    }
    return { jobs, columns };
  } finally {
    await owned?.end();
  }
};

// A table spec is resolved (and checked) once per object: lookups run on every query, and the
// engine keeps one prepared lookup per resolved index definition.
const resolvedSpecs = new WeakMap<TableSpec, ResolvedTable>();
const resolvedSpec = (table: TableSpec): ResolvedTable => {
  let r = resolvedSpecs.get(table);
  if (!r) {
    r = resolveTable(table);
    resolvedSpecs.set(table, r);
  }
  return r;
};

/**
 * The blind-index values an equality lookup must match while a re-index is under way: the current
 * version first, then each of the column's `previousVersions` (the field engine's `indexLookup`,
 * as in the ORM adapters). Use as `WHERE email_hash = ANY($1)`. The spec is read once per object:
 * pass the same (unchanged) object on every call.
 */
export const indexLookupValues = async (
  engine: FieldEngine,
  table: TableSpec,
  column: string,
  value: FieldValue,
): Promise<string[]> => {
  const col: ResolvedColumn | undefined = resolvedSpec(table).columns.find((c) => c.column === column);
  if (!col?.index) throw new InvalidOptionsError(`column ${column} has no blind index in this table spec`);
  return (await engine.indexLookup(col.index, col.previousIndexVersions))(value);
};
