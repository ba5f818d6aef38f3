/**
 * Blind-index re-keying on a live table. Rows are indexed under version 1; the application then
 * declares version 2 with `previousVersions: [1]` while `qapi migrate reindex` (or re-saving)
 * moves rows to version 2. Meanwhile every equality-style lookup (value, Equal, In, Not, Or,
 * whereEncrypted, update/delete criteria) matches rows under either version; writes use version 2
 * only. Without `previousVersions`, rows still under version 1 are not found.
 *
 * The three declarations of the same table are three entity classes, each on its own DataSource
 * over the same data: the application before, during and after the re-index.
 */
import 'reflect-metadata';
import { FieldEngine } from '@quantumapi/sdk/fields';
import { Column, type DataSource, Entity, In, Not, Or, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlindIndex,
  Encrypted,
  encryptedWhere,
  type QuantumApiRegistration,
  registerQuantumApi,
  TypeOrmDataKeyDirectory,
  whereEncrypted,
} from '../src/index.js';
import { type CountingBackend, localBackend } from './backend.js';
import { type DbKind, openDb, type TestDb } from './db.js';

@Entity({ name: 'accounts' })
class AccountV1 {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) label!: string;
  @Encrypted({ nullable: true }) email!: string | null;
  @BlindIndex({ of: 'email', name: 'email_hash' }) emailHash!: string | null;
}

/** During the re-index: writes under version 2, lookups under 2 and 1. */
@Entity({ name: 'accounts' })
class AccountReindexing {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) label!: string;
  @Encrypted({ nullable: true }) email!: string | null;
  @BlindIndex({ of: 'email', name: 'email_hash', version: 2, previousVersions: [1] }) emailHash!: string | null;
}

/** After it: version 2 only. */
@Entity({ name: 'accounts' })
class AccountV2 {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 50 }) label!: string;
  @Encrypted({ nullable: true }) email!: string | null;
  @BlindIndex({ of: 'email', name: 'email_hash', version: 2 }) emailHash!: string | null;
}

type Account = AccountV1 | AccountReindexing | AccountV2;

const byLabel = (rows: readonly Account[]) => rows.map((r) => r.label).sort();

