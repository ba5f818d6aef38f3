/** Byte strings on the wire: standard Base64 both ways; a bad one from the server is a typed error. */
import { fromBase64, toBase64 } from '../crypto/bytes.js';
import { InvalidResponseError } from '../errors.js';

export const b64 = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : toBase64(b));

export const bytes = (operation: string, s: string): Uint8Array => {
  try {
    return fromBase64(s);
  } catch {
    throw new InvalidResponseError(`${operation}: the server sent invalid Base64`);
  }
};

/** Drops absent members so JSON bodies carry only what the caller gave (`null` is kept: it clears). */
export const defined = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
