/**
 * Measures the sections in this process, with every distinct provider the node runtime offers
 * here (noble always; node AES-GCM; node-native ML-KEM / ML-DSA when node:crypto has them), and
 * prints one JSON line (a WorkerReport). bench/run.ts starts it once per Node runtime.
 *
 *   tsx bench/worker.ts [--time=MS] [--warmup=MS] [section-id ...]
 */
import { nobleAead, nobleKem, nobleSignature } from '../src/crypto/noble-provider.js';
import { defaultProviders } from '../src/runtime/node.js';
import { measure } from './lib/harness.js';
import { loadSections } from './lib/sections.js';
import type { BenchEnv, BenchResult, WorkerReport } from './lib/types.js';

const distinct = <T extends { name: string }>(...providers: T[]): T[] =>
  providers.filter((p, i) => providers.findIndex((q) => q.name === p.name) === i);

const option = (name: string, fallback: number): number => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};

const main = async () => {
  const timeMs = option('time', 700);
  const warmupMs = option('warmup', 150);
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const env: BenchEnv = {
    aead: distinct(nobleAead, defaultProviders.aead),
    kem: distinct(nobleKem, defaultProviders.kem),
    signature: distinct(nobleSignature, defaultProviders.signature),
    random: defaultProviders.random,
  };
  const runtime = `Node ${process.versions.node}`;
  const results: BenchResult[] = [];
  for (const section of await loadSections(only)) {
    for (const c of section.cases(env)) {
      const m = measure(c.run, { warmupMs, timeMs });
      results.push({ section: section.id, operation: c.operation, provider: c.provider, runtime, ...m });
      process.stderr.write(
        `  ${runtime} ${section.id} ${c.operation} [${c.provider}] ${m.opsPerSec.toFixed(0)} ops/s\n`,
      );
    }
  }
  const report: WorkerReport = {
    runtime: { node: process.versions.node, openssl: process.versions.openssl ?? 'none', v8: process.versions.v8 },
    results,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
};

await main();