const reindexSuite = (kind: DbKind): void => {
  describe(`re-index with previousVersions on ${kind}`, () => {
    let db: TestDb;
    let backend: CountingBackend;
    const regs: QuantumApiRegistration[] = [];
    let during: Repository<AccountReindexing>;
    let after: Repository<AccountV2>;
    let duringDs: DataSource;
    const q = (name: string) => db.q(name);
    const hashOf = async (label: string) =>
      (await db.raw(`SELECT ${q('email_hash')} AS h FROM ${q('accounts')} WHERE ${q('label')} = '${label}'`))[0]!['h'];
    /** The engine's own derivation, as `@quantumapi/cli` computes it for a migration. */
    const engineIndex = async (version: number, value: string) => {
      const engine = new FieldEngine({ backend, directory: new TypeOrmDataKeyDirectory(db.ds) });
      try {
        return await engine.blindIndex({ name: 'email_hash', table: 'accounts', columns: ['email'], version }, value);
      } finally {
        engine.close();
      }
    };

    beforeAll(async () => {
      db = await openDb(kind, [AccountV1]);
      backend = await localBackend();
      regs.push(await registerQuantumApi(db.ds, { backend }));
      await db.ds.getRepository(AccountV1).save([
        { label: 'ana', email: 'Ana@example.com' },
        { label: 'ben', email: 'ben@example.com' },
        { label: 'cy', email: 'cy@example.com' },
      ]);
      duringDs = await db.reopen([AccountReindexing]);
      regs.push(await registerQuantumApi(duringDs, { backend }));
      during = duringDs.getRepository(AccountReindexing);
      const afterDs = await db.reopen([AccountV2]);
      regs.push(await registerQuantumApi(afterDs, { backend }));
      after = afterDs.getRepository(AccountV2);
    });

    afterAll(async () => {
      for (const r of regs) r.close();
      await db?.close();
    });

    it('rows written before hold the version 1 index, byte for byte what the engine derives', async () => {
      expect(await hashOf('ana')).toBe(await engineIndex(1, 'ana@example.com'));
    });

    it('while re-indexing, writes use version 2 and a re-saved row moves to it', async () => {
      await during.save({ label: 'dee', email: 'dee@example.com' });
      expect(await hashOf('dee')).toBe(await engineIndex(2, 'dee@example.com'));

      // Any update of a row recomputes its index under version 2, even with the email unchanged.
      const ben = await during.findOneByOrFail({ email: 'ben@example.com' });
      ben.label = 'ben2';
      await during.save(ben);
      expect(await hashOf('ben2')).toBe(await engineIndex(2, 'ben@example.com'));
      expect(await hashOf('ana')).toBe(await engineIndex(1, 'ana@example.com')); // not touched yet
    });

    it('lookups find rows under either version: value, In, Not, Or, count, whereEncrypted', async () => {
      expect((await during.findOneBy({ email: ' ANA@example.com' }))?.label).toBe('ana'); // version 1
      expect((await during.findOneBy({ email: 'ben@example.com' }))?.label).toBe('ben2'); // re-indexed
      expect((await during.findOneBy({ email: 'dee@example.com' }))?.label).toBe('dee'); // written under 2
      expect(
        byLabel(await during.findBy({ email: In(['ana@example.com', 'ben@example.com', 'dee@example.com']) })),
      ).toEqual(['ana', 'ben2', 'dee']);
      expect(byLabel(await during.findBy({ email: Not('ana@example.com') }))).toEqual(['ben2', 'cy', 'dee']);
      expect(byLabel(await during.findBy({ email: Not(In(['ana@example.com', 'dee@example.com'])) }))).toEqual([
        'ben2',
        'cy',
      ]);
      expect(byLabel(await during.findBy({ email: Or(In(['cy@example.com']), In(['dee@example.com'])) }))).toEqual([
        'cy',
        'dee',
      ]);
      expect(await during.countBy([{ email: 'ana@example.com' }, { email: 'dee@example.com' }])).toBe(2);
      const qb = whereEncrypted(duringDs.createQueryBuilder(AccountReindexing, 'a'), 'a.email', [
        'ana@example.com',
        'dee@example.com',
      ]);
      expect(byLabel(await qb.getMany())).toEqual(['ana', 'dee']);
      const notQb = whereEncrypted(
        duringDs.createQueryBuilder(AccountReindexing, 'a'),
        'a.email',
        Not('cy@example.com'),
      );
      expect(byLabel(await notQb.getMany())).toEqual(['ana', 'ben2', 'dee']);
    });

    it('the lookup matches the value under version 2, then version 1', async () => {
      expect(encryptedWhere(during, { email: 'ana@example.com' })).toEqual({
        emailHash: In([await engineIndex(2, 'ana@example.com'), await engineIndex(1, 'ana@example.com')]),
      });
    });

    it('update and delete criteria reach rows under either version', async () => {
      await during.update({ email: 'cy@example.com' }, { label: 'cy2' }); // cy is still under version 1
      expect((await during.findOneBy({ email: 'cy@example.com' }))?.label).toBe('cy2');
      expect(await hashOf('cy2')).toBe(await engineIndex(1, 'cy@example.com'));
      await db.ds.getRepository(AccountV1).save({ label: 'tmp', email: 'tmp@example.com' }); // version 1
      await during.delete({ email: 'tmp@example.com' });
      expect(await db.raw(`SELECT 1 FROM ${q('accounts')} WHERE ${q('label')} = 'tmp'`)).toHaveLength(0);
    });

    it('without previousVersions, rows still under version 1 are not found', async () => {
      expect(await after.findOneBy({ email: 'ana@example.com' })).toBeNull();
      expect(await after.findOneBy({ email: 'cy@example.com' })).toBeNull();
      expect(
        byLabel(await after.findBy({ email: In(['ana@example.com', 'ben@example.com', 'dee@example.com']) })),
      ).toEqual(['ben2', 'dee']);
      // Reads still decrypt every row: the data keys do not depend on the index version.
      expect((await after.find()).map((r) => r.email).sort()).toEqual([
        'Ana@example.com',
        'ben@example.com',
        'cy@example.com',
        'dee@example.com',
      ]);
    });

    it('once every row is re-indexed, version 2 alone finds them all', async () => {
      // What `qapi migrate reindex` writes for the rows still under version 1.
      for (const [label, email] of [
        ['ana', 'Ana@example.com'],
        ['cy2', 'cy@example.com'],
      ] as const) {
        const v2 = await engineIndex(2, email);
        await db.raw(`UPDATE ${q('accounts')} SET ${q('email_hash')} = '${v2}' WHERE ${q('label')} = '${label}'`);
      }
      expect(byLabel(await after.findBy({ email: In(['ana@example.com', 'cy@example.com']) }))).toEqual(['ana', 'cy2']);
    });
  });
};

reindexSuite('sqlite');
reindexSuite('postgres');

describe('@BlindIndex previousVersions options', () => {
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return undefined;
  };

  it('rejects versions that are not positive integers, and previousVersions on an unkeyed compat index', () => {
    expect(codeOf(() => BlindIndex({ of: 'email', version: 2, previousVersions: [0] }))).toBe('FIELD_CONFIG');
    expect(codeOf(() => BlindIndex({ of: 'email', version: 2, previousVersions: [1.5] }))).toBe('FIELD_CONFIG');
    expect(codeOf(() => BlindIndex({ of: 'email', compat: 'sha3', previousVersions: [1] }))).toBe('FIELD_CONFIG');
    expect(codeOf(() => BlindIndex({ of: 'email', version: 2, previousVersions: [1] }))).toBeUndefined();
  });
});
