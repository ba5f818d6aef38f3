/**
 * `pnpm --filter @quantumapi/server bench`: the http backend against real server processes on
 * PostgreSQL (fresh schema, dropped afterwards).
 *
 *   - round-trip latency p50/p99: encrypt 1 KiB, and batch-encrypt 100 x 32 B (one request);
 *   - throughput of encrypt 1 KiB with 1 and with 2 server processes on one database.
 *
 * Prints a Markdown table (the block for docs/benchmarks.md) on stdout. BENCH_TIME_MS sets the
 * throughput window (default 5000).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createHttpBackend, QuantumApiClient } from '@quantumapi/sdk';
import {
  bootstrapTenant,
  newDeployment,
  type ServerProcess,
  startServerProcess,
} from '../../sdk/test/conformance/server-process.js';

const WINDOW_MS = Number(process.env['BENCH_TIME_MS'] ?? 5_000);
const CONCURRENCY = 16;

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const latency = async (n: number, op: () => Promise<unknown>) => {
  for (let i = 0; i < Math.min(20, n); i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { n, p50: percentile(samples, 50), p99: percentile(samples, 99) };
};

const throughput = async (clients: QuantumApiClient[], op: (c: QuantumApiClient) => Promise<unknown>) => {
  const end = performance.now() + WINDOW_MS;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const c = clients[i % clients.length] as QuantumApiClient;
      while (performance.now() < end) {
        await op(c);
        done++;
      }
    }),
  );
  return (done * 1000) / WINDOW_MS;
};

const main = async () => {
  const deployment = await newDeployment({ QAPI_RATE_LIMIT_RPS: '1000000', QAPI_RATE_LIMIT_BURST: '1000000' });
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServerProcess(deployment));
    const { apiKey } = await bootstrapTenant(deployment, 'bench');
    const client = (s: ServerProcess) =>
      new QuantumApiClient({ backend: createHttpBackend({ baseUrl: s.baseUrl, apiKey, env: {} }) });
    const c1 = client(servers[0] as ServerProcess);
    const kib = new Uint8Array(1024).fill(7);
    const small = Array.from({ length: 100 }, () => ({ plaintext: new Uint8Array(32).fill(3) }));
    await c1.encryption.encrypt(kib);

    const enc = await latency(300, () => c1.encryption.encrypt(kib));
    const batch = await latency(50, () => c1.encryption.encryptBatch(small));
    const one = await throughput([c1], (c) => c.encryption.encrypt(kib));
    servers.push(await startServerProcess(deployment));
    const two = await throughput([c1, client(servers[1] as ServerProcess)], (c) => c.encryption.encrypt(kib));

    const f = (ms: number) => ms.toFixed(2);
    const lines = [
      `Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(2)}), PostgreSQL on 127.0.0.1; client and servers on the same machine.`,
      '',
      '| operation | samples | p50 (ms) | p99 (ms) |',
      '| --- | ---: | ---: | ---: |',
      `| encrypt 1 KiB (1 request) | ${enc.n} | ${f(enc.p50)} | ${f(enc.p99)} |`,
      `| batch-encrypt 100 x 32 B (1 request) | ${batch.n} | ${f(batch.p50)} | ${f(batch.p99)} |`,
      '',
      `| throughput, encrypt 1 KiB, ${CONCURRENCY} concurrent callers, ${WINDOW_MS / 1000} s | ops/s |`,
      '| --- | ---: |',
      `| 1 server process | ${one.toFixed(0)} |`,
      `| 2 server processes, one PostgreSQL | ${two.toFixed(0)} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const s of servers) await s.stop();
    await deployment.db.drop();
  }
};

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error)?.message ?? e}\n`);
  process.exit(1);
});
