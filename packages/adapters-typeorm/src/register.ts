/**
 * `registerQuantumApi(dataSource, { backend | engine })`: builds (or takes) the field engine,
 * creates the data-key table, loads the index root and a first data key, and adds the
 * subscriber. Call it after `dataSource.initialize()` and before the application writes.
 */
import type { DataKeyCachePolicy, FieldEngine, FieldKeyBackend } from '@quantumapi/sdk/fields';
import { FieldConfigError, FieldEngine as Engine } from '@quantumapi/sdk/fields';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { attachAdapter, detachAdapter, QuantumApiAdapter } from './adapter.js';
import { TypeOrmDataKeyDirectory } from './directory.js';
import { hookQueryBuilders } from './query-hooks.js';
import { ClosedGuardSubscriber, QuantumApiSubscriber } from './subscriber.js';

const closedGuards = new WeakMap<DataSource, ClosedGuardSubscriber>();

const replaceSubscriber = (ds: DataSource, old: object | undefined, next: object | undefined): void => {
  const i = old ? ds.subscribers.indexOf(old as never) : -1;
  if (i >= 0) ds.subscribers.splice(i, 1);
  if (next) ds.subscribers.push(next as never);
};

export interface QuantumApiTypeOrmOptions {
  /** A ready engine (its directory must be shared by every process reading the table)... */
  readonly engine?: FieldEngine;
  /** ...or a backend (local or http): the engine is built on the `quantumapi_data_keys` table. */
  readonly backend?: FieldKeyBackend;
  /** Bound into blind-index keys and key records. Default "default". */
  readonly tenant?: string;
  /** Backend key that wraps data keys (the backend's default when absent). */
  readonly keyId?: string;
  readonly cache?: Partial<DataKeyCachePolicy>;
  /** Create `quantumapi_data_keys` when missing (default true; false when migrations own it). */
  readonly createTable?: boolean;
  /**
   * Default true: plain finders (`repo.findOneBy({ email })`, `User.findBy(...)`, `count`,
   * `update(criteria)`, `delete(criteria)`, QueryBuilder object conditions) rewrite encrypted
   * properties to their blind index and refuse what an index cannot answer. With false, only the
   * explicit helpers (`encryptedRepository`, `encryptedWhere`, `whereEncrypted`) do. Either way,
   * an INSERT or UPDATE with listeners off that carries a plaintext for an encrypted column is
   * refused before it runs (write-guard.ts).
   */
  readonly rewriteQueries?: boolean;
}

export interface QuantumApiRegistration {
  readonly engine: FieldEngine;
  readonly subscriber: QuantumApiSubscriber;
  /**
   * Removes the subscriber and the query hooks and wipes cached keys. Until the DataSource is
   * registered again, writing or loading an encrypted entity through it throws FieldConfigError
   * (rather than storing plaintext or returning ciphertext as values).
   */
  close(): void;
}

const optionsSchema = z
  .object({
    engine: z.custom<FieldEngine>((e) => e instanceof Engine).optional(),
    backend: z.custom<FieldKeyBackend>((b) => typeof b === 'object' && b !== null).optional(),
    tenant: z.string().min(1).max(200).optional(),
    keyId: z.string().min(1).optional(),
    cache: z.record(z.string(), z.number()).optional(),
    createTable: z.boolean().optional(),
    rewriteQueries: z.boolean().optional(),
  })
  .refine((o) => (o.engine === undefined) !== (o.backend === undefined), {
    message: 'exactly one of engine or backend',
  });

export const registerQuantumApi = async (
  dataSource: DataSource,
  options: QuantumApiTypeOrmOptions,
): Promise<QuantumApiRegistration> => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new FieldConfigError(
      `invalid QuantumAPI TypeORM options: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    );
  }
  if (!dataSource.isInitialized) throw new FieldConfigError('initialize the DataSource before registerQuantumApi');
  const directory = new TypeOrmDataKeyDirectory(dataSource);
  let engine = options.engine;
  if (!engine) {
    if (options.createTable !== false) await directory.ensureTable();
    engine = new Engine({
      backend: options.backend!,
      directory,
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.keyId ? { keyId: options.keyId } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    });
  }
  const adapter = new QuantumApiAdapter(dataSource, engine);
  // Key material is loaded now, outside any transaction the application opens later.
  await adapter.prepare();
  attachAdapter(dataSource, adapter);
  const subscriber = new QuantumApiSubscriber(adapter);
  replaceSubscriber(dataSource, closedGuards.get(dataSource), subscriber);
  closedGuards.delete(dataSource);
  const unhook = hookQueryBuilders(dataSource, options.rewriteQueries !== false);
  let closed = false;
  return {
    engine,
    subscriber,
    close: () => {
      if (closed) return;
      closed = true;
      const guard = new ClosedGuardSubscriber();
      replaceSubscriber(dataSource, subscriber, guard);
      closedGuards.set(dataSource, guard);
      unhook();
      detachAdapter(dataSource);
      engine.close();
    },
  };
};
