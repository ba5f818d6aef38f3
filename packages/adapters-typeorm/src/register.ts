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
import { nodeHmacSha3_256 } from './node-hmac.js';
import { QuantumApiSubscriber } from './subscriber.js';

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
}

export interface QuantumApiRegistration {
  readonly engine: FieldEngine;
  readonly subscriber: QuantumApiSubscriber;
  /** Removes the subscriber and wipes cached keys. */
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
      hmacSha3_256: nodeHmacSha3_256,
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
  dataSource.subscribers.push(subscriber);
  return {
    engine,
    subscriber,
    close: () => {
      const i = dataSource.subscribers.indexOf(subscriber);
      if (i >= 0) dataSource.subscribers.splice(i, 1);
      detachAdapter(dataSource);
      engine.close();
    },
  };
};
