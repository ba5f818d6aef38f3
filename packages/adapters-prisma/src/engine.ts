/**
 * Convenience: a field engine whose data keys live in the app's database. The SDK's runtime
 * providers already pick node:crypto in Node (AES, HMAC-SHA3-256) and noble elsewhere.
 */
import { FieldEngine, type FieldEngineOptions } from '@quantumapi/sdk/fields';
import { PrismaDataKeyDirectory, type RawSqlClient } from './directory.js';

export interface PrismaFieldEngineOptions extends Omit<FieldEngineOptions, 'directory'> {
  /** The plain PrismaClient (not the extended one): used for the quantumapi_data_keys table. */
  readonly prisma: RawSqlClient;
  /** Create the table if it does not exist (default true; set false when migrations own it). */
  readonly createTable?: boolean;
}

/** Builds the engine, creates the key table when asked, and loads the index root and a data key. */
export const createPrismaFieldEngine = async (options: PrismaFieldEngineOptions): Promise<FieldEngine> => {
  const { prisma, createTable = true, ...rest } = options;
  const directory = new PrismaDataKeyDirectory(prisma);
  if (createTable) await directory.ensureTable();
  const engine = new FieldEngine({ ...rest, directory });
  // Key material is fetched now, outside any transaction the application opens later.
  await engine.prepare();
  return engine;
};
