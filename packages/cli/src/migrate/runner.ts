/**
 * The batch loop shared by every operation: keyset pagination over the primary key, one
 * transaction per batch holding the job's checkpoint row and the batch's rows (`FOR UPDATE`, so
 * application writes to those rows wait a moment instead of racing the rewrite), and the cursor
 * advanced in that same transaction. Dry runs read and plan the same batches but write nothing.
 */
import { FieldConfigError } from '@quantumapi/sdk';
import {
  advanceJob,
  type Checkpoint,
  ensureCheckpointTable,
  finishJob,
  openJob,
  readJob,
  restartJob,
} from './checkpoint.js';
import type { DbRow, Operation, RowChange } from './operations.js';
import { columnType, inTransaction, type PgClientLike, type PgPoolLike, quoteIdent } from './pg.js';
import type { MigrationProgress, ProgressCallback } from './progress.js';
import { batchRowNamer } from './row-ref.js';
import type { ResolvedTable } from './spec.js';

export interface RunOptions {
  readonly pool: PgPoolLike;
  readonly table: ResolvedTable;
  readonly operation: Operation;
  readonly batchSize: number;
  readonly dryRun: boolean;
  readonly restart: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ProgressCallback | undefined;
}

export type MigrationStatus = 'done' | 'already-done' | 'aborted';

export interface MigrationResult {
  readonly jobId: string;
  readonly operation: string;
  readonly table: string;
  readonly status: MigrationStatus;
  readonly dryRun: boolean;
  /** Rows looked at / rewritten by this run (a dry run: that would be rewritten). */
  readonly rowsSeen: number;
  readonly rowsChanged: number;
  /** Per column: values this run rewrote (or would). */
  readonly changedByColumn: Readonly<Record<string, number>>;
  /** Totals over every run of this job (resumed runs included); equal to this run's in a dry run. */
  readonly totalSeen: number;
  readonly totalChanged: number;
  readonly elapsedMs: number;
}

const cursorText = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

interface Batch {
  rows: DbRow[];
  keys: string[];
}

