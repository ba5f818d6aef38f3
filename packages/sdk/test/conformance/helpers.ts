/** Small helpers shared by the namespace conformance files. */
import { afterEach, beforeEach, expect } from 'vitest';
import { QuantumApiClient } from '../../src/client/client.js';
import { QuantumApiError } from '../../src/errors.js';
import type { BackendHandle } from './backends.js';

/**
 * A fresh backend (and a client over it) for every test of the enclosing describe, cleaned up
 * after it. Read `ctx.qapi` inside tests: it is replaced before each one.
 */
export const clientPerTest = (make: () => Promise<BackendHandle>): { qapi: QuantumApiClient } => {
  const ctx = {} as { qapi: QuantumApiClient };
  let handle: BackendHandle | undefined;
  beforeEach(async () => {
    handle = await make();
    ctx.qapi = new QuantumApiClient({ backend: handle.backend });
  });
  afterEach(async () => {
    await handle?.cleanup();
  });
  return ctx;
};

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
