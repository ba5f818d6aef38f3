/**
 * Backfill throughput on PostgreSQL (127.0.0.1:5432): a fresh database, N plaintext rows
 * (email + blind index, and a number column), then `backfill` at a few batch sizes on a copy of
 * the table each. Prints a Markdown table for bench/RESULTS.md.
 *
 *   pnpm --filter @quantumapi/cli bench            # 50k rows
 *   BENCH_ROWS=200000 pnpm --filter @quantumapi/cli bench
 */
import { execSync } from 'node:child_process';
import { QuantumApiClient } from '@quantumapi/sdk';
import { backfill } from '../src/index.js';
import { createTestDatabase, seedUsers } from '../test/db.js';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 50_000);
const BATCHES = [250, 1_000, 5_000];

const cpu = (() => {
  try {
    return execSync("lscpu | grep 'Model name'", { encoding: 'utf8' }).split(':')[1]!.trim();
  } catch {
    return 'unknown';
  }
})();

const db = await createTestDatabase('qapi_cli_bench');
const client = new QuantumApiClient({ local: { store: 'memory' } });
try {
  await seedUsers(db.pool, ROWS, 'seed');
  const lines: string[] = [];
  for (const batchSize of BATCHES) {
    const table = `users_${batchSize}`;
    await db.pool.query(`CREATE TABLE ${table} AS TABLE seed; ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
    const r = await backfill({
      pool: db.pool,
      keys: client,
      batchSize,
      table: { table, primaryKey: 'id', columns: { email: { index: 'email_hash' }, age: { type: 'number' } } },
    });
    const rate = Math.round(r.rowsSeen / (r.elapsedMs / 1000));
    lines.push(`| ${ROWS} | ${batchSize} | 2 (email + index, age) | ${(r.elapsedMs / 1000).toFixed(2)} s | ${rate} |`);
    console.error(`batch ${batchSize}: ${rate} rows/s`);
  }
  console.log(`Machine: ${cpu}; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}; PostgreSQL local\n`);
  console.log('| rows | batch size | encrypted columns | time | rows/s |');
  console.log('| ---: | ---: | --- | ---: | ---: |');
  for (const l of lines) console.log(l);
} finally {
  await client.close();
  await db.drop();
}