export const runMigration = async (o: RunOptions): Promise<MigrationResult> => {
  const { pool, table, operation } = o;
  const started = Date.now();
  const pkType = await columnType(pool, table.table, table.primaryKey);
  if (!pkType) {
    throw new FieldConfigError(`table ${table.table} has no column ${table.primaryKey}`, {
      details: { table: table.table, column: table.primaryKey },
    });
  }
  for (const c of operation.reads) {
    if (!(await columnType(pool, table.table, c))) {
      throw new FieldConfigError(`table ${table.table} has no column ${c}`, {
        details: { table: table.table, column: c },
      });
    }
  }
  const jobId = `${operation.name}:${table.table}:${operation.target}`;
  const t = quoteIdent(table.table);
  const pk = quoteIdent(table.primaryKey);
  const select = `SELECT ${[table.primaryKey, ...operation.reads].map(quoteIdent).join(', ')} FROM ${t}`;
  const page = (after: string | null, lock: boolean): [string, unknown[]] => [
    `${select} ${after === null ? '' : `WHERE ${pk} > $2::${pkType}`} ORDER BY ${pk} LIMIT $1${lock ? ' FOR UPDATE' : ''}`,
    after === null ? [o.batchSize] : [o.batchSize, after],
  ];
  const fetch = async (db: Pick<PgClientLike, 'query'>, after: string | null, lock: boolean): Promise<Batch> => {
    const [sql, params] = page(after, lock);
    const rows = (await db.query(sql, params)).rows as DbRow[];
    return { rows, keys: rows.map((r) => cursorText(r[table.primaryKey])) };
  };
  // Errors name a row by its key only for integer and UUID keys; otherwise by its position after
  // the cursor the run read from (the job's, or the table's start). A dry run reads on without
  // moving the job's cursor, so its positions count on from where it started.
  const rowNames = (batch: Batch, origin: string | null, firstPosition: number) =>
    batchRowNamer({
      keyType: pkType,
      keys: batch.keys,
      after: origin === null ? 'table-start' : 'job-cursor',
      firstPosition,
      jobId,
    });

  let job: Checkpoint | undefined;
  if (o.dryRun) {
    const exists = (await pool.query(`SELECT to_regclass('quantumapi_migrations') AS t`)).rows[0] as { t: unknown };
    job = exists.t ? await readJob(pool, jobId) : undefined;
    if (job?.status === 'done' && o.restart) job = undefined;
  } else {
    await ensureCheckpointTable(pool);
    const now = new Date().toISOString();
    job = await openJob(
      pool,
      { id: jobId, operation: operation.name, table: table.table, target: operation.target },
      now,
    );
    if (job.status === 'done' && o.restart) {
      await restartJob(pool, jobId, now);
      job = (await readJob(pool, jobId))!;
    }
  }

  const byColumn: Record<string, number> = {};
  let seen = 0;
  let changed = 0;
  const base = { seen: job?.rowsSeen ?? 0, changed: job?.rowsChanged ?? 0 };
  const result = (status: MigrationStatus): MigrationResult => ({
    jobId,
    operation: operation.name,
    table: table.table,
    status,
    dryRun: o.dryRun,
    rowsSeen: seen,
    rowsChanged: changed,
    changedByColumn: byColumn,
    totalSeen: o.dryRun ? seen : base.seen + seen,
    totalChanged: o.dryRun ? changed : base.changed + changed,
    elapsedMs: Date.now() - started,
  });
  if (job?.status === 'done') return result('already-done');

  let cursor = job?.cursor ?? null;
  const dryRunOrigin = cursor;
  const remaining = Number(
    (
      (
        await pool.query(
          `SELECT count(*) AS n FROM ${t}${cursor === null ? '' : ` WHERE ${pk} > $1::${pkType}`}`,
          cursor === null ? [] : [cursor],
        )
      ).rows[0] as { n: string }
    ).n,
  );
  const total = base.seen + remaining;
  const report = (done: boolean): void => {
    if (!o.onProgress) return;
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? seen / secs : 0;
    const processed = (o.dryRun ? 0 : base.seen) + seen;
    const p: MigrationProgress = {
      operation: operation.name,
      table: table.table,
      jobId,
      processed,
      changed: (o.dryRun ? 0 : base.changed) + changed,
      total: Math.max(total, processed),
      rowsPerSecond: rate,
      etaSeconds: rate > 0 ? Math.max(0, total - processed) / rate : undefined,
      done,
    };
    o.onProgress(p);
  };

  const count = (changes: (RowChange | undefined)[]): number => {
    let n = 0;
    for (const c of changes) {
      if (!c) continue;
      n++;
      for (const col of c.keys()) byColumn[col] = (byColumn[col] ?? 0) + 1;
    }
    return n;
  };

  for (;;) {
    if (o.signal?.aborted) {
      report(false);
      return result('aborted');
    }
    if (o.dryRun) {
      const batch = await fetch(pool, cursor, false);
      if (batch.rows.length === 0) break;
      changed += count(await operation.plan(batch.rows, rowNames(batch, dryRunOrigin, seen + 1)));
      seen += batch.rows.length;
      cursor = batch.keys[batch.keys.length - 1]!;
      report(false);
      continue;
    }
    const finished = await inTransaction(pool, async (client) => {
      const locked = await readJob(client, jobId, true);
      // Another runner of the same job may have moved on while this one waited for the lock.
      if (!locked || locked.status === 'done') return true;
      const batch = await fetch(client, locked.cursor, true);
      const now = new Date().toISOString();
      if (batch.rows.length === 0) {
        await finishJob(client, jobId, now);
        return true;
      }
      const changes = await operation.plan(batch.rows, rowNames(batch, locked.cursor, 1));
      await writeChanges(client, t, pk, pkType, batch, changes);
      const n = count(changes);
      const last = batch.keys[batch.keys.length - 1]!;
      await advanceJob(client, jobId, { cursor: last, seen: batch.rows.length, changed: n }, now);
      seen += batch.rows.length;
      changed += n;
      cursor = last;
      return false;
    });
    if (finished) break;
    report(false);
  }
  report(true);
  return result('done');
};

/**
 * One UPDATE per batch: `unnest` of typed arrays, and per column a flag telling "set this value"
 * (possibly NULL) from "leave it", so rows that change different columns share the statement.
 */
const writeChanges = async (
  client: PgClientLike,
  t: string,
  pk: string,
  pkType: string,
  batch: Batch,
  changes: (RowChange | undefined)[],
): Promise<void> => {
  const cols = new Set<string>();
  const idx: number[] = [];
  changes.forEach((c, i) => {
    if (!c) return;
    idx.push(i);
    for (const k of c.keys()) cols.add(k);
  });
  if (idx.length === 0) return;
  const columns = [...cols];
  const params: unknown[] = [idx.map((i) => batch.keys[i])];
  const sets: string[] = [];
  const unnest: string[] = [`$1::${pkType}[]`];
  const names: string[] = ['pk'];
  columns.forEach((c, k) => {
    params.push(idx.map((i) => (changes[i]!.has(c) ? changes[i]!.get(c)! : null)));
    params.push(idx.map((i) => changes[i]!.has(c)));
    unnest.push(`$${params.length - 1}::text[]`, `$${params.length}::boolean[]`);
    names.push(`v${k}`, `s${k}`);
    const q = quoteIdent(c);
    sets.push(`${q} = CASE WHEN v.s${k} THEN v.v${k} ELSE t.${q} END`);
  });
  await client.query(
    `UPDATE ${t} AS t SET ${sets.join(', ')} FROM unnest(${unnest.join(', ')}) AS v(${names.join(', ')}) WHERE t.${pk} = v.pk`,
    params,
  );
};
