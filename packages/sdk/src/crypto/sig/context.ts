/** FIPS 204 / FIPS 205 context strings: at most 255 bytes, encoded as one length octet. */
import { InvalidInputError } from '../../errors.js';

export const MAX_CONTEXT_LENGTH = 255;

const EMPTY = new Uint8Array(0);

/** Returns the context to sign/verify with; an absent context is the empty string. */
export const checkContext = (context: Uint8Array | undefined): Uint8Array => {
  if (context === undefined) return EMPTY;
  if (!(context instanceof Uint8Array)) throw new InvalidInputError('signature context must be a Uint8Array');
  if (context.length > MAX_CONTEXT_LENGTH) {
    throw new InvalidInputError(`signature context must be at most ${MAX_CONTEXT_LENGTH} bytes`, {
      details: { length: context.length },
    });
  }
  return context;
};

export const checkBytes = (value: unknown, what: string): Uint8Array => {
  if (!(value instanceof Uint8Array)) throw new InvalidInputError(`${what} must be a Uint8Array`);
  return value;
};
