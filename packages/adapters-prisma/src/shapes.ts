/** Small helpers over Prisma argument objects (plain JSON-like trees). */
import { FieldUnsupportedOperationError } from '@quantumapi/sdk/fields';
import type { ResolvedField } from './manifest.js';

export type Args = Record<string, unknown>;

/** A plain object: not a Date, Buffer/Uint8Array, Decimal or other class instance. */
export const isPlainObject = (v: unknown): v is Args => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

export const asArray = <T>(v: T | readonly T[]): readonly T[] => (Array.isArray(v) ? (v as readonly T[]) : [v as T]);

export const unsupported = (
  f: ResolvedField,
  operation: string,
  why = 'it is encrypted',
): FieldUnsupportedOperationError =>
  new FieldUnsupportedOperationError(
    `${operation} is not supported on encrypted column ${f.model}.${f.field}: ${why}`,
    { details: { model: f.model, field: f.field, operation } },
  );
