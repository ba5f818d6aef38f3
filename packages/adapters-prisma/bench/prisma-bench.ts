/**
 * Adapter overhead on real databases: ROWS rows with 3 encrypted fields (email + blind index,
 * phone + blind index, dob as a Date), inserted with createMany and read back with findMany.
 *
 * Per round and database, on a fresh table each:
 *   plain    the same PrismaClient without the extension, plaintext values (the baseline);
 *   cts      the plain client writing the adapter's ciphertexts but not its two blind-index
 *            columns: what the longer values alone cost;
 *   floor    the plain client writing the very ciphertexts and indexes the adapter would write:
 *            what storing longer values and two more columns costs the database and Prisma,
 *            with no adapter CPU;
 *   adapter  the extended client (encrypt + index on write, decrypt on read).
 * Modes are interleaved within each round so machine noise hits them alike; best of ROUNDS.
 *
 *   pnpm --filter @quantumapi/prisma bench        (ROWS, ROUNDS, DBS=sqlite,postgresql)
 *   PER_FIELD=1 ...                               one AES-GCM cipher object per field and
 *                                                 createHmac per index (the pre-batching path)
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FieldEngine } from '@quantumapi/sdk/fields';
import { nodeAead, nodeRandom } from '../../sdk/src/runtime/node.js';
import { createPrismaFieldEngine, quantumApiEncryption } from '../src/index.js';
import { type DbKind, openDb, type TestDb } from '../test/db.js';
import setup from '../test/global-setup.js';
import { localEncryption } from '../test/key-backend.js';

const ROWS = Number(process.env.ROWS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DBS = (process.env.DBS ?? 'sqlite,postgresql').split(',') as DbKind[];
const PER_FIELD = process.env.PER_FIELD === '1';

type Mode = 'plain' | 'cts' | 'floor' | 'adapter';
const MODES: readonly Mode[] = ['plain', 'cts', 'floor', 'adapter'];
type Row = { name: string; age: number; email: string; phone: string; dob: string | Date };

const rows = (dates: boolean): Row[] =>
  Array.from({ length: ROWS }, (_, i) => {
    const dob = new Date(Date.UTC(1970, 0, 1 + (i % 15000)));
    return {
      name: `user ${i}`,
      age: i % 90,
      email: `user.${i}@example-mail.com`,
      phone: `+34 600 ${String(i).padStart(6, '0')}`,
      dob: dates ? dob : dob.toISOString(),
    };
  });

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const manifest = async () =>
  (await import('../test/prisma/sqlite/generated/quantumapi-manifest.js')).encryptionManifest;

/** The ciphertexts and indexes the adapter writes for `data` (same engine calls), computed untimed. */
const storedForm = async (engine: FieldEngine, data: Row[]): Promise<Record<string, unknown>[]> => {
  const email = await engine.blindIndexMany(
    { name: 'emailHash', table: 'User', columns: ['email'] },
    data.map((d) => d.email),
  );
  const phone = await engine.blindIndexMany(
    { name: 'phoneHash', table: 'User', columns: ['phone'], normalize: ['phone'] },
    data.map((d) => d.phone),
  );
  const cts = await engine.encryptMany(
    data.flatMap((d) => [
      { value: d.email, location: { table: 'User', column: 'email' } },
      { value: d.phone, location: { table: 'User', column: 'phone' } },
      { value: d.dob as Date, location: { table: 'User', column: 'dob' } },
    ]),
  );
  return data.map((d, i) => ({
    name: d.name,
    age: d.age,
    email: cts[3 * i],
    emailHash: email[i],
    phone: cts[3 * i + 1],
    phoneHash: phone[i],
    dob: cts[3 * i + 2],
  }));
};

const main = async () => {
  setup();
  const localKeys = await localEncryption();
  const engineOptions = PER_FIELD
    ? {
        providers: { aead: nodeAead, random: nodeRandom },
        hmacSha3_256: (k: Uint8Array, m: Uint8Array) => new Uint8Array(createHmac('sha3-256', k).update(m).digest()),
      }
    : {};
  const m = await manifest();
  const results: Record<string, Record<Mode, { insert: number; select: number }>> = {};

  for (const kind of DBS) {
    const best = Object.fromEntries(MODES.map((m) => [m, { insert: Infinity, select: Infinity }])) as Record<
      Mode,
      { insert: number; select: number }
    >;
    let floorRows: Record<string, unknown>[] | undefined;
    let ctsRows: Record<string, unknown>[] | undefined;
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        const db = await openDb(kind);
        try {
          const engine = await createPrismaFieldEngine({
            prisma: db.prisma,
            backend: localKeys,
            ...engineOptions,
          });
          if (mode !== 'plain' && mode !== 'adapter' && !floorRows) {
            floorRows = await storedForm(engine, rows(true));
            ctsRows = floorRows.map(({ emailHash: _e, phoneHash: _p, ...r }) => r);
          }
          const client =
            mode === 'adapter' ? db.prisma.$extends(quantumApiEncryption({ engine, manifest: m })) : db.prisma;
          const data = {
            plain: () => rows(false),
            cts: () => ctsRows!,
            floor: () => floorRows!,
            adapter: () => rows(true),
          }[mode]();
          const user = (client as TestDb['prisma']).user;
          const ins = await time(() => user.createMany({ data: data as never }));
          let count = 0;
          const sel = await time(async () => {
            count = (await user.findMany()).length;
          });
          if (count !== ROWS) throw new Error(`read ${count} rows`);
          best[mode].insert = Math.min(best[mode].insert, ins);
          best[mode].select = Math.min(best[mode].select, sel);
        } finally {
          await db.close();
        }
      }
    }
    results[kind] = best;
  }

  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(
    `| Operation (${ROWS} rows) | plain Prisma | ciphertexts, no index columns | storage floor | @quantumapi/prisma | adapter / plain | adapter / floor |`,
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [kind, b] of Object.entries(results)) {
    for (const op of ['insert', 'select'] as const) {
      const name = op === 'insert' ? 'createMany' : 'findMany (all rows)';
      console.log(
        `| ${name}, ${kind} | ${f(b.plain[op])} | ${f(b.cts[op])} | ${f(b.floor[op])} | ${f(b.adapter[op])} | ${x(b.adapter[op], b.plain[op])} | ${x(b.adapter[op], b.floor[op])} |`,
      );
    }
  }
};

await main();
