/** The contract between benchmark sections (bench/sections/*.ts) and the runner. */
import type { AeadProvider, KemProvider, RandomSource, SignatureProvider } from '../../src/crypto/providers.js';

/** What a section can measure in the current process: every distinct provider this runtime offers. */
export interface BenchEnv {
  readonly aead: readonly AeadProvider[];
  readonly kem: readonly KemProvider[];
  readonly signature: readonly SignatureProvider[];
  /** For preparing inputs (keys, nonces, messages) outside the timed call. */
  readonly random: RandomSource;
}

export interface BenchCase {
  /** Row label, e.g. "encapsulate". */
  readonly operation: string;
  /** Provider name as reported by the provider ("noble", "node", "node-native"). */
  readonly provider: string;
  /** The timed call; set-up belongs in `cases`, not here. */
  readonly run: () => unknown;
}

/**
 * One file in bench/sections/ default-exports one of these. `id` names its block in
 * docs/benchmarks.md (markers `<!-- bench:<id>:start -->` / `<!-- bench:<id>:end -->`), so a
 * section is rewritten in place and the others are left as they were.
 */
export interface BenchSection {
  readonly id: string;
  readonly title: string;
  /** One or two sentences shown above the table: what is measured and with which inputs. */
  readonly description: string;
  cases(env: BenchEnv): BenchCase[];
}

export interface BenchResult {
  readonly section: string;
  readonly operation: string;
  readonly provider: string;
  readonly runtime: string;
  readonly opsPerSec: number;
  readonly meanUs: number;
  readonly iterations: number;
}

export interface RuntimeInfo {
  readonly node: string;
  readonly openssl: string;
  readonly v8: string;
}

/** What bench/worker.ts prints (one JSON line). */
export interface WorkerReport {
  readonly runtime: RuntimeInfo;
  readonly results: BenchResult[];
}

export const defineSection = (section: BenchSection): BenchSection => section;
