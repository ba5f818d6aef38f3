/** `@quantumapi/cli`: the migration engine behind `qapi migrate`, as a library. */
export {
  backfill,
  type ColumnCensus,
  currentKeyTarget,
  type DatabaseOption,
  decryptColumns,
  indexLookupValues,
  type KeySource,
  type MigrationOptions,
  type MigrationResult,
  type MigrationStatus,
  type MigrationStatusReport,
  migrationStatus,
  reindex,
  rotate,
} from './migrate/api.js';
export { CHECKPOINT_TABLE, CHECKPOINT_TABLE_SQL, type Checkpoint, type JobStatus } from './migrate/checkpoint.js';
export type { KeyTarget, OperationName } from './migrate/operations.js';
export { DATA_KEYS_TABLE_SQL, PgDataKeyDirectory } from './migrate/pg.js';
export {
  formatProgressBar,
  formatProgressLine,
  type MigrationProgress,
  type ProgressCallback,
  type ProgressSink,
  progressReporter,
} from './migrate/progress.js';
export {
  type ColumnSpec,
  type IndexSpec,
  type PrismaManifestLike,
  type TableSpec,
  tableFromPrismaManifest,
} from './migrate/spec.js';
