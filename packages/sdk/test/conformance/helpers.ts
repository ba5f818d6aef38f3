/** Small helpers shared by the namespace conformance files. */
import { expect } from 'vitest';
import { QuantumApiError } from '../../src/errors.js';

/** The typed error a promise rejects with (fails the test if it resolves or throws something else). */
export const errorOf = async (p: Promise<unknown>): Promise<QuantumApiError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    return e as QuantumApiError;
  }
  throw new Error('expected a rejection');
};

export const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};
