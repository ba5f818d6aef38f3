/**
 * The adapter specification, run against each real database (SQLite, PostgreSQL, MariaDB): every
 * operation of issue 6, checked through TypeORM and, for storage, through raw SQL.
 */
import { createHash } from 'node:crypto';
import { FieldEngine } from '@quantumapi/sdk/fields';
import {
  Between,
  Brackets,
  Equal,
  ILike,
  In,
  IsNull,
  LessThan,
  Like,
  MoreThan,
  Not,
  Or,
  QueryFailedError,
  Raw,
  type FindOptionsWhere,
  type Repository,
} from 'typeorm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertNoEncryptedOrder,
  assertNoEncryptedStringConditions,
  encryptedFind,
  encryptedRepository,
  encryptedWhere,
  registerQuantumApi,
  type QuantumApiRegistration,
  TypeOrmDataKeyDirectory,
  whereEncrypted,
} from '../src/index.js';
import { type CountingBackend, localBackend } from './backend.js';
import { type DbKind, openDb, type TestDb } from './db.js';
import { Note, Patient, PlainRow } from './entities.js';

const errorOf = async (
  fn: () => unknown,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> => {
  try {
    await fn();
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
};

const dob = new Date('1987-03-14T00:00:00.000Z');
const photo = Uint8Array.from([0, 1, 2, 250, 255]);
const alice = () =>
  Object.assign(new Patient(), {
    name: 'Alice',
    email: 'Alice.Smith@example.com',
    phone: '+34 600 111 222',
    dob,
    prefs: { theme: 'dark', langs: ['es', 'en'] },
    score: 97.5,
    balance: 12345678901234567890n,
    vip: true,
    photo,
    workEmail: '  Alice.Smith@Work.example ',
    legacyNote: 'allergic to penicillin',
  });

export const adapterSuite = (kind: DbKind): void => {
  describe(`@quantumapi/typeorm on ${kind}`, () => {
    let db: TestDb;
    let backend: CountingBackend;
    let reg: QuantumApiRegistration;
    let repo: Repository<Patient>;
    const t = (name: string) => db.q(name);

    beforeAll(async () => {
      db = await openDb(kind, [Patient, Note, PlainRow]);
      backend = await localBackend();
      reg = await registerQuantumApi(db.ds, { backend });
      repo = db.ds.getRepository(Patient);
      Patient.useDataSource(db.ds);
      Note.useDataSource(db.ds);
    });

    afterAll(async () => {
      reg?.close();
      await db?.close();
    });

    describe('writes and reads', () => {
      it('save encrypts every declared column, fills the blind indexes, and leaves plaintext on the object', async () => {
        const p = await repo.save(alice());
        expect(p.id).toBeGreaterThan(0);
        expect(p.email).toBe('Alice.Smith@example.com');
        expect(p.dob).toBe(dob);
        expect(p.emailHash).toMatch(/^[0-9a-f]{64}$/);

        const [row] = await db.raw(`SELECT * FROM ${t('patients')} WHERE id = ${p.id}`);
        for (const col of [
          'email',
          'phone',
          'dob',
          'prefs',
          'score',
          'balance',
          'vip',
          'photo',
          'work_email',
          'legacyNote',
        ]) {
          expect(String(row![col]), col).toMatch(/^qf1\.A256GCM\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
        }
        expect(row!.emailHash).toBe(p.emailHash);
      });

      it('a raw SELECT finds no plaintext PII anywhere in the table', async () => {
        const rows = await db.raw(`SELECT * FROM ${t('patients')}`);
        const dump = JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).toLowerCase();
        for (const secret of [
          'alice.smith',
          '600 111',
          '600111222',
          '1987',
          'dark',
          '97.5',
          '12345678901234567890',
          'penicillin',
          'work.example',
        ]) {
          expect(dump.includes(secret), secret).toBe(false);
        }
        // Only the non-PII name column is in the clear.
        expect(dump.includes('alice')).toBe(true);
      });

      it('a 30-character email encrypts to well under 150 characters', async () => {
        const email = 'abcdefghij.klmnop@example.com'.padEnd(30, 'x');
        expect(email).toHaveLength(30);
        const p = await repo.save(Object.assign(new Patient(), { name: 'Len', email }));
        const [row] = await db.raw(`SELECT email FROM ${t('patients')} WHERE id = ${p.id}`);
        expect(String(row!.email).length).toBeLessThan(150);
        await repo.delete(p.id);
      });

      it('reads restore every declared type exactly', async () => {
        const p = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'alice.smith@EXAMPLE.com ' }));
        expect(p.email).toBe('Alice.Smith@example.com');
        expect(p.phone).toBe('+34 600 111 222');
        expect(p.dob).toStrictEqual(dob);
        expect(p.prefs).toStrictEqual({ theme: 'dark', langs: ['es', 'en'] });
        expect(p.score).toBe(97.5);
        expect(p.balance).toBe(12345678901234567890n);
        expect(p.vip).toBe(true);
        expect(p.photo).toStrictEqual(photo);
        expect(p.workEmail).toBe('  Alice.Smith@Work.example ');
        expect(p.legacyNote).toBe('allergic to penicillin');
      });

      it('compat: sha3 writes exactly the SearchableEmail value', async () => {
        const [row] = await db.raw(`SELECT work_email_sha3 FROM ${t('patients')} WHERE name = 'Alice'`);
        expect(row!.work_email_sha3).toBe(createHash('sha3-256').update('alice.smith@work.example').digest('hex'));
      });

      it('Active Record: create().save() encrypts; static finders read through encryptedWhere', async () => {
        const b = Patient.create({ name: 'Bob', email: 'bob@example.com', phone: '600-222-333' });
        await b.save();
        expect(b.email).toBe('bob@example.com');
        const found = await Patient.findOneBy(encryptedWhere(Patient, { phone: '600222333' }));
        expect(found?.name).toBe('Bob');
        expect(found?.email).toBe('bob@example.com');
        const [row] = await db.raw(`SELECT email FROM ${t('patients')} WHERE id = ${b.id}`);
        expect(String(row!.email)).toMatch(/^qf1\./);
      });

      it('save of a loaded entity re-encrypts a changed value and moves its index', async () => {
        const p = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'bob@example.com' }));
        const oldHash = p.emailHash;
        p.email = 'robert@example.com';
        p.score = 3;
        await repo.save(p);
        expect(p.email).toBe('robert@example.com');
        expect(p.emailHash).not.toBe(oldHash);
        expect(await repo.findOneBy(encryptedWhere(repo, { email: 'bob@example.com' }))).toBeNull();
        const again = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'robert@example.com' }));
        expect(again.score).toBe(3);
        expect(again.phone).toBe('600-222-333');
      });

      it('save of a loaded entity writes only what changed: unchanged ciphertexts stay byte-identical', async () => {
        const cols = `email, phone, dob, prefs, score, balance, vip, photo, work_email, ${t('legacyNote')}, ${t('emailHash')}`;
        const [before] = await db.raw(`SELECT ${cols} FROM ${t('patients')} WHERE name = 'Alice'`);
        const p = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'alice.smith@example.com' }));
        p.name = 'Alice';
        p.dob = new Date(dob.getTime()); // another object, same instant
        p.prefs = { theme: 'dark', langs: ['es', 'en'] };
        p.photo = Uint8Array.from(photo);
        await repo.save(p);
        const [same] = await db.raw(`SELECT ${cols} FROM ${t('patients')} WHERE name = 'Alice'`);
        expect(same).toStrictEqual(before);
        p.score = 98;
        await repo.save(p);
        const [after] = await db.raw(`SELECT ${cols} FROM ${t('patients')} WHERE name = 'Alice'`);
        expect(after!.score).not.toBe(before!.score);
        expect({ ...after, score: null }).toStrictEqual({ ...before, score: null });
        expect(p.score).toBe(98);
        p.score = 97.5;
        await repo.save(p);
        expect((await repo.findOneByOrFail({ id: p.id })).score).toBe(97.5);
      });

      it('repository.update and query-builder update encrypt the new values and their indexes', async () => {
        await repo.update(encryptedWhere(repo, { email: 'robert@example.com' }), {
          email: 'rob@example.com',
          vip: false,
        });
        const p = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'rob@example.com' }));
        expect(p.vip).toBe(false);
        await db.ds
          .createQueryBuilder()
          .update(Patient)
          .set({ phone: '+1 555 0100' })
          .where('id = :id', { id: p.id })
          .execute();
        const q = await repo.findOneByOrFail(encryptedWhere(repo, { phone: '+15550100' }));
        expect(q.id).toBe(p.id);
        const [row] = await db.raw(`SELECT phone, vip FROM ${t('patients')} WHERE id = ${p.id}`);
        expect(String(row!.phone)).toMatch(/^qf1\./);
        expect(String(row!.vip)).toMatch(/^qf1\./);
      });

      it('setting an encrypted value to null clears its index', async () => {
        const c: Patient = await repo.save(Object.assign(new Patient(), { name: 'Carol', email: 'carol@example.com' }));
        c.email = null;
        await repo.save(c);
        const [row] = await db.raw(`SELECT email, ${t('emailHash')} FROM ${t('patients')} WHERE id = ${c.id}`);
        expect(row!.email).toBeNull();
        expect(row!.emailHash).toBeNull();
        expect(await repo.findOneBy(encryptedWhere(repo, { email: IsNull(), name: 'Carol' }))).not.toBeNull();
        await repo.delete(c.id);
      });

      it('relations: notes loaded with their patient are decrypted with their own metadata', async () => {
        const p = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'alice.smith@example.com' }));
        await db.ds
          .getRepository(Note)
          .save([
            Object.assign(new Note(), { title: 'visit 1', body: 'blood pressure 120/80', patient: p }),
            Object.assign(new Note(), { title: 'visit 2', body: 'follow-up in 6 weeks', patient: p }),
          ]);
        const loaded = await repo.findOneOrFail(
          encryptedFind(repo, { where: { email: 'alice.smith@example.com' }, relations: { notes: true } }),
        );
        expect(loaded.notes.map((n) => n.body).sort()).toStrictEqual(['blood pressure 120/80', 'follow-up in 6 weeks']);
        const viaNote = await db.ds.getRepository(Note).findOneOrFail(
          encryptedFind(db.ds.getRepository(Note), {
            where: { patient: { email: 'alice.smith@example.com' } },
            relations: { patient: true },
            order: { id: 'ASC' },
          }),
        );
        expect(viaNote.patient.phone).toBe('+34 600 111 222');
        const raw = await db.raw(`SELECT body FROM ${t('notes')}`);
        expect(raw.every((r) => String(r.body).startsWith('qf1.'))).toBe(true);
      });

      it('transactions: writes through a transactional entity manager are encrypted too', async () => {
        await db.ds.transaction(async (m) => {
          await m.save(Object.assign(new Patient(), { name: 'Dan', email: 'dan@example.com' }));
        });
        const d = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'dan@example.com' }));
        expect(d.name).toBe('Dan');
      });

      it('entities without encrypted columns are untouched', async () => {
        const r = await db.ds.getRepository(PlainRow).save({ label: 'hello' });
        const [row] = await db.raw(`SELECT label FROM ${t('plain_rows')} WHERE id = ${r.id}`);
        expect(row!.label).toBe('hello');
      });
    });

    describe('bulk', () => {
      it('save([...]) encrypts the whole batch with one data-key reservation and no backend call', async () => {
        const before = { ...reg.engine.stats };
        const calls = { ...backend.calls };
        const rows = Array.from({ length: 40 }, (_, i) =>
          Object.assign(new Patient(), { name: `bulk${i}`, email: `bulk${i}@example.com`, dob, score: i }),
        );
        await repo.save(rows);
        const after = reg.engine.stats;
        expect(after.hits - before.hits + (after.generated - before.generated)).toBe(1);
        expect(backend.calls).toStrictEqual(calls);
        expect(rows[7]!.email).toBe('bulk7@example.com');
        const found = await repo.findBy(
          encryptedWhere(repo, { email: In(['bulk3@example.com', 'BULK39@example.com']) }),
        );
        expect(found.map((f) => f.score).sort((a, b) => a! - b!)).toStrictEqual([3, 39]);
      });

      it('insert([...]) encrypts in one pass too', async () => {
        const before = { ...reg.engine.stats };
        await repo.insert(
          Array.from({ length: 25 }, (_, i) => ({ name: `ins${i}`, email: `ins${i}@example.com`, vip: i % 2 === 0 })),
        );
        const after = reg.engine.stats;
        expect(after.hits - before.hits + (after.generated - before.generated)).toBe(1);
        const raw = await db.raw(`SELECT email, vip FROM ${t('patients')} WHERE name LIKE 'ins%'`);
        expect(raw).toHaveLength(25);
        expect(raw.every((r) => String(r.email).startsWith('qf1.') && String(r.vip).startsWith('qf1.'))).toBe(true);
        expect((await repo.findOneByOrFail(encryptedWhere(repo, { email: 'ins4@example.com' }))).vip).toBe(true);
      });

      it('a find of many rows decrypts them in one batch', async () => {
        const all = await repo.find({ where: { name: Like('bulk%') } });
        expect(all).toHaveLength(40);
        expect(all.every((p) => p.dob instanceof Date && p.email!.endsWith('@example.com'))).toBe(true);
      });
    });

    describe('find helpers', () => {
      it('Equal, In, Not, Or and arrays of conditions are rewritten to the blind index', async () => {
        const names = async (where: FindOptionsWhere<Patient> | FindOptionsWhere<Patient>[]) =>
          (await repo.findBy(encryptedWhere(repo, where))).map((p) => p.name).sort();
        expect(await names({ email: Equal('dan@example.com') })).toStrictEqual(['Dan']);
        expect(await names({ email: Or(Equal('dan@example.com'), Equal('rob@example.com')) })).toStrictEqual([
          'Bob',
          'Dan',
        ]);
        expect(await names([{ email: 'dan@example.com' }, { phone: '+34600111222' }])).toStrictEqual(['Alice', 'Dan']);
        const notDan = await names({ email: Not('dan@example.com'), name: In(['Dan', 'Alice']) });
        expect(notDan).toStrictEqual(['Alice']);
        expect(await names({ email: Not(IsNull()), name: 'Dan' })).toStrictEqual(['Dan']);
        expect(await names({ email: IsNull(), name: 'Dan' })).toStrictEqual([]);
        const notIn = await names({ email: Not(In(['dan@example.com'])), name: In(['Dan', 'Alice']) });
        expect(notIn).toStrictEqual(['Alice']);
      });

      it('encryptedRepository rewrites by itself (findOneBy, count, exists)', async () => {
        const r = encryptedRepository(repo);
        expect((await r.findOneBy({ email: 'DAN@example.com' }))?.name).toBe('Dan');
        expect(await r.countBy({ email: In(['dan@example.com', 'rob@example.com']) })).toBe(2);
        expect(await r.existsBy({ email: 'nobody@example.com' })).toBe(false);
        expect((await r.findOne({ where: { phone: '+34 600 111 222' } }))?.name).toBe('Alice');
      });

      it('whereEncrypted on a QueryBuilder: value, array, Or, Not, joins', async () => {
        const one = await whereEncrypted(repo.createQueryBuilder('p'), 'p.email', 'dan@example.com').getOne();
        expect(one?.name).toBe('Dan');
        const many = await whereEncrypted(repo.createQueryBuilder('p'), 'p.email', [
          'dan@example.com',
          'rob@example.com',
        ])
          .orderBy('p.name')
          .getMany();
        expect(many.map((p) => p.name)).toStrictEqual(['Bob', 'Dan']);
        const or = await whereEncrypted(
          repo.createQueryBuilder('p'),
          'p.email',
          Or(Equal('dan@example.com'), Equal('ROB@example.com')),
        )
          .orderBy('p.name')
          .getMany();
        expect(or.map((p) => p.name)).toStrictEqual(['Bob', 'Dan']);
        expect(await whereEncrypted(repo.createQueryBuilder('p'), 'p.email', []).getMany()).toHaveLength(0);
        const not = await whereEncrypted(
          repo.createQueryBuilder('p').where('p.name IN (:...n)', { n: ['Dan', 'Alice'] }),
          'p.email',
          Not('dan@example.com'),
        ).getMany();
        expect(not.map((p) => p.name)).toStrictEqual(['Alice']);
        const notes = await whereEncrypted(
          db.ds.getRepository(Note).createQueryBuilder('n').innerJoinAndSelect('n.patient', 'pat'),
          'pat.email',
          'alice.smith@example.com',
        ).getMany();
        expect(notes).toHaveLength(2);
        expect(notes[0]!.patient.email).toBe('Alice.Smith@example.com');
        expect(notes[0]!.body).toMatch(/blood|follow/);
      });

      it('Like, ILike, MoreThan, LessThan, Between, Raw on an encrypted column throw a typed error naming it', async () => {
        for (const op of [Like('%a%'), ILike('%a%'), MoreThan('a'), LessThan('a'), Between('a', 'b'), Raw('1=1')]) {
          const e = await errorOf(() => encryptedWhere(repo, { email: op }));
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(e.message).toContain('Patient.email');
          expect(e.details.property).toBe('email');
          expect(e.message).toContain(`${op.type === 'ilike' ? 'ILike' : op.type.charAt(0).toUpperCase()}`);
        }
        const e2 = await errorOf(() => whereEncrypted(repo.createQueryBuilder('p'), 'p.email', Like('%x%')));
        expect(e2.code).toBe('FIELD_UNSUPPORTED_OPERATION');
      });

      it('ordering by an encrypted column throws (find options and query builder)', async () => {
        const e = await errorOf(() => encryptedFind(repo, { order: { email: 'ASC' } }));
        expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(e.message).toContain('Patient.email');
        const e2 = await errorOf(() => encryptedRepository(repo).find({ order: { dob: 'DESC' } }));
        expect(e2.message).toContain('Patient.dob');
        const e3 = await errorOf(() => assertNoEncryptedOrder(repo.createQueryBuilder('p').orderBy('p.phone')));
        expect(e3.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(e3.message).toContain('Patient.phone');
        expect(() => assertNoEncryptedOrder(repo.createQueryBuilder('p').orderBy('p.name'))).not.toThrow();
      });

      it('filtering by value on an encrypted column without a blind index throws', async () => {
        const e = await errorOf(() => encryptedWhere(repo, { dob }));
        expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(e.message).toContain('Patient.dob');
      });

      it('a raw query on an encrypted column returns ciphertext, and a plaintext comparison matches nothing', async () => {
        const rows = await db.raw(`SELECT email FROM ${t('patients')} WHERE name = 'Dan'`);
        expect(String(rows[0]!.email)).toMatch(/^qf1\./);
        expect(await db.raw(`SELECT id FROM ${t('patients')} WHERE email = 'dan@example.com'`)).toHaveLength(0);
      });
    });

    describe('plain TypeORM finders, rewritten by the registered DataSource', () => {
      it('repository findOneBy / findBy / count / exists with values, In, Or, Not and arrays', async () => {
        expect((await repo.findOneBy({ email: ' DAN@example.com' }))?.name).toBe('Dan');
        const names = async (where: FindOptionsWhere<Patient> | FindOptionsWhere<Patient>[]) =>
          (await repo.findBy(where)).map((p) => p.name).sort();
        expect(await names({ email: In(['dan@example.com', 'ROB@example.com']) })).toStrictEqual(['Bob', 'Dan']);
        expect(await names({ email: Or(Equal('dan@example.com'), Equal('rob@example.com')) })).toStrictEqual([
          'Bob',
          'Dan',
        ]);
        expect(await names([{ email: 'dan@example.com' }, { phone: '+34 600 111 222' }])).toStrictEqual([
          'Alice',
          'Dan',
        ]);
        expect(await names({ email: Not('dan@example.com'), name: In(['Dan', 'Alice']) })).toStrictEqual(['Alice']);
        expect(await repo.count({ where: { email: In(['dan@example.com', 'nobody@example.com']) } })).toBe(1);
        expect(await repo.existsBy({ phone: '600222333' })).toBe(false);
        expect(await repo.existsBy({ phone: '+1 555 0100' })).toBe(true);
      });

      it('Active Record, entity manager, transactions and relation conditions', async () => {
        expect((await Patient.findOneBy({ phone: '+34600111222' }))?.name).toBe('Alice');
        expect((await db.ds.manager.findOneBy(Patient, { email: 'rob@example.com' }))?.name).toBe('Bob');
        const inTx = await db.ds.transaction((m) => m.findOneBy(Patient, { email: 'dan@example.com' }));
        expect(inTx?.name).toBe('Dan');
        const note = await db.ds.getRepository(Note).findOneOrFail({
          where: { patient: { email: 'alice.smith@example.com' } },
          relations: { patient: true },
          order: { id: 'ASC' },
        });
        expect(note.patient.email).toBe('Alice.Smith@example.com');
      });

      it('QueryBuilder object conditions and Brackets', async () => {
        const one = await repo.createQueryBuilder('p').where({ email: 'dan@example.com' }).getOne();
        expect(one?.name).toBe('Dan');
        const both = await repo
          .createQueryBuilder('p')
          .where(new Brackets((b) => b.where({ email: 'dan@example.com' }).orWhere({ email: 'rob@example.com' })))
          .orderBy('p.name')
          .getMany();
        expect(both.map((p) => p.name)).toStrictEqual(['Bob', 'Dan']);
      });

      it('update(criteria) and delete(criteria) find their rows through the index', async () => {
        await repo.save(Object.assign(new Patient(), { name: 'Tmp', email: 'tmp@example.com', score: 1 }));
        const u = await repo.update({ email: 'TMP@example.com' }, { score: 2 });
        expect(u.affected ?? 1).toBe(1);
        expect((await repo.findOneByOrFail({ email: 'tmp@example.com' })).score).toBe(2);
        await repo.delete({ email: 'tmp@example.com' });
        expect(await repo.existsBy({ email: 'tmp@example.com' })).toBe(false);
      });

      it('unsupported operators and ordering throw a typed error naming the column', async () => {
        for (const where of [{ email: Like('%dan%') }, { email: MoreThan('a') }, { dob: dob }]) {
          const e = await errorOf(() => repo.findBy(where as FindOptionsWhere<Patient>));
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(e.message).toMatch(/Patient\.(email|dob)/);
        }
        const e = await errorOf(() => repo.find({ order: { email: 'ASC' } }));
        expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        const e2 = await errorOf(() => repo.createQueryBuilder('p').orderBy('p.phone').getMany());
        expect(e2.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(e2.message).toContain('Patient.phone');
        const e3 = await errorOf(() => repo.delete({ email: Like('%') }));
        expect(e3.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(await repo.countBy({ name: 'Dan' })).toBe(1);
      });

      it('an undefined encrypted condition is still refused by TypeORM, never read as "any row"', async () => {
        await expect(repo.findOneBy({ email: undefined })).rejects.toThrow(/Undefined value/);
      });

      it('a SQL string condition comparing an encrypted column is refused when built, naming it', async () => {
        const q = db.q; // the dialect's identifier quoting
        const refused = [
          repo.createQueryBuilder('p').where('p.email = :e', { e: 'dan@example.com' }),
          repo.createQueryBuilder('p').where('LOWER(p.email) LIKE :e', { e: '%dan%' }),
          repo
            .createQueryBuilder('p')
            .where('p.name = :n', { n: 'Dan' })
            .andWhere(`${q('p')}.${q('email')} IN (:...e)`, { e: ['x'] }),
          repo
            .createQueryBuilder('p')
            .where(new Brackets((b) => b.where('p.name = :n', { n: 'Dan' }).orWhere('email = :e', { e: 'x' }))),
          repo.createQueryBuilder('p').where('p.phone IS NOT NULL AND p.phone <> :x', { x: '1' }),
          repo.createQueryBuilder('p').groupBy('p.id').having('MAX(p.email) = :e', { e: 'x' }),
        ];
        for (const qb of refused) {
          const e = await errorOf(() => qb.getMany());
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(e.message).toMatch(/Patient\.(email|phone)/);
          expect(e.message).toContain('whereEncrypted');
        }
        // Updates and deletes built from strings would change nothing: refused before they run.
        const upd = repo.createQueryBuilder().update().set({ name: 'X' }).where('email = :e', { e: 'dan@example.com' });
        expect((await errorOf(() => upd.execute())).code).toBe('FIELD_UNSUPPORTED_OPERATION');
        const del = repo.createQueryBuilder().delete().where('email = :e', { e: 'dan@example.com' });
        expect((await errorOf(() => del.execute())).code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(await repo.countBy({ name: 'Dan' })).toBe(1);

        // Allowed: NULL tests, the blind-index column (what whereEncrypted writes), parameters and
        // string literals that happen to spell a column, other entities' columns of the same name.
        const allowed = [
          repo.createQueryBuilder('p').where('p.email IS NOT NULL').andWhere('p.name = :email', { email: 'Dan' }),
          repo
            .createQueryBuilder('p')
            .where("p.name <> 'p.email = 1'")
            .andWhere('(p.dob is null OR p.dob IS NOT NULL) AND p.name = :n', { n: 'Dan' }),
          whereEncrypted(repo.createQueryBuilder('p'), 'p.email', 'dan@example.com'),
          whereEncrypted(repo.createQueryBuilder('p'), 'p.email', Not(IsNull())).andWhere('p.name = :n', { n: 'Dan' }),
        ];
        for (const qb of allowed) expect((await qb.getMany()).map((p) => p.name)).toEqual(['Dan']);
        expect(() =>
          assertNoEncryptedStringConditions(repo.createQueryBuilder('p').where('p.name IN (:...email)', { email: [] })),
        ).not.toThrow();
        const byHand = repo.createQueryBuilder('p').where('p.email = :e', { e: 'x' });
        expect(() => assertNoEncryptedStringConditions(byHand)).toThrow(/Patient\.email/);
      });

      it('property: the string-condition check refuses every comparison of an encrypted column, and nothing else', () => {
        const plainColumn = fc.constantFrom('p.name', 'p.id', 'name', 'p.emailHash', '"p"."phoneHash"', 'p.emails');
        const columnRef = ['p.email', 'email', '"p"."email"', '`p`.`phone`', 'p.dob', '[p].[score]'];
        const nullTested = fc.constantFrom(...columnRef);
        // A function of the column compares the ciphertext just the same.
        const encrypted = fc.constantFrom(...columnRef, 'LOWER(p.vip)', 'TRIM( p.email )');
        const harmless = fc.oneof(
          plainColumn.map((c) => `${c} = :email`), // a parameter named like the column
          plainColumn.map((c) => `${c} IN (:...phone)`),
          fc.constantFrom("'p.email = 1'", "'email'", "'it''s p.dob'").map((lit) => `p.name <> ${lit}`),
          nullTested.map((c) => `${c} IS NULL`),
          nullTested.map((c) => `${c}  is not  null`),
        );
        const conditions = fc.array(harmless, { minLength: 1, maxLength: 4 });
        const qb = (parts: string[]) => repo.createQueryBuilder('p').where(parts.join(' AND '));
        fc.assert(
          fc.property(conditions, (parts) => {
            assertNoEncryptedStringConditions(qb(parts));
          }),
        );
        fc.assert(
          fc.property(
            conditions,
            encrypted,
            fc.constantFrom('=', '<>', 'LIKE', '>', 'IN'),
            fc.nat(),
            (parts, c, op, at) => {
              const all = [...parts];
              all.splice(at % (all.length + 1), 0, `${c} ${op} :v`);
              expect(() => assertNoEncryptedStringConditions(qb(all))).toThrow(/Patient\.(email|phone|dob|score|vip)/);
            },
          ),
        );
      });
    });

    describe('unique blind indexes', () => {
      it('the database rejects a second row with the same (normalized) email', async () => {
        const e = await errorOf(() =>
          repo.save(Object.assign(new Patient(), { name: 'Dup', email: '  DAN@Example.com' })),
        );
        expect(e).toBeInstanceOf(QueryFailedError);
        expect(await repo.countBy(encryptedWhere(repo, { email: 'dan@example.com' }))).toBe(1);
        // The failed object still holds the caller's plaintext-to-be; a retry with a new email works.
        const dup = Object.assign(new Patient(), { name: 'Dup', email: 'dan@example.com' });
        await expect(repo.insert(dup)).rejects.toBeInstanceOf(QueryFailedError);
        dup.email = 'dan2@example.com';
        await repo.save(dup);
        const back = await repo.findOneByOrFail(encryptedWhere(repo, { email: 'dan2@example.com' }));
        expect(back.email).toBe('dan2@example.com');
      });
    });

    it('upsert on the blind-index column updates the existing row instead of adding one', async () => {
      await repo.upsert({ name: 'Ivy', email: 'ivy@example.com', score: 1 }, ['emailHash']);
      await repo.upsert({ name: 'Ivy B.', email: ' IVY@example.com', score: 2 }, ['emailHash']);
      const rows = await repo.findBy(encryptedWhere(repo, { email: 'ivy@example.com' }));
      expect(rows.map((r) => [r.name, r.score, r.email])).toStrictEqual([['Ivy B.', 2, ' IVY@example.com']]);
    });

    it('property: any string round-trips and is found by its normalized form; the column holds no plaintext', async () => {
      const seen = new Set<string>();
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), async (s) => {
          const norm = s.normalize('NFC').trim().toLowerCase();
          fc.pre(norm.length > 0 && !seen.has(norm));
          seen.add(norm);
          const saved = await repo.save(Object.assign(new Patient(), { name: 'prop', email: s }));
          // Another spelling of the same normalized value (upper-casing can change it: 'ß' -> 'SS').
          const upper = s.toUpperCase();
          const probe = upper.normalize('NFC').trim().toLowerCase() === norm ? ` ${upper} ` : s;
          const back = await repo.findOneByOrFail(encryptedWhere(repo, { email: probe }));
          const [row] = await db.raw(`SELECT email FROM ${t('patients')} WHERE id = ${saved.id}`);
          const stored = String(row!.email);
          // Short strings may occur in base64 by chance; longer ones must not.
          return (
            back.id === saved.id &&
            back.email === s &&
            stored.startsWith('qf1.') &&
            (s.length < 8 || !stored.includes(s))
          );
        }),
        { numRuns: 40 },
      );
    });

    describe('fail closed', () => {
      it('a tampered ciphertext fails to decrypt with a typed error', async () => {
        const p = await repo.save(Object.assign(new Patient(), { name: 'Eve', email: 'eve@example.com' }));
        const [row] = await db.raw(`SELECT email FROM ${t('patients')} WHERE id = ${p.id}`);
        const ct = String(row!.email);
        const last = ct.at(-2) === 'A' ? 'B' : 'A';
        const tampered = `${ct.slice(0, -2)}${last}${ct.at(-1)}`;
        await db.raw(`UPDATE ${t('patients')} SET email = '${tampered}' WHERE id = ${p.id}`);
        const e = await errorOf(() => repo.findOneBy({ id: p.id }));
        expect(e.code).toBe('DECRYPTION_FAILED');
        expect(e.message).not.toContain('eve');
        await repo.delete(p.id);
      });

      it('a bad row fails only the find it belongs to, not a concurrent one sharing the batch', async () => {
        const bad = await repo.save(Object.assign(new Patient(), { name: 'Bad', email: 'bad@example.com' }));
        await db.raw(`UPDATE ${t('patients')} SET email = 'not a ciphertext' WHERE id = ${bad.id}`);
        const [a, b] = await Promise.allSettled([
          repo.findOneBy({ id: bad.id }),
          repo.findOneByOrFail(encryptedWhere(repo, { email: 'dan@example.com' })),
        ]);
        expect(a.status).toBe('rejected');
        expect(b.status === 'fulfilled' && b.value.email).toBe('dan@example.com');
        await repo.delete(bad.id);
      });

      it('a ciphertext copied into another column does not open (AAD binds table and column)', async () => {
        const p = await repo.save(
          Object.assign(new Patient(), { name: 'Fay', email: 'fay@example.com', phone: '+1 555' }),
        );
        await db.raw(`UPDATE ${t('patients')} SET phone = email WHERE id = ${p.id}`);
        const e = await errorOf(() => repo.findOneBy({ id: p.id }));
        expect(e.code).toBe('DECRYPTION_FAILED');
        await repo.delete(p.id);
      });

      it('plaintext in a strict column throws; in the migration column it is read as is', async () => {
        const p = await repo.save(Object.assign(new Patient(), { name: 'Gus' }));
        await db.raw(`UPDATE ${t('patients')} SET ${t('legacyNote')} = 'legacy text' WHERE id = ${p.id}`);
        expect((await repo.findOneByOrFail({ id: p.id })).legacyNote).toBe('legacy text');
        await db.raw(`UPDATE ${t('patients')} SET email = 'gus@example.com' WHERE id = ${p.id}`);
        const e = await errorOf(() => repo.findOneBy({ id: p.id }));
        expect(e.code).toBe('INVALID_CIPHERTEXT');
        expect(e.message).not.toContain('gus@');
        await repo.delete(p.id);
      });

      it('a value of the wrong type is rejected before anything is written, without echoing it', async () => {
        const e = await errorOf(() =>
          repo.save(Object.assign(new Patient(), { name: 'Hal', email: 4155550100 as unknown as string })),
        );
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.message).toContain('Patient.email');
        expect(e.message).not.toContain('4155550100');
        expect(await repo.countBy({ name: 'Hal' })).toBe(0);
      });

      it('one wrong-typed value in a bulk save rejects the save; the subscriber rejects, it never throws', async () => {
        const rows = ['Ida', 'Jon', 'Kim'].map((name, i) =>
          Object.assign(new Patient(), {
            name,
            email: i === 1 ? (7 as unknown as string) : `${name.toLowerCase()}@example.com`,
          }),
        );
        const e = await errorOf(() => repo.save(rows));
        expect(e.code).toBe('INVALID_INPUT');
        expect(await repo.countBy({ name: In(['Ida', 'Jon', 'Kim']) })).toBe(0);
        // TypeORM's broadcaster calls beforeInsert for every entity before awaiting any: a
        // synchronous throw would leave the other entities' promises unobserved.
        const event = { metadata: db.ds.getMetadata(Patient), entity: rows[1] } as never;
        let result: Promise<void> | undefined;
        expect(() => {
          result = reg.subscriber.beforeInsert(event);
        }).not.toThrow();
        await expect(result).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      });

      it('writes with listeners turned off are refused before the query, never stored in plaintext', async () => {
        const rawEmails = async () =>
          (await db.raw(`SELECT email FROM ${t('patients')} WHERE name IN ('Lia', 'Max', 'Ned')`)).map(
            (r) => r.email as string,
          );
        const refused = async (fn: () => Promise<unknown>) => {
          const e = await errorOf(fn);
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(e.message).toContain('Patient.email');
          expect(e.message).not.toContain('lia@');
        };
        const lia = Object.assign(new Patient(), { name: 'Lia', email: 'lia@example.com' });
        await refused(() => repo.save(lia, { listeners: false }));
        await refused(() =>
          db.ds
            .createQueryBuilder()
            .insert()
            .into(Patient)
            .values({ name: 'Max', email: 'max@example.com' })
            .callListeners(false)
            .execute(),
        );
        expect(await rawEmails()).toEqual([]);
        // Through TypeORM's save path (which builds its queries with listeners off) values are
        // ciphertexts by then: saved, and updated, as usual.
        const ned = await repo.save(Object.assign(new Patient(), { name: 'Ned', email: 'ned@example.com' }));
        ned.email = 'ned2@example.com';
        await repo.save(ned);
        expect(await rawEmails()).toEqual([expect.stringMatching(/^qf1\./)]);
        await refused(() =>
          db.ds
            .createQueryBuilder()
            .update(Patient)
            .set({ email: 'lia@example.com' })
            .where({ id: ned.id })
            .callListeners(false)
            .execute(),
        );
        expect((await repo.findOneByOrFail({ id: ned.id })).email).toBe('ned2@example.com');
        // Building the SQL of a write that has not run is untouched (the subscriber runs on execute).
        expect(() =>
          db.ds.createQueryBuilder().insert().into(Patient).values({ name: 'X', email: 'x@example.com' }).getSql(),
        ).not.toThrow();
        await repo.delete(ned.id);
      });

      it('the write guard stays on with rewriteQueries: false', async () => {
        const ds6 = await db.reopen([Patient, Note, PlainRow]);
        const reg6 = await registerQuantumApi(ds6, { backend, rewriteQueries: false });
        try {
          const e = await errorOf(() =>
            ds6.getRepository(Patient).save(Object.assign(new Patient(), { name: 'Oz', email: 'oz@example.com' }), {
              listeners: false,
            }),
          );
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(await repo.countBy({ name: 'Oz' })).toBe(0);
        } finally {
          reg6.close();
        }
      });
    });

    describe('data keys', () => {
      it('a second DataSource and engine (another process) reads the rows through the shared key table', async () => {
        const ds2 = await db.reopen([Patient, Note, PlainRow]);
        const before = { ...backend.calls };
        const reg2 = await registerQuantumApi(ds2, { backend });
        try {
          const p = await ds2
            .getRepository(Patient)
            .findOneByOrFail(encryptedWhere(ds2.getRepository(Patient), { email: 'alice.smith@example.com' }));
          expect(p.dob).toStrictEqual(dob);
          // One unwrap for the index root, one per data key it meets; never one per field.
          expect(backend.calls.unwrapKey - before.unwrapKey).toBeLessThanOrEqual(3);
          const dir = new TypeOrmDataKeyDirectory(ds2);
          const [ct] = await db.raw(`SELECT email FROM ${t('patients')} WHERE id = ${p.id}`);
          const rec = await dir.get('default', String(ct!.email).split('.')[2]!);
          expect(rec?.purpose).toBe('field');
          expect(rec?.wrappedKey).not.toContain('qf1');
        } finally {
          reg2.close();
        }
      });

      it('an engine may be passed in directly', async () => {
        const ds3 = await db.reopen([Patient, Note, PlainRow]);
        const engine = new FieldEngine({ backend, directory: new TypeOrmDataKeyDirectory(ds3) });
        const reg3 = await registerQuantumApi(ds3, { engine });
        try {
          const r = encryptedRepository(ds3.getRepository(Patient));
          expect((await r.findOneBy({ email: 'dan@example.com' }))?.name).toBe('Dan');
          const e = await errorOf(() => registerQuantumApi(ds3, { engine }));
          expect(e.code).toBe('FIELD_CONFIG');
        } finally {
          reg3.close();
        }
      });

      it('close() leaves a guard: encrypted entities are neither written nor read until registered again', async () => {
        const ds4 = await db.reopen([Patient, Note, PlainRow]);
        const reg4 = await registerQuantumApi(ds4, { backend });
        const r = ds4.getRepository(Patient);
        expect((await r.findOneBy({ email: 'dan@example.com' }))?.name).toBe('Dan');
        reg4.close();
        const e = await errorOf(() =>
          r.save(Object.assign(new Patient(), { name: 'Late', email: 'late@example.com' })),
        );
        expect(e.code).toBe('FIELD_CONFIG');
        expect(await db.raw(`SELECT id FROM ${t('patients')} WHERE name = 'Late'`)).toHaveLength(0);
        expect((await errorOf(() => r.findOneBy({ name: 'Dan' }))).code).toBe('FIELD_CONFIG');
        expect(await ds4.getRepository(PlainRow).count()).toBeGreaterThan(0);
        const again = await registerQuantumApi(ds4, { backend });
        try {
          expect((await r.findOneBy({ name: 'Dan' }))?.email).toBe('dan@example.com');
        } finally {
          again.close();
        }
      });

      it('rewriteQueries: false leaves plain finders to TypeORM; the explicit helpers still rewrite', async () => {
        const ds5 = await db.reopen([Patient, Note, PlainRow]);
        const reg5 = await registerQuantumApi(ds5, { backend, rewriteQueries: false });
        try {
          const r = ds5.getRepository(Patient);
          expect(await r.findOneBy({ email: 'dan@example.com' })).toBeNull();
          expect((await encryptedRepository(r).findOneBy({ email: 'dan@example.com' }))?.name).toBe('Dan');
        } finally {
          reg5.close();
        }
      });

      it('rejects invalid options', async () => {
        const e = await errorOf(() => registerQuantumApi(db.ds, {}));
        expect(e.code).toBe('FIELD_CONFIG');
      });
    });
  });
};
