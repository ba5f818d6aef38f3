/**
 * `qapi migrate backfill|rotate|reindex|decrypt|status`. The table comes from flags
 * (`--table users --column email --index email=email_hash`), a JSON table spec (`--spec`), or a
 * model of the Prisma adapter's encryption manifest (`--prisma-manifest m.json --model User`).
 * Progress goes to stderr, the result to stdout.
 */
import type { FieldValueType } from '@quantumapi/sdk';
import {
  backfill,
  decryptColumns,
  type MigrationOptions,
  type MigrationResult,
  migrationStatus,
  reindex,
  rotate,
} from '../../migrate/api.js';
import { progressReporter } from '../../migrate/progress.js';
import {
  type ColumnSpec,
  FIELD_VALUE_TYPES,
  type IndexSpec,
  type TableSpec,
  tableFromPrismaManifest,
} from '../../migrate/spec.js';
import { type Command, type CommandContext, type Flags, int, list, readJsonFile, str } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { printJson, renderRecord, renderTable } from '../io.js';

const tableOptions = {
  'database-url': { type: 'string' },
  table: { type: 'string' },
  'primary-key': { type: 'string' },
  column: { type: 'string', multiple: true },
  index: { type: 'string', multiple: true },
  spec: { type: 'string' },
  'prisma-manifest': { type: 'string' },
  model: { type: 'string' },
} as const;

