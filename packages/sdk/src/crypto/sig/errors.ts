/**
 * Token-verification refusals that have their own stable codes but no class in src/errors.ts yet.
 * They live here so the JWS verifier (and the identity layer above it) can throw them.
 */
import { QuantumApiError, type QuantumApiErrorOptions } from '../../errors.js';

/** The token's `alg` is well-formed and implemented, but the caller's allow-list does not admit it. */
export class AlgorithmNotAllowedError extends QuantumApiError {
  declare readonly code: 'ALGORITHM_NOT_ALLOWED';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('ALGORITHM_NOT_ALLOWED', message, options);
  }
}

/** The token's `alg` does not match the algorithm the verification key is bound to. */
export class KeyAlgorithmMismatchError extends QuantumApiError {
  declare readonly code: 'KEY_ALGORITHM_MISMATCH';
  constructor(message: string, options?: QuantumApiErrorOptions) {
    super('KEY_ALGORITHM_MISMATCH', message, options);
  }
}
