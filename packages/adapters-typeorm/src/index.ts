/** `@quantumapi/typeorm`: transparent PII column encryption with searchable blind indexes for TypeORM. */
export { BlindIndex, type BlindIndexOptions, Encrypted, type EncryptedOptions } from './decorators.js';
export { type ResolvedEntity, type ResolvedField, type ResolvedIndex, resolveEntity } from './model.js';
export { dataKeysTableSql, type SqlDialect, TypeOrmDataKeyDirectory } from './directory.js';
export {
  type QuantumApiRegistration,
  type QuantumApiTypeOrmOptions,
  registerQuantumApi,
} from './register.js';
export { assertNoEncryptedStringConditions } from './string-conditions.js';
export { QuantumApiSubscriber } from './subscriber.js';
export {
  assertNoEncryptedOrder,
  encryptedFind,
  encryptedRepository,
  encryptedWhere,
  type ActiveRecordClass,
  type RepositoryLike,
  type WhereEncryptedOptions,
  whereEncrypted,
} from './where.js';
