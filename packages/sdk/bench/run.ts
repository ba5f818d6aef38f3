/**
 * `pnpm bench`: runs bench/worker.ts under the current Node and under Node 26 (native ML-KEM /
 * ML-DSA), one after the other so they do not compete for CPU, then rewrites the measured blocks
 * of docs/benchmarks.md.
 *
 *   pnpm bench [section-id ...]        BENCH_TIME_MS / BENCH_WARMUP_MS override the time box
 *   pnpm bench --no-node26             current runtime only
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureNode26, tsxCli } from '../test/interop/node26.js';
import { loadSections } from './lib/sections.js';
import { type Machine, updateDocument } from './lib/report.js';
import type { WorkerReport } from './lib/types.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const docPath = resolve(here, '../../../docs/benchmarks.md');
const worker = resolve(here, 'worker.ts');

const cpuModel = async (): Promise<string> => {
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: os.cpus() below
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
};

const runWorker = async (node: string, args: string[]): Promise<WorkerReport> => {
  const child = run(node, [tsxCli(), worker, ...args], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as WorkerReport;
};

const main = async () => {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const only = argv.filter((a) => !a.startsWith('--'));
  const withNode26 = !argv.includes('--no-node26');
  const sections = await loadSections(only);
  const args = [
    `--time=${process.env.BENCH_TIME_MS ?? 700}`,
    `--warmup=${process.env.BENCH_WARMUP_MS ?? 150}`,
    ...sections.map((s) => s.id),
  ];
  const started = Date.now();
  const loadAverage = os.loadavg()[0] ?? 0;

  const reports: WorkerReport[] = [await runWorker(process.execPath, args)];
  const missing: string[] = [];
  if (withNode26) {
    try {
      const node26 = await ensureNode26();
      if (node26 !== process.execPath) reports.push(await runWorker(node26, args));
    } catch (e) {
      missing.push(`Node 26 (${e instanceof Error ? e.message.split('\n')[0] : 'unavailable'})`);
    }
  }

  const machine: Machine = {
    cpu: await cpuModel(),
    cores: os.cpus().length,
    ramGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().slice(0, 10),
    loadAverage,
    runtimes: reports.map((r) => r.runtime),
    missing,
  };
  let existing: string | undefined;
  try {
    existing = await readFile(docPath, 'utf8');
  } catch {
    existing = undefined;
  }
  const results = reports.flatMap((r) => r.results);
  await writeFile(docPath, updateDocument(existing, machine, sections, results));
  process.stderr.write(
    `bench: ${results.length} measurements in ${((Date.now() - started) / 1000).toFixed(1)} s -> ${docPath}\n`,
  );
};

await main();
