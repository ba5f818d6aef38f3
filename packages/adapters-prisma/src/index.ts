/** `@quantumapi/prisma`: transparent PII column encryption with searchable blind indexes. */
export { DATA_KEYS_TABLE_SQL, PrismaDataKeyDirectory, type RawSqlClient } from './directory.js';
export { createPrismaFieldEngine, type PrismaFieldEngineOptions } from './engine.js';
export { type QuantumApiPrismaOptions, quantumApiEncryption, rewriteArgs, rewriteAttempts } from './extension.js';
export {
  defineEncryptionManifest,
  type EncryptedFieldIndexSpec,
  type EncryptedFieldSpec,
  type EncryptionManifest,
  type ModelSpec,
  type ResolvedManifest,
  resolveManifest,
} from './manifest.js';
