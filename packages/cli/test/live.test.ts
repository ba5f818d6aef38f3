/**
 * Key rotation and re-index on a live table: while the migrations run, a separate process keeps
 * reading (decrypt), looking up by blind index, and writing. No read fails, and afterwards every
 * value is under the new key version and every index under the new index version.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PostgresStore, QuantumApiClient } from '@quantumapi/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfill, reindex, rotate, type TableSpec } from '../src/index.js';
import { PACKAGE_DIR } from './cli-process.js';
import { createTestDatabase, seedUsers, type TestDatabase } from './db.js';

const ROWS = 6_000;
const v1: TableSpec = { table: 'users', primaryKey: 'id', columns: { email: { index: 'email_hash' } } };
const v2: TableSpec = {
  table: 'users',
  primaryKey: 'id',
  columns: { email: { index: { name: 'email_hash', version: 2, previousVersions: [1] } } },
};

describe('rotation and re-index while another process reads and writes', () => {
  let db: TestDatabase;
  let client: QuantumApiClient;
  const masterKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_live');
    await seedUsers(db.pool, ROWS);
    // Keys in PostgreSQL: the store many processes share.
    client = new QuantumApiClient({
      local: { store: new PostgresStore({ pool: db.pool, schema: 'qapi_keys' }), masterKey },
    });
    expect((await backfill({ pool: db.pool, table: v1, keys: client })).status).toBe('done');
  });

  afterAll(async () => {
    await client?.close();
    await db?.drop();
  });

  it('no read fails', async () => {
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/live-worker.ts', db.url, masterKey, String(ROWS)],
      {
        cwd: PACKAGE_DIR,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    worker.stdout.on('data', (d) => {
      out += d;
    });
    worker.stderr.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((r) => worker.on('close', r));
    await new Promise((r) => setTimeout(r, 1_500)); // the worker is up and reading

    let keyId = '';
    for await (const k of client.encryption.keys.list()) if (k.isDefault && k.algorithm === 'ML-KEM-768') keyId = k.id;
    await client.encryption.keys.rotate(keyId);
    const rotated = await rotate({ pool: db.pool, table: v1, keys: client, batchSize: 100 });
    const reindexed = await reindex({ pool: db.pool, table: v2, keys: client, batchSize: 100 });
    await new Promise((r) => setTimeout(r, 500));
    worker.stdin.end();
    expect(await exited, err).toBe(0);
    const stats = JSON.parse(out) as {
      reads: number;
      lookups: number;
      foundUnderNew: number;
      foundUnderOld: number;
      writes: number;
      failures: number;
      errors: string[];
    };

    expect(stats.failures, stats.errors.join('\n')).toBe(0);
    expect(stats.reads).toBeGreaterThan(100);
    expect(stats.writes).toBeGreaterThan(10);
    // Lookups searched both index versions and found rows under each: the old one before and
    // while the re-index ran, the new one for re-indexed and newly written rows.
    expect(stats.foundUnderOld).toBeGreaterThan(0);
    expect(stats.foundUnderNew).toBeGreaterThan(0);
    expect(stats.foundUnderOld + stats.foundUnderNew).toBe(stats.lookups);
    expect(rotated.status).toBe('done');
    expect(reindexed.status).toBe('done');
  });
});
