/** `@quantumapi/prisma`: transparent PII column encryption with searchable blind indexes. */
export { DATA_KEYS_TABLE_SQL, PrismaDataKeyDirectory, type RawSqlClient } from './directory.js';
export { createPrismaFieldEngine, type PrismaFieldEngineOptions } from './engine.js';
export type { QuantumApiPrismaExtension } from './extension-types.js';
export { type EncryptedFieldTypes, encryptedInput, type FieldTypeMap, type WithFieldTypes } from './field-types.js';
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
/** The application-side value types, for the generated field types. */
export type { FieldValueOf, JsonValue } from '@quantumapi/sdk/fields';
