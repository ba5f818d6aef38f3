/**
 * docs/benchmarks.md is made of marker-delimited blocks: one for the machine, one per section.
 * A run rewrites the blocks it measured and leaves every other byte of the file alone, so
 * sections can be re-run one at a time and prose around the blocks survives.
 */
import type { BenchResult, BenchSection, RuntimeInfo } from './types.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly date: string;
  /** 1-minute load average when the run started: high values mean other work shared the CPU. */
  readonly loadAverage: number;
  readonly runtimes: readonly RuntimeInfo[];
  /** Runtimes that were wanted but could not run, with why (e.g. Node 26 not installable offline). */
  readonly missing: readonly string[];
}

const start = (id: string) => `<!-- bench:${id}:start -->`;
const end = (id: string) => `<!-- bench:${id}:end -->`;

const fmtOps = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
const fmtUs = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export const renderMachine = (m: Machine): string =>
  [
    `Measured on ${m.date}: ${m.cpu}, ${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.os};`,
    `1-minute load average ${m.loadAverage.toFixed(2)} when the run started.`,
    '',
    '| Runtime | OpenSSL | V8 |',
    '|---|---|---|',
    ...m.runtimes.map((r) => `| Node ${r.node} | ${r.openssl} | ${r.v8} |`),
    ...(m.missing.length > 0 ? ['', ...m.missing.map((x) => `Not measured: ${x}.`)] : []),
  ].join('\n');

/** One table per section; "× noble" compares with noble on the same runtime and operation. */
export const renderSection = (
  section: BenchSection,
  results: readonly BenchResult[],
  date: string,
  runtimes: readonly RuntimeInfo[],
): string => {
  const rows = results.filter((r) => r.section === section.id);
  const noble = (r: BenchResult) =>
    rows.find((x) => x.provider === 'noble' && x.operation === r.operation && x.runtime === r.runtime);
  const ordered = [...rows].sort(
    (a, b) =>
      rows.findIndex((x) => x.operation === a.operation) - rows.findIndex((x) => x.operation === b.operation) ||
      a.runtime.localeCompare(b.runtime, 'en', { numeric: true }) ||
      rows.indexOf(a) - rows.indexOf(b),
  );
  return [
    `## ${section.title}`,
    '',
    section.description,
    '',
    '| Operation | Provider | Runtime | ops/s | mean µs | × noble |',
    '|---|---|---|--:|--:|--:|',
    ...ordered.map((r) => {
      const base = noble(r);
      const ratio = base ? `${(r.opsPerSec / base.opsPerSec).toFixed(2)}×` : '–';
      return `| ${r.operation} | ${r.provider} | ${r.runtime} | ${fmtOps(r.opsPerSec)} | ${fmtUs(r.meanUs)} | ${ratio} |`;
    }),
    '',
    `_Measured ${date} on ${runtimes.map((r) => `Node ${r.node} (OpenSSL ${r.openssl})`).join(', ')}._`,
  ].join('\n');
};

const HEADER = `# Benchmarks

Operations per second of the crypto providers the SDK picks between (see
[decision 0002](decisions/0002-runtime-providers.md)): \`noble\` (pure JavaScript, every runtime),
\`node\` (\`node:crypto\` AES-256-GCM) and \`node-native\` (\`node:crypto\` ML-KEM / ML-DSA, Node >= 24.7
with OpenSSL >= 3.5). Every provider produces the same bytes; only speed differs.

Regenerate with \`pnpm --filter @quantumapi/sdk bench\` (all sections) or
\`pnpm --filter @quantumapi/sdk bench -- <section-id> ...\`; \`BENCH_TIME_MS\` sets the time box per
measurement (default 700 ms after 150 ms of warm-up). The runner measures under the Node running it
and, in a child process, under Node 26 (\`scripts/ensure-node26.sh\`).

To add a section, drop a module in \`packages/sdk/bench/sections/\` that default-exports
\`defineSection({ id, title, description, cases })\` (see \`bench/lib/types.ts\`); its table appears
here between \`bench:<id>\` markers. Text outside the markers is kept across runs.

The numbers come from a shared 2-core machine: treat differences under ~20 % as noise.
`;

const replaceBlock = (doc: string, id: string, body: string): string => {
  const block = `${start(id)}\n${body}\n${end(id)}`;
  const from = doc.indexOf(start(id));
  const to = doc.indexOf(end(id));
  if (from >= 0 && to > from) return doc.slice(0, from) + block + doc.slice(to + end(id).length);
  return `${doc.trimEnd()}\n\n${block}\n`;
};

export const updateDocument = (
  existing: string | undefined,
  machine: Machine,
  sections: readonly BenchSection[],
  results: readonly BenchResult[],
): string => {
  let doc = existing ?? HEADER;
  doc = replaceBlock(doc, 'machine', renderMachine(machine));
  for (const s of sections) doc = replaceBlock(doc, s.id, renderSection(s, results, machine.date, machine.runtimes));
  return doc.endsWith('\n') ? doc : `${doc}\n`;
};
