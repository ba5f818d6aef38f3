/**
 * Plaintext as it sits in a column before encryption (backfill) and after it (decrypt / exit).
 * An encrypted column is text, so a non-string value lives there in a fixed text form: numbers
 * and bigints in decimal, booleans as true/false, dates as ISO 8601, JSON as JSON, bytes as Base64.
 * Errors name the table, column and row, never the value, and the row's key only where it cannot
 * be personal data (row-ref.ts).
 */
import { type FieldValue, type FieldValueOf, type FieldValueType, InvalidInputError } from '@quantumapi/sdk';
import { fromBase64, toBase64 } from '@quantumapi/sdk/crypto';
import type { RowNamer } from './row-ref.js';

const TRUE = new Set(['true', 't', '1']);
const FALSE = new Set(['false', 'f', '0']);

export interface CellRef {
  readonly table: string;
  readonly column: string;
  /** The row's index in its batch, named through `rows` only if an error is built. */
  readonly row: number;
  readonly rows: RowNamer;
}

const bad = (ref: CellRef, type: FieldValueType): InvalidInputError => {
  const row = ref.rows(ref.row);
  return new InvalidInputError(`${ref.table}.${ref.column} (${row.text}) does not hold a valid ${type}`, {
    details: { table: ref.table, column: ref.column, ...row.details, type },
  });
};

/** A database value (usually text) -> the typed value the field engine encrypts. */
export const fromColumn = (raw: unknown, type: FieldValueType, ref: CellRef): FieldValue => {
  switch (type) {
    case 'string':
      if (typeof raw !== 'string') throw bad(ref, type);
      return raw;
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (!Number.isFinite(n)) throw bad(ref, type);
      return n;
    }
    case 'bigint':
      if (typeof raw === 'bigint') return raw;
      if ((typeof raw !== 'string' && typeof raw !== 'number') || !/^-?\d+$/.test(String(raw))) throw bad(ref, type);
      return BigInt(raw);
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && TRUE.has(raw.toLowerCase())) return true;
      if (typeof raw === 'string' && FALSE.has(raw.toLowerCase())) return false;
      throw bad(ref, type);
    case 'date': {
      const d = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
      if (!d || Number.isNaN(d.getTime())) throw bad(ref, type);
      return d;
    }
    case 'json':
      if (typeof raw !== 'string') return { json: raw as never };
      try {
        return { json: JSON.parse(raw) };
      } catch {
        throw bad(ref, type);
      }
    case 'bytes':
      if (raw instanceof Uint8Array) return new Uint8Array(raw);
      if (typeof raw !== 'string') throw bad(ref, type);
      // Strict, canonical Base64: a lenient decoder would turn a malformed value into other bytes,
      // and the backfill would then overwrite the plaintext with their ciphertext.
      try {
        return fromBase64(raw);
      } catch {
        throw bad(ref, type);
      }
  }
};

/** A decrypted typed value -> the text written back to the column. */
export const toColumn = (value: FieldValueOf[FieldValueType]): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return toBase64(value);
  return JSON.stringify(value);
};
