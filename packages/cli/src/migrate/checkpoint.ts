/**
 * The checkpoint table. Each batch reads its job row `FOR UPDATE`, changes its rows and advances
 * the cursor in one transaction: a crash at any point leaves either the whole batch and its cursor
 * or neither, so a rerun resumes exactly after the last committed row. The row lock also makes a
 * second runner of the same job wait and then continue from the first one's cursor.
 */
import type { PgClientLike, PgPoolLike } from './pg.js';

export const CHECKPOINT_TABLE = 'quantumapi_migrations';

export const CHECKPOINT_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (
  id           TEXT   PRIMARY KEY,
  operation    TEXT   NOT NULL,
  table_name   TEXT   NOT NULL,
  target       TEXT   NOT NULL,
  status       TEXT   NOT NULL,
  cursor       TEXT,
  rows_seen    BIGINT NOT NULL DEFAULT 0,
  rows_changed BIGINT NOT NULL DEFAULT 0,
  started_at   TEXT   NOT NULL,
  updated_at   TEXT   NOT NULL,
  finished_at  TEXT
)`;

export type JobStatus = 'running' | 'done';

export interface Checkpoint {
  readonly id: string;
  readonly operation: string;
  readonly table: string;
  readonly target: string;
  readonly status: JobStatus;
  /** Primary key of the last committed row, as text; null before the first batch. */
  readonly cursor: string | null;
  readonly rowsSeen: number;
  readonly rowsChanged: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

interface Row {
  id: string;
  operation: string;
  table_name: string;
  target: string;
  status: string;
  cursor: string | null;
  rows_seen: string | number;
  rows_changed: string | number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

const toCheckpoint = (r: Row): Checkpoint => ({
  id: r.id,
  operation: r.operation,
  table: r.table_name,
  target: r.target,
  status: r.status as JobStatus,
  cursor: r.cursor,
  rowsSeen: Number(r.rows_seen),
  rowsChanged: Number(r.rows_changed),
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

type Queryable = Pick<PgPoolLike, 'query'> | PgClientLike;

export const ensureCheckpointTable = async (db: Queryable): Promise<void> => {
  await db.query(CHECKPOINT_TABLE_SQL);
};

/** Creates the job row if it is new; returns the stored one either way. */
export const openJob = async (
  db: Queryable,
  job: { id: string; operation: string; table: string; target: string },
  now: string,
): Promise<Checkpoint> => {
  await db.query(
    `INSERT INTO ${CHECKPOINT_TABLE} (id, operation, table_name, target, status, started_at, updated_at)
     VALUES ($1, $2, $3, $4, 'running', $5, $5) ON CONFLICT (id) DO NOTHING`,
    [job.id, job.operation, job.table, job.target, now],
  );
  return (await readJob(db, job.id))!;
};

export const readJob = async (db: Queryable, id: string, forUpdate = false): Promise<Checkpoint | undefined> => {
  const res = await db.query(`SELECT * FROM ${CHECKPOINT_TABLE} WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  const row = res.rows[0] as Row | undefined;
  return row ? toCheckpoint(row) : undefined;
};

export const listJobs = async (db: Queryable, table?: string): Promise<Checkpoint[]> => {
  const res = table
    ? await db.query(`SELECT * FROM ${CHECKPOINT_TABLE} WHERE table_name = $1 ORDER BY started_at, id`, [table])
    : await db.query(`SELECT * FROM ${CHECKPOINT_TABLE} ORDER BY started_at, id`);
  return (res.rows as unknown as Row[]).map(toCheckpoint);
};

export const advanceJob = async (
  client: PgClientLike,
  id: string,
  step: { cursor: string; seen: number; changed: number },
  now: string,
): Promise<void> => {
  await client.query(
    `UPDATE ${CHECKPOINT_TABLE} SET cursor = $2, rows_seen = rows_seen + $3, rows_changed = rows_changed + $4,
       updated_at = $5 WHERE id = $1`,
    [id, step.cursor, step.seen, step.changed, now],
  );
};

export const finishJob = async (client: Queryable, id: string, now: string): Promise<void> => {
  await client.query(
    `UPDATE ${CHECKPOINT_TABLE} SET status = 'done', updated_at = $2, finished_at = $2 WHERE id = $1`,
    [id, now],
  );
};

/** Starts a finished job over (a new pass, e.g. to pick up rows written in plaintext since). */
export const restartJob = async (db: Queryable, id: string, now: string): Promise<void> => {
  await db.query(
    `UPDATE ${CHECKPOINT_TABLE} SET status = 'running', cursor = NULL, rows_seen = 0, rows_changed = 0,
       started_at = $2, updated_at = $2, finished_at = NULL WHERE id = $1`,
    [id, now],
  );
};
