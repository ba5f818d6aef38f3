/**
 * Vault errors. The codes already exist in ERROR_CODES; the classes live here because only the vault
 * raises them. Messages and details carry secret names and ids, never values.
 */
import { QuantumApiError, type QuantumApiErrorOptions } from '../errors.js';

/** No secret with that id or name (or that version) exists for the tenant. */
export class SecretNotFoundError extends QuantumApiError {
  declare readonly code: 'SECRET_NOT_FOUND';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('SECRET_NOT_FOUND', message, options);
  }
}

/** The secret exists but its state forbids the operation (read a deleted secret, purge a live one). */
export class SecretStateError extends QuantumApiError {
  declare readonly code: 'SECRET_STATE';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('SECRET_STATE', message, options);
  }
}

/**
 * `vault.resolve` could not resolve every entry. One error for all of them, so a service learns
 * everything that is missing from a single failed start-up. `missing` holds the variable names and
 * the references they pointed at; `causes` the per-entry codes. Never values.
 */
export class SecretsUnresolvedError extends QuantumApiError {
  declare readonly code: 'SECRETS_UNRESOLVED';
  readonly missing: readonly { readonly name: string; readonly ref: string; readonly code: string }[];
  constructor(
    missing: readonly { readonly name: string; readonly ref: string; readonly code: string }[],
    options?: QuantumApiErrorOptions,
  ) {
    const names = missing.map((m) => m.name);
    super('SECRETS_UNRESOLVED', `could not resolve ${names.length} secret(s): ${names.join(', ')}`, {
      ...options,
      details: { ...options?.details, missing: names.join(','), count: names.length },
    });
    this.missing = Object.freeze(missing.map((m) => Object.freeze({ ...m })));
  }
}
