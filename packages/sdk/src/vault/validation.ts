/** Input rules shared by the namespace (public boundary) and the local backend (store boundary). */
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Values are small by design: a vault is for credentials and keys, not blobs. */
export const MAX_SECRET_BYTES = 256 * 1024;
export const MAX_PAGE_SIZE = 1000;

// Names are identifiers people put in config (`DATABASE_URL: 'db-password'`); UUID-shaped names are
// refused so that a ref (id or name) can never mean two different secrets.
export const secretNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,95}$/, 'name: 1-96 of A-Z a-z 0-9 . _ - /, starting alphanumeric')
  .refine((n) => !UUID_RE.test(n), 'name must not look like a UUID');

export const secretRefSchema = z.string().min(1).max(128);

export const labelsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,62}$/, 'label key'), z.string().max(256))
  .refine((l) => Object.keys(l).length <= 32, 'at most 32 labels');

export const descriptionSchema = z.string().max(1024);
export const contentTypeSchema = z.string().min(1).max(255);
export const versionSchema = z.number().int().positive();
export const pageSizeSchema = z.number().int().min(1).max(MAX_PAGE_SIZE);

/** Parse with a schema; failures become InvalidInputError listing paths and rules, never the input. */
export const parseInput = <T>(schema: z.ZodType<T>, input: unknown, what: string): T => {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  throw new InvalidInputError(`invalid ${what}: ${issues}`);
};
