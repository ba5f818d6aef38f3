/**
 * The Prisma client extension: every model operation goes through here. Arguments are rewritten
 * (encrypt writes, blind-index filters, refuse what encrypted columns cannot do), the query runs,
 * and results are decrypted with their declared types.
 */
import { Prisma } from '@prisma/client/extension';
import type { FieldEngine } from '@quantumapi/sdk/fields';
import type { QuantumApiPrismaExtension } from './extension-types.js';
import { type EncryptionManifest, type ResolvedModel, resolveManifest } from './manifest.js';
import { decryptResult } from './read.js';
import { type Args, isPlainObject, unsupported } from './shapes.js';
import { QueryRewriter, type UniqueProbe } from './where.js';
import { WriteBatch, WriteTransformer } from './write.js';

export interface QuantumApiPrismaOptions<M extends EncryptionManifest = EncryptionManifest, S extends boolean = false> {
  readonly engine: FieldEngine;
  /** The generated manifest (its field types then reach every result type) or a hand-written one. */
  readonly manifest: M;
  /**
   * Types only. `true`: encrypted columns take only their declared types in writes, filters only
   * what a blind index answers, and no `orderBy`, `distinct` or value aggregates (`_min`, `by`,
   * `having`...), so what the extension refuses at run time does not compile. Default `false`:
   * Prisma's own input types are accepted beside the declared ones, so arguments typed with
   * Prisma's generated types (`Prisma.UserWhereInput`...) still fit; the run-time checks are the
   * same either way.
   */
  readonly strictTypes?: S;
}

const UNIQUE_WHERE = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'upsert', 'delete']);

/**
 * Unique lookups that can be run once per blind-index version while a re-index runs: each try
 * either finds its one record or reports it missing (null, or a P2025 error) without writing
 * anything.
 */
const PROBED = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'delete']);

const rewrite = async (
  rw: QueryRewriter,
  model: ResolvedModel,
  operation: string,
  args: Args,
  probes: UniqueProbe[] | undefined,
): Promise<Args> => {
  await rw.prepare();
  const out: Args = { ...args };
  const batch = new WriteBatch();
  const wt = new WriteTransformer(rw, batch);
  if (args.where !== undefined) out.where = rw.where(model, args.where, UNIQUE_WHERE.has(operation), probes);
  if (args.cursor !== undefined) out.cursor = rw.where(model, args.cursor, true);
  if (args.orderBy !== undefined) rw.checkOrderBy(model, args.orderBy);
  rw.checkFieldList(model, args.distinct, 'distinct');
  if (operation === 'groupBy') rw.checkFieldList(model, args.by, 'groupBy');
  rw.checkAggregates(model, args);
  if (args.select !== undefined) out.select = rw.selection(model, args.select);
  if (args.include !== undefined) out.include = rw.selection(model, args.include);

  const isUpdate = operation.startsWith('update');
  if (args.data !== undefined) out.data = wt.data(model, args.data, isUpdate ? 'update' : 'create');
  if (operation === 'upsert') {
    out.create = wt.data(model, args.create, 'create');
    out.update = wt.data(model, args.update, 'update');
  }
  await batch.apply(rw);
  return out;
};

/**
 * Rewrites one model operation's arguments. Exported for tests and for other query layers.
 * A unique lookup by an encrypted column whose index has `previousVersions` needs one try per
 * version: it throws FieldUnsupportedOperationError here (use `rewriteAttempts`).
 */
export const rewriteArgs = async (
  rw: QueryRewriter,
  model: ResolvedModel,
  operation: string,
  args: Args | undefined,
): Promise<Args | undefined> => (args ? rewrite(rw, model, operation, args, undefined) : args);

/**
 * The rewritten arguments to run in order until one finds its record: one object, except for a
 * unique lookup by an encrypted column while a re-index runs (`previousVersions`), which gets one
 * object per index version. Data is encrypted once; the attempts differ only in the index value
 * of the `where`.
 *
 * - findUnique(OrThrow) / update / delete: the current version first; a miss moves on.
 * - upsert: the previous version first. If the record is there it is updated; if not, the create
 *   (indexed under the current version) either succeeds, so the record was under neither version,
 *   or fails on the unique index (P2002) because the record is under the current version, which
 *   the second try then updates. Trying the current version first would instead create a duplicate
 *   of a record still under the previous one. This needs exactly one previous version, and no
 *   `$transaction` around it: a failed insert aborts a PostgreSQL transaction, and in a batch the
 *   second try would run outside it.
 */
