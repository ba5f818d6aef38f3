/**
 * The Prisma client extension: every model operation goes through here. Arguments are rewritten
 * (encrypt writes, blind-index filters, refuse what encrypted columns cannot do), the query runs,
 * and results are decrypted with their declared types.
 */
import { Prisma } from '@prisma/client/extension';
import type { FieldEngine } from '@quantumapi/sdk/fields';
import { type EncryptionManifest, type ResolvedModel, resolveManifest } from './manifest.js';
import { decryptResult } from './read.js';
import { type Args, isPlainObject } from './shapes.js';
import { QueryRewriter } from './where.js';
import { WriteBatch, WriteTransformer } from './write.js';

export interface QuantumApiPrismaOptions {
  readonly engine: FieldEngine;
  readonly manifest: EncryptionManifest;
}

const UNIQUE_WHERE = new Set(['findUnique', 'findUniqueOrThrow', 'update', 'upsert', 'delete']);

/** Rewrites one model operation's arguments. Exported for tests and for other query layers. */
export const rewriteArgs = async (
  rw: QueryRewriter,
  model: ResolvedModel,
  operation: string,
  args: Args | undefined,
): Promise<Args | undefined> => {
  if (!args) return args;
  await rw.prepare();
  const out: Args = { ...args };
  const batch = new WriteBatch();
  const wt = new WriteTransformer(rw, batch);
  if (args.where !== undefined) out.where = rw.where(model, args.where, UNIQUE_WHERE.has(operation));
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

export const quantumApiEncryption = (options: QuantumApiPrismaOptions) => {
  const manifest = resolveManifest(options.manifest);
  const rw = new QueryRewriter(manifest, options.engine);
  return Prisma.defineExtension({
    name: '@quantumapi/prisma',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          const m = manifest.models.get(model);
          if (!m) return query(args);
          const rewritten = await rewriteArgs(rw, m, operation, isPlainObject(args) ? args : undefined);
          const result = await query((rewritten ?? args) as typeof args);
          return decryptResult(manifest, options.engine, m, result);
        },
      },
    },
  });
};