const runOptions = {
  ...tableOptions,
  'batch-size': { type: 'string' },
  'dry-run': { type: 'boolean' },
  restart: { type: 'boolean' },
  'key-id': { type: 'string' },
  tenant: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** `email=email_hash`, `email=email_hash@2`, `email=email_hash@2,1` (version 2, version 1 still in the table). */
const parseIndex = (s: string): [string, IndexSpec] => {
  const m = /^([A-Za-z_][\w$]*)=([A-Za-z_][\w$]*)(?:@(\d+)((?:,\d+)*))?$/.exec(s);
  if (!m) throw new UsageError(`--index ${s}: expected column=indexColumn[@version[,previousVersion...]]`);
  const previous = m[4] ? m[4].slice(1).split(',').map(Number) : [];
  return [
    m[1]!,
    {
      name: m[2]!,
      ...(m[3] ? { version: Number(m[3]) } : {}),
      ...(previous.length ? { previousVersions: previous } : {}),
    },
  ];
};

export const tableFromFlags = async (flags: Flags, required: boolean): Promise<TableSpec | undefined> => {
  const specPath = str(flags, 'spec');
  if (specPath) return (await readJsonFile(specPath)) as TableSpec;
  const manifest = str(flags, 'prisma-manifest');
  if (manifest) {
    const model = str(flags, 'model');
    if (!model) throw new UsageError('--prisma-manifest needs --model');
    return tableFromPrismaManifest((await readJsonFile(manifest)) as never, model, {
      primaryKey: str(flags, 'primary-key') ?? 'id',
    });
  }
  const table = str(flags, 'table');
  if (!table) {
    if (required) throw new UsageError('name the table: --table (with --column), --spec or --prisma-manifest');
    return undefined;
  }
  const columns: Record<string, ColumnSpec> = {};
  for (const c of list(flags, 'column')) {
    const [name, type] = c.split(':');
    if (type !== undefined && !(FIELD_VALUE_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--column ${c}: type must be one of ${FIELD_VALUE_TYPES.join(', ')}`);
    }
    columns[name!] = type ? { type: type as FieldValueType } : {};
  }
  for (const i of list(flags, 'index')) {
    const [column, index] = parseIndex(i);
    columns[column] = { ...(columns[column] ?? {}), index };
  }
  if (Object.keys(columns).length === 0) throw new UsageError('list the encrypted columns with --column name[:type]');
  return { table, primaryKey: str(flags, 'primary-key') ?? 'id', columns };
};

const databaseUrl = (ctx: CommandContext): string => {
  const url = str(ctx.flags, 'database-url') ?? ctx.io.env['DATABASE_URL'];
  if (!url) throw new UsageError('give the database with --database-url or DATABASE_URL');
  return url;
};

const printResult = (ctx: CommandContext, r: MigrationResult): number => {
  if (ctx.output === 'json') printJson(ctx.io, r);
  else {
    const { changedByColumn, ...rest } = r;
    ctx.io.stdout.write(
      renderRecord({
        ...rest,
        changedByColumn: Object.entries(changedByColumn)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      }),
    );
  }
  return r.status === 'aborted' ? EXIT.INTERRUPTED : EXIT.OK;
};

const runner =
  (op: (o: MigrationOptions) => Promise<MigrationResult>) =>
  async (ctx: CommandContext): Promise<number> => {
    const table = (await tableFromFlags(ctx.flags, true))!;
    const batchSize = int(ctx.flags, 'batch-size');
    const keyId = str(ctx.flags, 'key-id');
    const tenant = str(ctx.flags, 'tenant');
    const r = await op({
      databaseUrl: databaseUrl(ctx),
      table,
      keys: ctx.client(),
      signal: ctx.signal,
      ...(batchSize ? { batchSize } : {}),
      ...(keyId ? { keyId } : {}),
      ...(tenant ? { tenant } : {}),
      ...(ctx.flags['dry-run'] ? { dryRun: true } : {}),
      ...(ctx.flags['restart'] ? { restart: true } : {}),
      ...(ctx.flags['quiet'] ? {} : { onProgress: progressReporter(ctx.io.stderr) }),
    });
    return printResult(ctx, r);
  };

const TABLE_USAGE =
  '(--table t --column c[:type]... [--index c=idx[@v[,prev]]]... [--primary-key id] | --spec f.json | --prisma-manifest f.json --model M) [--database-url url]';

export const migrateCommands: Record<string, Command> = {
  'migrate backfill': {
    usage: `qapi migrate backfill ${TABLE_USAGE} [--batch-size 500] [--dry-run] [--restart] [--key-id id]`,
    summary: 'encrypt existing plaintext values (and fill blind indexes); resumable',
    positionals: 0,
    options: runOptions,
    run: runner(backfill),
  },
  'migrate rotate': {
    usage: `qapi migrate rotate ${TABLE_USAGE} [--key-id id] [--batch-size 500] [--dry-run]`,
    summary: 're-encrypt values under the current key version (after qapi keys rotate)',
    positionals: 0,
    options: runOptions,
    run: runner(rotate),
  },
  'migrate reindex': {
    usage: `qapi migrate reindex ${TABLE_USAGE} [--batch-size 500] [--dry-run]`,
    summary: 'recompute blind indexes under the index version given with --index c=idx@version',
    positionals: 0,
    options: runOptions,
    run: runner(reindex),
  },
  'migrate decrypt': {
    usage: `qapi migrate decrypt ${TABLE_USAGE} [--batch-size 500] [--dry-run]`,
    summary: 'decrypt columns back to plaintext (leaving QuantumAPI)',
    positionals: 0,
    options: runOptions,
    run: runner(decryptColumns),
  },
  'migrate status': {
    usage: `qapi migrate status [${TABLE_USAGE}]`,
    summary: 'recorded jobs and, for a table, how many values are encrypted',
    positionals: 0,
    options: tableOptions,
    async run(ctx) {
      const table = await tableFromFlags(ctx.flags, false);
      const s = await migrationStatus({ databaseUrl: databaseUrl(ctx), ...(table ? { table } : {}) });
      if (ctx.output === 'json') {
        // A job's cursor is the last primary key it committed, which can be an email: terminals and
        // CI logs get only whether there is one (the migration API still returns it).
        printJson(ctx.io, { ...s, jobs: s.jobs.map(({ cursor, ...j }) => ({ ...j, hasCursor: cursor !== null })) });
        return 0;
      }
      ctx.io.stdout.write(
        renderTable(
          s.jobs.map((j) => ({ ...j, progress: `${j.rowsSeen} seen, ${j.rowsChanged} changed` })),
          ['operation', 'table', 'target', 'status', 'progress', 'updatedAt'],
        ),
      );
      const cols = Object.entries(s.columns);
      if (cols.length) {
        ctx.io.stdout.write(
          `\n${renderTable(
            cols.map(([column, c]) => ({ column, ...c })),
            ['column', 'encrypted', 'plaintext', 'null'],
          )}`,
        );
      }
      return 0;
    },
  },
};
