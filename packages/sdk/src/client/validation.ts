/** zod at the public boundary: one place that turns schema failures into typed errors. */
import type { z } from 'zod';
import { InvalidInputError, InvalidOptionsError } from '../errors.js';

const describe = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');

/** Validates caller input. Messages name paths and rules, never the offending values. */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidInputError(`invalid ${what}: ${describe(r.error)}`);
  return r.data;
};

export const parseOptions = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidOptionsError(`invalid ${what}: ${describe(r.error)}`);
  return r.data;
};
