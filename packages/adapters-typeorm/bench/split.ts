/**
 * Where a bulk save's (and find's) time goes, SQLite in memory, same rows as bench/typeorm.ts:
 *
 * - floor save / find: plain TypeORM on the adapter's column types, writing the very values the
 *   adapter stored (what the longer values cost the database and TypeORM);
 * - floor save + no-op subscriber: TypeORM's own cost of a before/after-insert listener running
 *   at all (it recomputes every subject after the "before" events);
 * - subscriber: the adapter's events fired as TypeORM's broadcaster fires them, no database:
 *   the adapter's own work plus the engine calls it makes;
 * - engine: those engine calls alone (2 x 10 000 blind indexes, 30 000 encryptions or decryptions).
 *
 * subscriber minus engine is the adapter's own overhead.
 *
 *   pnpm exec tsx bench/split.ts [--rows=10000] [--runs=5]
 */
import 'reflect-metadata';
import { QuantumApiClient } from '@quantumapi/sdk';
import { DataSource, type EntitySubscriberInterface, type InsertEvent, type ObjectLiteral } from 'typeorm';
import { registerQuantumApi } from '../src/index.js';
import { EncPerson, FloorPerson, median, people, ROWS, RUNS, time } from './model.js';

/** Does nothing, asynchronously, like the adapter's subscriber does something. */
class NoopSubscriber implements EntitySubscriberInterface<ObjectLiteral> {
  async beforeInsert(_e: InsertEvent<ObjectLiteral>): Promise<void> {}
  afterInsert(_e: InsertEvent<ObjectLiteral>): void {}
}

/** Does nothing, synchronously: what TypeORM spends because a listener ran at all. */
class SyncNoopSubscriber implements EntitySubscriberInterface<ObjectLiteral> {
  beforeInsert(_e: InsertEvent<ObjectLiteral>): void {}
  afterInsert(_e: InsertEvent<ObjectLiteral>): void {}
}

const open = (entity: new () => object) =>
  new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [entity], synchronize: true }).initialize();

const main = async () => {
  const qapi = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
  await qapi.backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  const res: Record<string, number[]> = {};
  const add = (k: string, ms: number, keep: boolean) => {
    if (!keep) return;
    res[k] ??= [];
    res[k].push(ms);
  };
  let stored: Omit<FloorPerson, 'id'>[] | undefined;
  for (let run = 0; run < RUNS + 1; run++) {
    const keep = run > 0;
    const data = people(ROWS, run);
    for (const hooks of [true, false]) {
      const ds = await open(EncPerson);
      const reg = await registerQuantumApi(ds, { backend: qapi.backend.encryption, rewriteQueries: hooks });
      const repo = ds.getRepository(EncPerson);
      add(
        `adapter save${hooks ? '' : ' (rewriteQueries: false)'}`,
        await time(() =>
          repo.save(
            data.map((d) => repo.create(d)),
            { chunk: 500 },
          ),
        ),
        keep,
      );
      if (hooks) {
        // The subscriber's events as TypeORM's broadcaster fires them, with no database: the
        // adapter's own work plus the engine calls it makes (compare with the engine lines).
        const meta = ds.getMetadata(EncPerson);
        const sub = reg.subscriber;
        const entities = data.map((d) => repo.create(d));
        add(
          'subscriber: beforeInsert + afterInsert',
          await time(async () => {
            const ps = entities.map((entity) => sub.beforeInsert({ metadata: meta, entity } as never));
            await Promise.all(ps);
            for (const entity of entities) sub.afterInsert({ metadata: meta, entity } as never);
          }),
          keep,
        );
        const rawRows: Record<string, unknown>[] = await ds.query('SELECT * FROM enc_people');
        add(
          'subscriber: afterLoad',
          await time(async () => {
            const ps = rawRows.map((r) => sub.afterLoad(r, { metadata: meta } as never));
            await Promise.all(ps);
          }),
          keep,
        );
        stored ??= await ds.query('SELECT name, email, "emailHash", phone, "phoneHash", dob FROM enc_people');
        add('adapter find', await time(() => repo.find()), keep);
        // The engine's work for these rows, alone: 3 encryptions + 2 blind indexes per row.
        const e = reg.engine;
        let t = performance.now();
        await e.blindIndexMany(
          { name: 'emailHash', table: 'enc_people', columns: ['email'], unique: true },
          data.map((d) => d.email),
        );
        await e.blindIndexMany(
          { name: 'phoneHash', table: 'enc_people', columns: ['phone'], normalize: ['phone'] },
          data.map((d) => d.phone),
        );
        add('engine: blindIndexMany x2', performance.now() - t, keep);
        t = performance.now();
        const cts = await e.encryptMany(
          data.flatMap((d) => [
            { value: d.email, location: { table: 'enc_people', column: 'email' } },
            { value: d.phone, location: { table: 'enc_people', column: 'phone' } },
            { value: d.dob, location: { table: 'enc_people', column: 'dob' } },
          ]),
        );
        add('engine: encryptMany', performance.now() - t, keep);
        const cols = ['email', 'phone', 'dob'] as const;
        add(
          'engine: decryptMany',
          await time(() =>
            e.decryptMany(
              cts.map((c, i) => ({
                ciphertext: c,
                location: { table: 'enc_people', column: cols[i % 3]! },
                type: i % 3 === 2 ? ('date' as const) : ('string' as const),
              })),
            ),
          ),
          keep,
        );
      }
      reg.close();
      await ds.destroy();
    }
    for (const sub of ['', 'async', 'sync'] as const) {
      const ds = await open(FloorPerson);
      if (sub) ds.subscribers.push((sub === 'async' ? new NoopSubscriber() : new SyncNoopSubscriber()) as never);
      const repo = ds.getRepository(FloorPerson);
      add(
        `floor save${sub ? ` + no-op ${sub} subscriber` : ''}`,
        await time(() =>
          repo.save(
            stored!.map((d) => repo.create({ ...d })),
            { chunk: 500 },
          ),
        ),
        keep,
      );
      if (!sub) add('floor find', await time(() => repo.find()), keep);
      await ds.destroy();
    }
  }
  for (const [k, v] of Object.entries(res)) process.stdout.write(`${k.padEnd(42)} ${median(v).toFixed(0)} ms\n`);
};

await main();