export const rewriteAttempts = async (
  rw: QueryRewriter,
  model: ResolvedModel,
  operation: string,
  args: Args,
  options: { readonly transaction?: 'batch' | 'itx' } = {},
): Promise<readonly Args[]> => {
  const probes: UniqueProbe[] = [];
  // In a batch $transaction every try after the first would run outside it (and a P2025 miss
  // would roll the batch back), so there the lookup is refused like any other unique lookup.
  const tryEach =
    (PROBED.has(operation) && options.transaction !== 'batch') ||
    (operation === 'upsert' && options.transaction === undefined);
  const out = await rewrite(rw, model, operation, args, tryEach ? probes : undefined);
  const probe = probes[0];
  if (!probe) return [out];
  const attempt = (value: string) => ({ ...out, where: { ...(out.where as Args), [probe.column]: value } });
  if (operation !== 'upsert') return probe.values.map(attempt);
  if (probe.values.length !== 2) {
    throw unsupported(
      probe.field,
      'upsert while a re-index runs with more than one previous version',
      'a record under an older version could be duplicated; re-index to one previous version first, or use another unique key',
    );
  }
  const [current, previous] = probe.values as [string, string];
  return [attempt(previous), attempt(current)];
};

const isNotFound = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === 'P2025';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Runs the attempts until one finds its record. A miss (findUnique's null, or P2025 from
 * findUniqueOrThrow / update / delete) moves on to the next version; the last miss is the
 * operation's result, so semantics are those of one unique lookup. Any other error stops.
 */
const firstFound = async (attempts: readonly Args[], run: (args: Args) => Promise<unknown>): Promise<unknown> => {
  let first: unknown;
  for (const [i, attempt] of attempts.entries()) {
    const last = i === attempts.length - 1;
    try {
      const result = await run(attempt);
      if (result !== null || last) return result;
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // A P2025 worded differently from the first miss came from a try that found its record
      // and failed further in (a nested connect, say): that is the error worth reporting.
      if (first !== undefined && messageOf(e) !== messageOf(first)) throw e;
      first ??= e;
      if (last) throw first;
    }
  }
  return null;
};

/** The upsert attempts: the first one's unique-index violation (P2002) moves on to the second. */
const firstUpserted = async (attempts: readonly Args[], run: (args: Args) => Promise<unknown>): Promise<unknown> => {
  try {
    return await run(attempts[0]!);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    return run(attempts[1]!);
  }
};

const isUniqueViolation = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === 'P2002';

/**
 * Whether the operation is part of a `$transaction`, batch (`[...]`) or interactive. Prisma does
 * not expose this publicly; it is read from the callback's (untyped) `__internalParams`, and the
 * re-index tests on both kinds guard that assumption on the Prisma versions the suites run.
 */
const transactionKind = (params: object): 'batch' | 'itx' | undefined => {
  const kind = (params as { __internalParams?: { transaction?: { kind?: unknown } } }).__internalParams?.transaction
    ?.kind;
  return kind === 'batch' || kind === 'itx' ? kind : undefined;
};

/**
 * The client extension: `base.$extends(quantumApiEncryption({ engine, manifest }))`. Results of
 * the extended client are typed with each encrypted field's declared type (see extension-types.ts).
 */
export const quantumApiEncryption = <const M extends EncryptionManifest, S extends boolean = false>(
  options: QuantumApiPrismaOptions<M, S>,
): QuantumApiPrismaExtension<M, S> => {
  const manifest = resolveManifest(options.manifest);
  const rw = new QueryRewriter(manifest, options.engine);
  return Prisma.defineExtension({
    name: '@quantumapi/prisma',
    query: {
      $allModels: {
        async $allOperations(params) {
          const { model, operation, args, query } = params;
          const m = manifest.models.get(model);
          if (!m) return query(args);
          const attempts = isPlainObject(args)
            ? await rewriteAttempts(rw, m, operation, args, { transaction: transactionKind(params) })
            : [args];
          const run = (a: Args) => query(a as typeof args);
          const result =
            attempts.length === 1
              ? await run(attempts[0]!)
              : operation === 'upsert'
                ? await firstUpserted(attempts, run)
                : await firstFound(attempts, run);
          return decryptResult(manifest, options.engine, m, result);
        },
      },
    },
    // Types only: the query hook above is what makes results match the declared field types.
  }) as unknown as QuantumApiPrismaExtension<M, S>;
};
