/**
 * Exit codes are part of the CLI's contract (scripts branch on them); the README lists them.
 * Each QuantumApiError code maps to exactly one exit code.
 */
import { QuantumApiError } from '@quantumapi/sdk';

export const EXIT = Object.freeze({
  /** Success. */
  OK: 0,
  /** An unexpected failure (a bug, or an error without a QuantumAPI code). */
  FAILURE: 1,
  /** Bad command line: unknown command or flag, missing argument, invalid value. */
  USAGE: 2,
  /** The key, secret, certificate or job does not exist. */
  NOT_FOUND: 3,
  /** Verification failed: bad signature, ciphertext that does not decrypt, invalid token or certificate. */
  VERIFICATION_FAILED: 4,
  /** Configuration or credentials: missing/wrong master key or API key, permission denied, bad options. */
  CONFIG: 5,
  /** The backend or database could not be reached or answered with an error; retrying may help. */
  UNAVAILABLE: 6,
  /** The request was refused as it stands: invalid input, key state, conflict. */
  REJECTED: 7,
  /** Interrupted (SIGINT/SIGTERM): a migration stopped after its last committed batch. */
  INTERRUPTED: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_CODE: Readonly<Record<string, ExitCode>> = {
  NOT_FOUND: EXIT.NOT_FOUND,
  KEY_NOT_FOUND: EXIT.NOT_FOUND,
  SIGNATURE_INVALID: EXIT.VERIFICATION_FAILED,
  DECRYPTION_FAILED: EXIT.VERIFICATION_FAILED,
  INVALID_CIPHERTEXT: EXIT.VERIFICATION_FAILED,
  INVALID_JWS: EXIT.VERIFICATION_FAILED,
  CSR_INVALID: EXIT.REJECTED,
  SECRETS_UNRESOLVED: EXIT.NOT_FOUND,
  MASTER_KEY_MISSING: EXIT.CONFIG,
  MASTER_KEY_INVALID: EXIT.CONFIG,
  INVALID_OPTIONS: EXIT.CONFIG,
  UNAUTHENTICATED: EXIT.CONFIG,
  PERMISSION_DENIED: EXIT.CONFIG,
  FIELD_CONFIG: EXIT.CONFIG,
  STORE_UNAVAILABLE: EXIT.UNAVAILABLE,
  STORE_CORRUPT: EXIT.UNAVAILABLE,
  NETWORK: EXIT.UNAVAILABLE,
  TIMEOUT: EXIT.UNAVAILABLE,
  SERVER_ERROR: EXIT.UNAVAILABLE,
  RATE_LIMITED: EXIT.UNAVAILABLE,
  INVALID_RESPONSE: EXIT.UNAVAILABLE,
};

/** A command-line mistake: printed with the usage hint, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const exitCodeOf = (e: unknown): ExitCode => {
  if (e instanceof UsageError) return EXIT.USAGE;
  if (e instanceof QuantumApiError) {
    const c: string = e.code;
    const exact = BY_CODE[c];
    if (exact !== undefined) return exact;
    // Families: *_NOT_FOUND, TOKEN_* / CERTIFICATE_* verification failures.
    if (c.endsWith('_NOT_FOUND')) return EXIT.NOT_FOUND;
    if (/^(TOKEN_|CERTIFICATE_|JWKS_NO_MATCHING_KEY$|ALGORITHM_NOT_ALLOWED$|KEY_ALGORITHM_MISMATCH$)/.test(c)) {
      return c === 'TOKEN_REQUEST_FAILED' ? EXIT.UNAVAILABLE : EXIT.VERIFICATION_FAILED;
    }
    if (c === 'JWKS_UNAVAILABLE' || c === 'DISCOVERY_FAILED') return EXIT.UNAVAILABLE;
    return EXIT.REJECTED;
  }
  // node:util parseArgs reports unknown or malformed flags with these codes.
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return EXIT.USAGE;
  return EXIT.FAILURE;
};
