/**
 * 10k-row save and find with 3 encrypted fields (email and phone with blind indexes, date of
 * birth) against the same table with plain TypeORM, on SQLite (in memory: the database costs as
 * little as it can, so the adapter's share is as large as it can be) and, when reachable,
 * PostgreSQL. Prints a markdown table. Target: adapter <= 1.3x plain TypeORM.
 *
 *   pnpm --filter @quantumapi/typeorm bench [--rows=10000] [--runs=5] [--no-pg]
 *
 * Lives here, not in packages/sdk/bench: that harness times synchronous calls, and the sdk does
 * not depend on TypeORM.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { QuantumApiClient } from '@quantumapi/sdk';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { registerQuantumApi } from '../src/index.js';
import { EncPerson, FloorPerson, median, PlainPerson, people, ROWS, RUNS, time } from './model.js';

const LOOKUPS = 1_000;

type Kind = 'plain' | 'floor' | 'encrypted';

interface Row {
  db: string;
  operation: string;
  plain: number;
  floor: number | undefined;
  encrypted: number;
}

type Stored = Omit<FloorPerson, 'id'>;

const benchOn = async (label: string, options: DataSourceOptions, reset: () => Promise<void>): Promise<Row[]> => {
  const results: Record<string, Record<Kind, number[]>> = {};
  const add = (op: string, kind: Kind, ms: number) => {
    results[op] ??= { plain: [], floor: [], encrypted: [] };
    results[op][kind].push(ms);
  };
  // Rows exactly as the adapter stored them in the warm-up run (read back raw, untimed).
  let stored: Stored[] | undefined;
  const qapi = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
  await qapi.backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  for (let run = 0; run < RUNS + 1; run++) {
    await reset();
    // Plain TypeORM on a DataSource of its own: nothing of the adapter (subscriber, query hooks) on its path.
    const plainDs = await new DataSource({ ...options, entities: [PlainPerson], synchronize: true }).initialize();
    const floorDs = await new DataSource({ ...options, entities: [FloorPerson], synchronize: true }).initialize();
    const ds = await new DataSource({ ...options, entities: [EncPerson], synchronize: true }).initialize();
    const reg = await registerQuantumApi(ds, { backend: qapi.backend.encryption });
    const data = people(ROWS, randomBytes(4).toString('hex'));
    const plainRepo = plainDs.getRepository(PlainPerson);
    const encRepo = ds.getRepository(EncPerson);
    const floorRepo = floorDs.getRepository(FloorPerson);
    const keep = run > 0; // the first run warms up the JIT and the connection
    const measure = async (op: string, fns: Partial<Record<Kind, () => Promise<unknown>>>) => {
      // Rotate the order so that no side always runs on a warmer cache.
      const kinds = (Object.keys(fns) as Kind[]).filter((k) => fns[k]);
      const order = kinds.map((_, i) => kinds[(i + run) % kinds.length]!);
      for (const k of order) {
        const ms = await time(fns[k]!);
        if (keep) add(op, k, ms);
      }
    };
    const floorSave = stored
      ? () =>
          floorRepo.save(
            stored!.map((d) => floorRepo.create({ ...d })),
            { chunk: 500 },
          )
      : undefined;
    await measure(`save ${ROWS} rows`, {
      plain: () =>
        plainRepo.save(
          data.map((d) => plainRepo.create({ ...d, dob: d.dob.toISOString() })),
          { chunk: 500 },
        ),
      ...(floorSave ? { floor: floorSave } : {}),
      encrypted: () =>
        encRepo.save(
          data.map((d) => encRepo.create(d)),
          { chunk: 500 },
        ),
    });
    stored ??= await ds.query<Stored[]>('SELECT name, email, "emailHash", phone, "phoneHash", dob FROM enc_people');
    await measure(`find ${ROWS} rows`, {
      plain: () => plainRepo.find(),
      ...(floorSave ? { floor: () => floorRepo.find() } : {}),
      encrypted: () => encRepo.find(),
    });
    const picks = Array.from({ length: LOOKUPS }, (_, i) => data[(i * 7919) % ROWS]!.email);
    await measure(`${LOOKUPS} x findOneBy(email)`, {
      plain: async () => {
        for (const email of picks) await plainRepo.findOneBy({ email });
      },
      encrypted: async () => {
        for (const email of picks) await encRepo.findOneBy({ email });
      },
    });
    reg.close();
    await ds.destroy();
    await plainDs.destroy();
    await floorDs.destroy();
  }
  return Object.entries(results).map(([operation, r]) => ({
    db: label,
    operation,
    plain: median(r.plain),
    floor: r.floor.length > 0 ? median(r.floor) : undefined,
    encrypted: median(r.encrypted),
  }));
};

const main = async () => {
  const rows: Row[] = [];
  rows.push(...(await benchOn('SQLite (memory)', { type: 'better-sqlite3', database: ':memory:' }, async () => {})));
  if (!process.argv.includes('--no-pg')) {
    const url = process.env.QAPI_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
    const schema = `qapi_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    try {
      await admin.connect();
    } catch {
      process.stderr.write('PostgreSQL not reachable: skipped\n');
    }
    if ((admin as unknown as { _connected?: boolean })._connected) {
      try {
        rows.push(
          ...(await benchOn(
            'PostgreSQL',
            { type: 'postgres', url, schema, extra: { options: `-c search_path=${schema}` } },
            async () => {
              await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
              await admin.query(`CREATE SCHEMA ${schema}`);
            },
          )),
        );
      } finally {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await admin.end();
      }
    }
  }
  const lines = [
    `Node ${process.versions.node}, TypeORM 1.1.1, ${ROWS} rows, median of ${RUNS} runs (after one warm-up run).`,
    '',
    '| database | operation | plain TypeORM (ms) | storage floor (ms) | @quantumapi/typeorm (ms) | adapter / plain | adapter / floor |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.db} | ${r.operation} | ${r.plain.toFixed(0)} | ${r.floor === undefined ? '-' : r.floor.toFixed(0)} | ${r.encrypted.toFixed(0)} | ${(r.encrypted / r.plain).toFixed(2)}x | ${r.floor === undefined ? '-' : `${(r.encrypted / r.floor).toFixed(2)}x`} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
};

await main();
