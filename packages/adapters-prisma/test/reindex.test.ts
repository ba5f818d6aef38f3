/**
 * Blind-index re-keying on a live table (issue 7). Rows are indexed under version 1; the
 * application then declares `version: 2, previousVersions: [1]` while `qapi migrate reindex`
 * moves rows to version 2. Meanwhile every lookup form (value, equals, in, notIn, not, AND / OR /
 * NOT, relation filters, count, updateMany / deleteMany, and the unique lookups findUnique(OrThrow),
 * update, delete) finds rows under either version; writes use version 2 only. Without
 * `previousVersions`, rows still under version 1 are not found but still decrypt.
 *
 * The three manifests are the same application before, during and after the re-index, as three
 * extended clients over the same database. Stored hashes are checked against the migration
 * engine's own `indexLookupValues` (`@quantumapi/cli`), from the same kind of table description.
 */
import type { FieldEngine } from '@quantumapi/sdk/fields';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexLookupValues } from '../../cli/src/migrate/api.js';
import type { TableSpec } from '../../cli/src/migrate/spec.js';
import { rewriteArgs, rewriteAttempts } from '../src/extension.js';
import {
  createPrismaFieldEngine,
  defineEncryptionManifest,
  type EncryptedFieldIndexSpec,
  quantumApiEncryption,
  resolveManifest,
} from '../src/index.js';
import { QueryRewriter } from '../src/where.js';
import { type DbKind, openDb, type TestDb } from './db.js';
import { encryptionManifest as generated } from './prisma/sqlite/generated/quantumapi-manifest.js';
import { localEncryption } from './key-backend.js';

/** The generated test manifest with User.email indexed as given. */
const withEmailIndex = (index: EncryptedFieldIndexSpec) =>
  defineEncryptionManifest({
    ...generated,
    models: {
      ...generated.models,
      User: { ...generated.models.User, fields: { ...generated.models.User.fields, email: { index } } },
    },
  });

const before = withEmailIndex({ name: 'emailHash', unique: true });
const during = withEmailIndex({ name: 'emailHash', unique: true, version: 2, previousVersions: [1] });
const after = withEmailIndex({ name: 'emailHash', unique: true, version: 2 });

/** The same column as `qapi migrate reindex` is told about it, before and during the re-index. */
const tableSpec = (index: { version?: number; previousVersions?: number[] }): TableSpec => ({
  table: 'User',
  primaryKey: 'id',
  columns: { email: { index: { name: 'emailHash', ...index } } },
});

// Prisma's generated types only know the index column as unique; the adapter resolves the
// encrypted column to it, so unique lookups by the plaintext column need a cast.
const uq = (where: object): never => where as never;

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

const codeAndMessage = async (p: Promise<unknown>): Promise<[string | undefined, string]> => {
  try {
    await p;
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message];
  }
  return [undefined, ''];
};

