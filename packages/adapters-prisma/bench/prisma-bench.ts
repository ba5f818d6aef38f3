/**
 * Adapter overhead on real SQLite: 10k rows with 3 encrypted fields (email + blind index, phone +
 * blind index, dob), inserted with createMany and read back with findMany, against the same
 * operations through plain Prisma on the same schema with plaintext values. Best of N rounds.
 *
 *   pnpm --filter @quantumapi/prisma bench        (ROWS, ROUNDS override the defaults)
 */
import { performance } from 'node:perf_hooks';
import { createLocalBackend } from '../../sdk/src/local/engine.js';
import { MemoryStore } from '../../sdk/src/local/stores/memory.js';
import { defaultProviders } from '../../sdk/src/runtime/node.js';
import { createPrismaFieldEngine, quantumApiEncryption } from '../src/index.js';
import { openDb } from '../test/db.js';
import setup from '../test/global-setup.js';

const ROWS = Number(process.env.ROWS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const rows = (plain: boolean) =>
  Array.from({ length: ROWS }, (_, i) => ({
    name: `user ${i}`,
    age: i % 90,
    email: `user.${i}@example-mail.com`,
    phone: `+34 600 ${String(i).padStart(6, '0')}`,
    dob: (plain
      ? new Date(Date.UTC(1970, 0, 1 + (i % 15000))).toISOString()
      : new Date(Date.UTC(1970, 0, 1 + (i % 15000)))) as string,
  }));

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};

const main = async () => {
  setup();
  const local = createLocalBackend({
    store: new MemoryStore(),
    masterKey: defaultProviders.random.randomBytes(32),
    providers: defaultProviders,
  });
  await local.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  const best = { plainInsert: Infinity, encInsert: Infinity, plainSelect: Infinity, encSelect: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    // Fresh database per round and mode, so both insert into an empty table.
    for (const mode of ['plain', 'enc'] as const) {
      const db = await openDb('sqlite');
      try {
        const engine = await createPrismaFieldEngine({ prisma: db.prisma, backend: local.encryption });
        const client =
          mode === 'plain'
            ? db.prisma
            : db.prisma.$extends(
                quantumApiEncryption({
                  engine,
                  manifest: (await import('../test/prisma/sqlite/generated/quantumapi-manifest.js')).encryptionManifest,
                }),
              );
        const data = rows(mode === 'plain');
        const ins = await time(() => (client as typeof db.prisma).user.createMany({ data }));
        let count = 0;
        const sel = await time(async () => {
          count = (await (client as typeof db.prisma).user.findMany()).length;
        });
        if (count !== ROWS) throw new Error(`read ${count} rows`);
        if (mode === 'plain') {
          best.plainInsert = Math.min(best.plainInsert, ins);
          best.plainSelect = Math.min(best.plainSelect, sel);
        } else {
          best.encInsert = Math.min(best.encInsert, ins);
          best.encSelect = Math.min(best.encSelect, sel);
        }
      } finally {
        await db.close();
      }
    }
  }
  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(
    `| Operation (${ROWS} rows, SQLite) | plain Prisma | @quantumapi/prisma (3 encrypted fields, 2 indexes) | ratio |`,
  );
  console.log('|---|---|---|---|');
  console.log(
    `| createMany | ${f(best.plainInsert)} | ${f(best.encInsert)} | ${(best.encInsert / best.plainInsert).toFixed(2)}x |`,
  );
  console.log(
    `| findMany (all rows) | ${f(best.plainSelect)} | ${f(best.encSelect)} | ${(best.encSelect / best.plainSelect).toFixed(2)}x |`,
  );
};

await main();
