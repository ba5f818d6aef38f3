/**
 * Field-engine errors. They reuse the existing codes (FIELD_UNSUPPORTED_OPERATION, FIELD_CONFIG):
 * adapters catch them by code, and messages name tables/columns, never values.
 */
import { QuantumApiError, type QuantumApiErrorOptions } from '../errors.js';

/** An operation an encrypted column cannot serve (`contains`, `orderBy`, `gt`...). Names the column. */
export class FieldUnsupportedOperationError extends QuantumApiError {
  declare readonly code: 'FIELD_UNSUPPORTED_OPERATION';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('FIELD_UNSUPPORTED_OPERATION', message, options);
  }
}

/** A field/index declaration is invalid or inconsistent with the data (e.g. wrong value type). */
export class FieldConfigError extends QuantumApiError {
  declare readonly code: 'FIELD_CONFIG';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('FIELD_CONFIG', message, options);
  }
}

/** A ciphertext decrypted to a value of another type than the caller declared. */
export class FieldTypeMismatchError extends FieldConfigError {}

// The shared errors the field engine throws, so that `@quantumapi/sdk/fields` users (the ORM
// adapters) can catch and throw them without loading the whole client entry point.
export {
  DecryptionFailedError,
  InvalidCiphertextError,
  InvalidInputError,
  KeyNotFoundError,
  QuantumApiError,
  StoreUnavailableError,
  UnsupportedAlgorithmError,
} from '../errors.js';