const reindexSuite = (kind: DbKind): void => {
  describe(`re-index with previousVersions on ${kind}`, () => {
    let db: TestDb;
    let engine: FieldEngine;
    const extend = (manifest: typeof before) => db.prisma.$extends(quantumApiEncryption({ engine, manifest }));
    let v1: ReturnType<typeof extend>;
    let xp: ReturnType<typeof extend>; // during the re-index
    let v2: ReturnType<typeof extend>;

    const hashOf = async (name: string) =>
      (await db.rawRows(`SELECT "emailHash" AS h FROM "User" WHERE name = '${name}'`))[0]?.h;
    /** What the migration engine matches for a value: [version 2, version 1] during the re-index. */
    const cli = (value: string, index: { version?: number; previousVersions?: number[] }) =>
      indexLookupValues(engine, tableSpec(index), 'email', value);
    const names = async (client: typeof xp, where: object) =>
      (await client.user.findMany({ where, orderBy: { name: 'asc' } })).map((u) => u.name);

    beforeAll(async () => {
      db = await openDb(kind);
      const localKeys = await localEncryption();
      engine = await createPrismaFieldEngine({ prisma: db.prisma, backend: localKeys });
      v1 = extend(before);
      xp = extend(during);
      v2 = extend(after);
      await v1.user.create({ data: { name: 'ana', email: 'Ana@example.com', posts: { create: { title: 'a1' } } } });
      await v1.user.createMany({
        data: ['ben', 'cy', 'eve', 'fay'].map((name) => ({ name, email: `${name}@example.com` })),
      });
    });

    afterAll(async () => {
      engine?.close();
      await db?.close();
    });

    it('rows written before hold the version 1 index, byte for byte what the migration engine derives', async () => {
      const [v1Hash] = await cli('ana@example.com', {});
      expect(await hashOf('ana')).toBe(v1Hash);
      const [current, previous] = await cli('ana@example.com', { version: 2, previousVersions: [1] });
      expect(previous).toBe(v1Hash);
      expect(current).not.toBe(v1Hash);
    });

    it('while re-indexing, writes use version 2: creates, and updates that set the value', async () => {
      await xp.user.create({ data: { name: 'dee', email: 'dee@example.com' } });
      expect(await hashOf('dee')).toBe((await cli('dee@example.com', { version: 2, previousVersions: [1] }))[0]);
      await xp.user.updateMany({ where: { name: 'ben' }, data: { email: 'ben@example.com' } });
      expect(await hashOf('ben')).toBe((await cli('ben@example.com', { version: 2 }))[0]);
      expect(await hashOf('cy')).toBe((await cli('cy@example.com', { version: 1 }))[0]); // not reached yet
    });

    it('equality looks for the value under version 2, then version 1, as the migration engine does', async () => {
      const rw = new QueryRewriter(resolveManifest(during), engine);
      const model = rw.model('User')!;
      const expected = await cli('ana@example.com', { version: 2, previousVersions: [1] });
      expect(await rewriteArgs(rw, model, 'findMany', { where: { email: ' ANA@example.com' } })).toEqual({
        where: { AND: [{ emailHash: { in: expected } }] },
      });
      // A unique lookup cannot take `in`: one attempt per version, the current one first.
      const attempts = await rewriteAttempts(rw, model, 'findUnique', { where: { email: 'ana@example.com' } });
      expect(attempts.map((a) => a.where)).toEqual(expected.map((emailHash) => ({ emailHash })));
    });

    it('filters find rows under either version: value, equals, in, notIn, not, AND / OR / NOT', async () => {
      expect(await names(xp, { email: ' ANA@example.com' })).toEqual(['ana']); // version 1
      expect(await names(xp, { email: { equals: 'ben@example.com' } })).toEqual(['ben']); // re-indexed
      expect(await names(xp, { email: 'dee@example.com' })).toEqual(['dee']); // written under 2
      expect(await names(xp, { email: { in: ['ana@example.com', 'ben@example.com', 'dee@example.com'] } })).toEqual([
        'ana',
        'ben',
        'dee',
      ]);
      expect(await names(xp, { email: { notIn: ['ana@example.com', 'dee@example.com'] } })).toEqual([
        'ben',
        'cy',
        'eve',
        'fay',
      ]);
      expect(await names(xp, { email: { not: 'cy@example.com' } })).toEqual(['ana', 'ben', 'dee', 'eve', 'fay']);
      expect(await names(xp, { email: { not: { in: ['ana@example.com', 'ben@example.com'] } } })).toEqual([
        'cy',
        'dee',
        'eve',
        'fay',
      ]);
      expect(await names(xp, { OR: [{ email: 'cy@example.com' }, { email: 'dee@example.com' }] })).toEqual([
        'cy',
        'dee',
      ]);
      expect(await names(xp, { AND: [{ email: 'ana@example.com' }, { name: 'ana' }] })).toEqual(['ana']);
      expect(await names(xp, { NOT: { email: 'ana@example.com' } })).toEqual(['ben', 'cy', 'dee', 'eve', 'fay']);
      expect(await xp.user.count({ where: { email: { in: ['ana@example.com', 'dee@example.com'] } } })).toBe(2);
      expect((await xp.user.findFirst({ where: { email: 'cy@example.com' } }))?.name).toBe('cy');
      expect((await xp.user.findFirstOrThrow({ where: { email: 'cy@example.com' } })).email).toBe('cy@example.com');
    });

    it('relation filters and nested reads match either version', async () => {
      const posts = await xp.post.findMany({ where: { author: { email: 'ana@example.com' } } });
      expect(posts.map((p) => p.title)).toEqual(['a1']);
      const viaIs = await xp.post.findMany({ where: { author: { is: { email: { in: ['ana@example.com'] } } } } });
      expect(viaIs.map((p) => p.title)).toEqual(['a1']);
      const withAuthor = await xp.post.findFirst({
        where: { author: { email: 'ana@example.com' } },
        include: { author: true },
      });
      expect(withAuthor?.author.email).toBe('Ana@example.com');
      expect(await names(xp, { posts: { some: { title: 'a1' } }, email: 'ana@example.com' })).toEqual(['ana']);
    });

    it('findUnique and findUniqueOrThrow try each version and keep their null / throw semantics', async () => {
      expect((await xp.user.findUnique({ where: uq({ email: 'ana@example.com' }) }))?.name).toBe('ana');
      expect((await xp.user.findUnique({ where: uq({ email: 'dee@example.com' }) }))?.name).toBe('dee');
      expect(await xp.user.findUnique({ where: uq({ email: 'nobody@example.com' }) })).toBeNull();
      expect((await xp.user.findUniqueOrThrow({ where: uq({ email: 'cy@example.com' }) })).name).toBe('cy');
      expect(await codeOf(xp.user.findUniqueOrThrow({ where: uq({ email: 'nobody@example.com' }) }))).toBe('P2025');
      // Other conditions beside the unique one still apply to every attempt.
      expect(await xp.user.findUnique({ where: uq({ email: 'ana@example.com', name: 'not-ana' }) })).toBeNull();
    });

    it('update and delete by a unique encrypted value reach rows under either version', async () => {
      const cy = await xp.user.update({ where: uq({ email: 'cy@example.com' }), data: { age: 7 } });
      expect([cy.name, cy.age, cy.email]).toEqual(['cy', 7, 'cy@example.com']);
      expect(await hashOf('cy')).toBe((await cli('cy@example.com', { version: 1 }))[0]); // index untouched
      const moved = await xp.user.update({ where: uq({ email: 'cy@example.com' }), data: { email: 'cy@example.com' } });
      expect(moved.age).toBe(7);
      expect(await hashOf('cy')).toBe((await cli('cy@example.com', { version: 2 }))[0]);
      expect(await codeOf(xp.user.update({ where: uq({ email: 'nobody@example.com' }), data: { age: 1 } }))).toBe(
        'P2025',
      );

      // The row is found under version 1 and its nested update misses: that P2025 is the one reported,
      // not the version 2 try's "No record was found for an update".
      const nested = await codeAndMessage(
        xp.user.update({
          where: uq({ email: 'eve@example.com' }),
          data: { posts: { update: { where: { id: 424242 }, data: { title: 'x' } } } },
        }),
      );
      expect(nested[0]).toBe('P2025');
      expect(nested[1]).toMatch(/No 'Post' record was found for a nested update/);

      await v1.user.create({ data: { name: 'tmp', email: 'tmp@example.com' } });
      expect((await xp.user.delete({ where: uq({ email: 'tmp@example.com' }) })).email).toBe('tmp@example.com');
      expect(await db.rawRows(`SELECT 1 FROM "User" WHERE name = 'tmp'`)).toHaveLength(0);
      expect(await codeOf(xp.user.delete({ where: uq({ email: 'tmp@example.com' }) }))).toBe('P2025');
    });

    it('updateMany and deleteMany filters reach rows under either version', async () => {
      await v1.user.create({ data: { name: 'tmp2', email: 'tmp2@example.com' } });
      const r = await xp.user.updateMany({
        where: { email: { in: ['eve@example.com', 'dee@example.com'] } },
        data: { age: 40 },
      });
      expect(r.count).toBe(2);
      expect((await xp.user.deleteMany({ where: { email: 'tmp2@example.com' } })).count).toBe(1);
    });

    it('upsert by a unique encrypted value updates the row under either version, and creates only when there is none', async () => {
      const upsert = (email: string, name: string, age: number) =>
        xp.user.upsert({ where: uq({ email }), create: { name, email }, update: { age } });
      // fay is still under version 1: updated, not duplicated under version 2.
      expect((await upsert('fay@example.com', 'fay2', 31)).name).toBe('fay');
      expect(await names(xp, { email: 'fay@example.com' })).toEqual(['fay']);
      expect(await hashOf('fay')).toBe((await cli('fay@example.com', { version: 1 }))[0]);
      // dee is under version 2: the first try's create hits the unique index, the second updates.
      expect((await upsert('dee@example.com', 'dee2', 32)).age).toBe(32);
      expect(await names(xp, { email: 'dee@example.com' })).toEqual(['dee']);
      // Under neither version: created once, indexed under version 2.
      expect((await upsert('gus@example.com', 'gus', 33)).name).toBe('gus');
      expect(await hashOf('gus')).toBe((await cli('gus@example.com', { version: 2 }))[0]);
      expect(await names(xp, { email: 'gus@example.com' })).toEqual(['gus']);
      await xp.user.delete({ where: uq({ email: 'gus@example.com' }) });

      // A conflict on another unique column fails both tries and is reported as Prisma's own P2002.
      const fay = await xp.user.findUniqueOrThrow({ where: uq({ email: 'fay@example.com' }) });
      const clash = await codeAndMessage(
        xp.user.upsert({
          where: uq({ email: 'hal@example.com' }),
          create: { id: fay.id, name: 'hal', email: 'hal@example.com' },
          update: {},
        }),
      );
      expect(clash[0]).toBe('P2002');
      expect(await names(xp, { email: 'hal@example.com' })).toEqual([]);
    });

    it('unique lookups that cannot be tried per version are refused while the re-index runs', async () => {
      const refused = [
        () => xp.post.create({ data: { title: 'p', author: { connect: uq({ email: 'fay@example.com' }) } } }),
        () => xp.user.findMany({ cursor: uq({ email: 'fay@example.com' }) }),
        // In a transaction an upsert's failed first insert would abort it (PostgreSQL) or run outside it (batch).
        () =>
          xp.$transaction(async (tx) =>
            tx.user.upsert({
              where: uq({ email: 'fay@example.com' }),
              create: { name: 'f', email: 'f@x' },
              update: {},
            }),
          ),
        () =>
          xp.$transaction([
            xp.user.upsert({
              where: uq({ email: 'fay@example.com' }),
              create: { name: 'f', email: 'f@x' },
              update: {},
            }),
          ]),
      ];
      for (const run of refused) expect(await codeOf(run())).toBe('FIELD_UNSUPPORTED_OPERATION');
      expect(await names(xp, { email: 'f@x' })).toEqual([]);
      // With two previous versions a record under the older one could be duplicated: refused too.
      const twoBack = withEmailIndex({ name: 'emailHash', unique: true, version: 3, previousVersions: [2, 1] });
      const resolved = resolveManifest(twoBack);
      const rw = new QueryRewriter(resolved, engine);
      const model = resolved.models.get('User')!;
      const args = { where: { email: 'fay@example.com' }, create: { name: 'f' }, update: {} };
      const e = await codeAndMessage(rewriteAttempts(rw, model, 'upsert', args));
      expect(e[0]).toBe('FIELD_UNSUPPORTED_OPERATION');
      expect(e[1]).toContain('User.email');
      expect(
        await rewriteAttempts(rw, model, 'update', { where: { email: 'fay@example.com' }, data: {} }),
      ).toHaveLength(3);
      // Connecting by the primary key works as always.
      const fay = await xp.user.findUniqueOrThrow({ where: uq({ email: 'fay@example.com' }) });
      await xp.post.create({ data: { title: 'f1', author: { connect: { id: fay.id } } } });
    });

    it('inside an interactive transaction the attempts share it (a miss does not abort it)', async () => {
      const result = await xp.$transaction(async (tx) => {
        const found = await tx.user.findUnique({ where: uq({ email: 'fay@example.com' }) }); // version 1
        const updated = await tx.user.update({ where: uq({ email: 'fay@example.com' }), data: { age: 55 } });
        const again = await tx.user.findFirst({ where: { email: 'fay@example.com', age: 55 } });
        return [found?.name, updated.age, again?.name];
      });
      expect(result).toEqual(['fay', 55, 'fay']);
    });

    it('inside a batch transaction, unique lookups by an encrypted value are refused; findFirst works', async () => {
      // Tries after the first would run outside the batch, and a miss would roll it back.
      const dee = await xp.user.findFirstOrThrow({ where: { email: 'dee@example.com' } });
      const batch = xp.$transaction([
        xp.user.update({ where: { id: dee.id }, data: { age: 99 } }),
        xp.user.findUnique({ where: uq({ email: 'dee@example.com' }) }),
      ]);
      expect(await codeOf(batch)).toBe('FIELD_UNSUPPORTED_OPERATION');
      expect((await xp.user.findUniqueOrThrow({ where: { id: dee.id } })).age).toBe(dee.age); // nothing committed
      const [a, d] = await xp.$transaction([
        xp.user.findFirst({ where: { email: 'ana@example.com' } }),
        xp.user.findFirst({ where: { email: 'dee@example.com' } }),
      ]);
      expect([a?.name, d?.name]).toEqual(['ana', 'dee']);
    });

    it('without previousVersions, rows still under version 1 are not found, yet every row decrypts', async () => {
      expect(await v2.user.findUnique({ where: uq({ email: 'ana@example.com' }) })).toBeNull();
      expect(await names(v2, { email: { in: ['ana@example.com', 'ben@example.com', 'dee@example.com'] } })).toEqual([
        'ben',
        'dee',
      ]);
      expect((await v2.user.findMany({ orderBy: { name: 'asc' } })).map((u) => u.email)).toEqual([
        'Ana@example.com',
        'ben@example.com',
        'cy@example.com',
        'dee@example.com',
        'eve@example.com',
        'fay@example.com',
      ]);
    });

    it('once the remaining rows are re-indexed, version 2 alone finds them all', async () => {
      // What `qapi migrate reindex` writes for the rows still under version 1.
      for (const [name, email] of [
        ['ana', 'Ana@example.com'],
        ['eve', 'eve@example.com'],
        ['fay', 'fay@example.com'],
      ] as const) {
        const [h] = await cli(email, { version: 2 });
        await db.rawRows(`UPDATE "User" SET "emailHash" = '${h}' WHERE name = '${name}'`);
      }
      expect(await names(v2, { email: { in: ['ana@example.com', 'eve@example.com', 'fay@example.com'] } })).toEqual([
        'ana',
        'eve',
        'fay',
      ]);
      expect((await v2.user.findUnique({ where: uq({ email: 'ana@example.com' }) }))?.name).toBe('ana');
    });
  });
};

reindexSuite('sqlite');
reindexSuite('postgresql');
