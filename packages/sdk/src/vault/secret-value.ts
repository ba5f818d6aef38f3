/**
 * A secret value that does not print itself. Every implicit route to a string (String(), template
 * literals, concatenation, JSON.stringify, console.log / util.inspect) yields `[redacted]`; the value
 * comes out only through an explicit `reveal()` / `revealBytes()`, which is easy to grep for.
 */
import type { PayloadEncoding } from '../backend/types.js';
import { fromUtf8 } from '../crypto/bytes.js';
import { InvalidInputError } from '../errors.js';

export const REDACTED = '[redacted]';

// Node looks this symbol up on objects it inspects; using Symbol.for keeps this module free of node:util.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class SecretValue {
  readonly #bytes: Uint8Array;
  readonly #encoding: PayloadEncoding;

  constructor(bytes: Uint8Array, encoding: PayloadEncoding) {
    this.#bytes = bytes.slice();
    this.#encoding = encoding;
    Object.freeze(this);
  }

  /** `string` when the secret was stored from a string, `bytes` otherwise. */
  get kind(): 'string' | 'bytes' {
    return this.#encoding === 'utf8' ? 'string' : 'bytes';
  }

  /** The value as a string. Binary secrets have no faithful string form: use revealBytes(). */
  reveal(): string {
    if (this.#encoding !== 'utf8') {
      throw new InvalidInputError('this secret holds bytes; read it with revealBytes()');
    }
    return fromUtf8(this.#bytes);
  }

  /** A fresh copy of the value's bytes (UTF-8 for string secrets); the caller may zero it after use. */
  revealBytes(): Uint8Array {
    return this.#bytes.slice();
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }

  get [Symbol.toStringTag](): string {
    return 'SecretValue';
  }
}

export const isSecretValue = (v: unknown): v is SecretValue => v instanceof SecretValue;
