/**
 * A deliberately small timing harness: warm up, then call the operation in batches until the time
 * box is spent, and report operations per second and mean microseconds per operation. Batches
 * grow so that reading the clock costs little even for sub-microsecond operations.
 */
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  /** Time spent running the operation before measuring (JIT, caches). */
  readonly warmupMs: number;
  /** Time box for the measured run. */
  readonly timeMs: number;
}

export interface Measurement {
  readonly iterations: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  readonly meanUs: number;
}

// Results are folded into this so no engine can prove a call unused and drop it.
let sink = 0;
const consume = (value: unknown): void => {
  if (value instanceof Uint8Array) sink ^= value[0] ?? 0;
  else if (value === true) sink ^= 1;
  else if (value && typeof value === 'object') sink ^= 2;
};
export const sinkValue = (): number => sink;

const runFor = (fn: () => unknown, ms: number): { iterations: number; elapsedMs: number } => {
  let batch = 1;
  let iterations = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) consume(fn());
    iterations += batch;
    now = performance.now();
    // Aim for batches of about 1/50 of the time box; a slow operation keeps batch = 1.
    const perOp = (now - start) / iterations;
    batch = Math.max(1, Math.min(batch * 2, Math.floor(ms / 50 / Math.max(perOp, 1e-6))));
  }
  return { iterations, elapsedMs: now - start };
};

export const measure = (fn: () => unknown, options: MeasureOptions): Measurement => {
  runFor(fn, options.warmupMs);
  const { iterations, elapsedMs } = runFor(fn, options.timeMs);
  return {
    iterations,
    elapsedMs,
    opsPerSec: (iterations * 1000) / elapsedMs,
    meanUs: (elapsedMs * 1000) / iterations,
  };
};
