/**
 * The adapter specification, run against each real database (SQLite, PostgreSQL): every
 * operation of issue 5, checked through Prisma and, for storage, through raw SQL.
 */
import type { JsonValue } from '@quantumapi/sdk/fields';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createPrismaFieldEngine, encryptedInput, quantumApiEncryption } from '../src/index.js';
import { type DbKind, openDb, type TestDb } from './db.js';
import { encryptionManifest } from './prisma/sqlite/generated/quantumapi-manifest.js';
import { localEncryption } from './key-backend.js';

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

// Arguments Prisma's types reject on purpose: the operations the adapter must refuse.
const as = <T>(v: unknown): T => v as T;

export const adapterSuite = (kind: DbKind): void => {
  describe(`@quantumapi/prisma on ${kind}`, () => {
    let db: TestDb;
    const calls = { generateDataKey: 0, unwrapKey: 0 };
    let build: () => Promise<ReturnType<typeof extend>>;
    let backend: Parameters<typeof createPrismaFieldEngine>[0]['backend'];
    // Strict types: each refused form below is marked @ts-expect-error (the default accepts Prisma's
    // own input types too; test/extension-types.test.ts covers both).
    const extend = (prisma: TestDb['prisma'], engine: Awaited<ReturnType<typeof createPrismaFieldEngine>>) =>
      prisma.$extends(quantumApiEncryption({ engine, manifest: encryptionManifest, strictTypes: true }));
    let xp: ReturnType<typeof extend>;

    beforeAll(async () => {
      db = await openDb(kind);
      const localKeys = await localEncryption();
      backend = {
        generateDataKey: (i?: Parameters<typeof localKeys.generateDataKey>[0]) => {
          calls.generateDataKey++;
          return localKeys.generateDataKey(i);
        },
        unwrapKey: (w: string) => {
          calls.unwrapKey++;
          return localKeys.unwrapKey(w);
        },
      };
      build = async () => extend(db.prisma, await createPrismaFieldEngine({ prisma: db.prisma, backend }));
      xp = await build();
    });

    afterAll(async () => {
      await db?.close();
    });

    const dob = new Date('1987-03-14T00:00:00.000Z');

    describe('writes and reads', () => {
      it('create encrypts every declared column and fills the blind indexes; reads restore the types', async () => {
        const u = await xp.user.create({
          data: {
            name: 'Alice',
            age: 37,
            email: 'Alice.Smith@example.com',
            phone: '+34 600 111 222',
            dob: dob,
            prefs: { theme: 'dark', langs: ['es', 'en'] },
          },
        });
        expect(u.email).toBe('Alice.Smith@example.com');
        expect(u.dob).toStrictEqual(dob);
        expect(u.prefs).toStrictEqual({ theme: 'dark', langs: ['es', 'en'] });
        expect(u.emailHash).toMatch(/^[0-9a-f]{64}$/);

        const found = await xp.user.findUnique({ where: { email: 'alice.smith@EXAMPLE.com ' } });
        expect(found?.id).toBe(u.id);
        expect(found?.phone).toBe('+34 600 111 222');
        expect(found?.dob).toBeInstanceOf(Date);
      });

      it('unique lookups by an encrypted column type-check as written, with typed results', async () => {
        const u = await xp.user.create({
          data: { name: 'Una', email: 'una@example.com', dob: dob, posts: { create: { title: 'u1' } } },
        });
        const found = await xp.user.findUnique({
          where: { email: 'UNA@example.com' },
          include: { posts: { orderBy: { id: 'asc' } }, profile: true },
        });
        expectTypeOf(found).toEqualTypeOf<
          | (Omit<typeof u, never> & {
              posts: { id: number; title: string; authorId: number; secretNote: string | null }[];
              profile: {
                id: number;
                ssn: string | null;
                ssnHash: string | null;
                score: number | null;
                userId: number;
              } | null;
            })
          | null
        >();
        expect(found?.posts.map((p) => p.title)).toEqual(['u1']);
        expect(found?.profile).toBeNull();

        const picked = await xp.user.findUniqueOrThrow({
          where: { email: { equals: 'una@example.com' } },
          select: { dob: true },
        });
        expectTypeOf(picked).toEqualTypeOf<{ dob: Date | null }>();
        expect(picked).toStrictEqual({ dob });

        // Prisma's fluent relation API survives the retyping.
        const posts = await xp.user
          .findUnique({ where: { email: 'una@example.com' } })
          .posts({ select: { title: true } });
        expectTypeOf(posts).toEqualTypeOf<{ title: string }[] | null>();
        expect(posts).toEqual([{ title: 'u1' }]);

        const renamed = await xp.user.update({ where: { email: 'una@example.com', age: 0 }, data: { name: 'Una B' } });
        expectTypeOf(renamed.dob).toEqualTypeOf<Date | null>();
        expect(renamed.name).toBe('Una B');
        const viaTx = await xp.$transaction(async (tx) => tx.user.findUnique({ where: { email: 'una@example.com' } }));
        expect(viaTx?.id).toBe(u.id);
        const byId = await xp.user.findUnique({ where: { id: u.id }, select: { email: true } });
        expectTypeOf(byId).toEqualTypeOf<{ email: string | null } | null>();

        const typeErrors = () => [
          // @ts-expect-error phone's blind index is not unique
          xp.user.findUnique({ where: { phone: '+34 600 000 000' } }),
          // @ts-expect-error email is a string
          xp.user.findUnique({ where: { email: 42 } }),
          // @ts-expect-error not a field of User
          xp.user.findUnique({ where: { email: 'a@b.c' }, select: { dobb: true } }),
          // @ts-expect-error Post has no encrypted unique column
          xp.post.findUnique({ where: { secretNote: 'n' } }),
        ];
        expect(typeErrors).toBeTypeOf('function');
        await xp.user.delete({ where: { email: 'una@example.com' } });
        expect(await xp.user.findUnique({ where: { id: u.id } })).toBeNull();
      });

      it('result types are the declared field types, and the values match them at run time', async () => {
        const u = await xp.user.create({
          data: {
            name: 'Typed',
            email: 'typed@example.com',
            dob: dob,
            prefs: { a: 1 },
            profile: { create: { ssn: '999 00 1111', score: 2.5 } },
            posts: { create: [{ title: 't', secretNote: 'n' }] },
          },
        });
        expectTypeOf(u.dob).toEqualTypeOf<Date | null>();
        expectTypeOf(u.prefs).toEqualTypeOf<JsonValue | null>();
        expectTypeOf(u.email).toEqualTypeOf<string | null>();
        expectTypeOf(u.name).toEqualTypeOf<string>(); // not encrypted: Prisma's own type
        expect(u.dob).toBeInstanceOf(Date);

        const full = await xp.user.findUniqueOrThrow({ where: { id: u.id }, include: { profile: true, posts: true } });
        expectTypeOf(full.profile!.score).toEqualTypeOf<number | null>();
        expectTypeOf(full.posts[0]!.secretNote).toEqualTypeOf<string | null>();
        expect(full.profile?.score).toBe(2.5);
        expect(full.posts[0]?.secretNote).toBe('n');

        const picked = await xp.user.findFirstOrThrow({ where: { id: u.id }, select: { dob: true, prefs: true } });
        expectTypeOf(picked).toEqualTypeOf<{ dob: Date | null; prefs: JsonValue | null }>();
        expect(picked).toStrictEqual({ dob, prefs: { a: 1 } });

        const [many] = await xp.user.createManyAndReturn({ data: [{ name: 'Typed 2', dob: dob }] });
        expectTypeOf(many!.dob).toEqualTypeOf<Date | null>();
        expect(many?.dob).toStrictEqual(dob);

        // Migration mode on a string column: legacy plaintext and decrypted values are both strings.
        expectTypeOf(full.legacyNote).toEqualTypeOf<string | null>();
        await xp.user.delete({ where: { id: u.id } });
        await xp.user.delete({ where: { id: many!.id } });
      });

      it('top-level write inputs take the declared field types, in every write operation', async () => {
        const later = new Date('1999-09-09T00:00:00.000Z');
        const { count } = await xp.user.createMany({
          data: [{ name: 'In 1', email: 'in1@example.com', dob, prefs: [1, 'two'] }, { name: 'In 2' }],
        });
        expect(count).toBe(2);
        const set = await xp.user.update({ where: { email: 'in1@example.com' }, data: { dob: { set: later } } });
        expect(set.dob).toStrictEqual(later);
        const { count: cleared } = await xp.user.updateMany({
          where: { name: 'In 2' },
          data: { dob: later, prefs: null },
        });
        expect(cleared).toBe(1);
        const up = await xp.user.upsert({
          where: { email: 'in3@example.com' },
          create: { name: 'In 3', email: 'in3@example.com', dob },
          update: { dob: later },
        });
        expect(up.dob).toStrictEqual(dob);
        const profile = await xp.profile.create({ data: { userId: up.id, ssn: '555 55 5555', score: 4.25 } });
        expectTypeOf(profile.score).toEqualTypeOf<number | null>();
        expect(profile.score).toBe(4.25);

        // Nested writes too, for the related model's fields.
        const nested = await xp.post.create({
          data: { title: 'In 4', author: { create: { name: 'In 4', dob, profile: { create: { score: 1.5 } } } } },
          include: { author: { include: { profile: true } } },
        });
        expect(nested.author.dob).toStrictEqual(dob);
        expect(nested.author.profile?.score).toBe(1.5);
        await xp.user.update({
          where: { id: nested.authorId },
          data: { dob: later, profile: { upsert: { create: { score: 0 }, update: { score: { set: 2.5 } } } } },
        });
        const after = await xp.user.findUniqueOrThrow({ where: { id: nested.authorId }, include: { profile: true } });
        expect([after.dob, after.profile?.score]).toStrictEqual([later, 2.5]);
        // Fluent relation calls on writes keep their types (a missing record throws, so no null).
        const postsOf = await xp.user.create({ data: { name: 'In 5', dob } }).posts();
        expectTypeOf(postsOf).toEqualTypeOf<
          { id: number; title: string; authorId: number; secretNote: string | null }[]
        >();
        expect(postsOf).toEqual([]);
        // encryptedInput types as both the declared type and Prisma's String, for code typed
        // against the client without the extension.
        const base: { dob?: string | null } = { dob: encryptedInput(dob) };
        expect(base.dob).toBe(dob);

        const typeErrors = () => [
          // @ts-expect-error score is a number
          xp.profile.update({ where: { id: profile.id }, data: { score: '4.25' } }),
          // @ts-expect-error dob is a Date, also in { set }
          xp.user.update({ where: { id: up.id }, data: { dob: { set: '1990-01-01' } } }),
          // @ts-expect-error name is required, as in Prisma's own create
          xp.user.create({ data: { dob } }),
          // @ts-expect-error not a field of User
          xp.user.createMany({ data: [{ name: 'x', birthday: dob }] }),
          // @ts-expect-error phone's blind index is not unique: no reference by it
          xp.post.create({ data: { title: 'x', author: { connect: { phone: '+34 600 000 000' } } } }),
          // @ts-expect-error score is a number in nested writes too
          xp.user.update({ where: { id: up.id }, data: { profile: { update: { score: '1' } } } }),
        ];
        expect(typeErrors).toBeTypeOf('function');
        await xp.profile.deleteMany({ where: { userId: { in: [up.id, nested.authorId] } } });
        await xp.post.delete({ where: { id: nested.id } });
        await xp.user.deleteMany({ where: { name: { in: ['In 1', 'In 2', 'In 3', 'In 4', 'In 5'] } } });
      });

      it('stores no plaintext PII: a raw SELECT sees only field ciphertexts and hashes', async () => {
        const rows = await db.rawRows('SELECT * FROM "User"');
        expect(rows.length).toBeGreaterThan(0);
        const dump = JSON.stringify(rows);
        for (const pii of ['Alice.Smith', 'alice.smith', 'example.com', '600 111', '600111', '1987', 'dark']) {
          expect(dump).not.toContain(pii);
        }
        for (const r of rows) {
          expect(String(r.email)).toMatch(/^qf1\.A256GCM\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
          expect(String(r.email).length).toBeLessThan(150);
          expect(String(r.dob)).toMatch(/^qf1\./);
        }
        const keys = await db.rawRows('SELECT * FROM quantumapi_data_keys');
        expect(keys.length).toBeGreaterThanOrEqual(2); // index root + a data key, wrapped
        expect(JSON.stringify(keys)).not.toMatch(/plaintext/i);
      });

      it('createMany encrypts in bulk; findMany decrypts with where equals / in / notIn / not / OR / AND / NOT', async () => {
        const r = await xp.user.createMany({
          data: ['bob', 'carol', 'dave', 'erin'].map((n, i) => ({
            name: n,
            age: 20 + i,
            email: `${n}@example.org`,
            dob: new Date(Date.UTC(1990 + i, 0, 1)),
          })),
        });
        expect(r.count).toBe(4);
        const names = async (where: object) =>
          (await xp.user.findMany({ where, orderBy: { id: 'asc' } })).map((u) => u.name);
        expect(await names({ email: 'BOB@example.org' })).toEqual(['bob']);
        expect(await names({ email: { equals: 'carol@example.org' } })).toEqual(['carol']);
        expect(await names({ email: { in: ['bob@example.org', 'dave@example.org', 'nobody@x.y'] } })).toEqual([
          'bob',
          'dave',
        ]);
        expect(
          await names({ email: { notIn: ['bob@example.org', 'alice.smith@example.com'] }, age: { lt: 30 } }),
        ).toEqual(['carol', 'dave', 'erin']);
        expect(await names({ email: { not: 'bob@example.org' }, age: { lt: 30 } })).toEqual(['carol', 'dave', 'erin']);
        expect(await names({ OR: [{ email: 'bob@example.org' }, { email: 'erin@example.org' }] })).toEqual([
          'bob',
          'erin',
        ]);
        expect(await names({ AND: [{ email: 'bob@example.org' }, { age: 20 }] })).toEqual(['bob']);
        expect(await names({ NOT: { email: 'bob@example.org' }, age: { lt: 30 } })).toEqual(['carol', 'dave', 'erin']);
        expect(await names({ email: null, age: { lt: 30 } })).toEqual([]);
        expect(await names({ phone: '+34600111222' })).toEqual(['Alice']); // phone normalizer
        const carol = await xp.user.findFirst({ where: { email: 'carol@example.org' } });
        expect(carol?.dob).toStrictEqual(new Date(Date.UTC(1991, 0, 1)));
      });

      it('createManyAndReturn returns decrypted rows', async () => {
        const rows = await xp.user.createManyAndReturn({
          data: [
            { name: 'frank', email: 'frank@example.net', phone: '+1 555 0100' },
            { name: 'grace', email: 'grace@example.net' },
          ],
        });
        expect(rows.map((r) => [r.name, r.email, r.phone])).toEqual([
          ['frank', 'frank@example.net', '+1 555 0100'],
          ['grace', 'grace@example.net', null],
        ]);
      });

      it('update through a unique encrypted lookup re-encrypts and re-indexes; { set } works; null clears the index', async () => {
        const u = await xp.user.update({
          where: { email: 'frank@example.net' },
          data: { email: 'frank@new.example' },
        });
        expect(u.email).toBe('frank@new.example');
        expect(await xp.user.findUnique({ where: { email: 'frank@example.net' } })).toBeNull();
        expect((await xp.user.findUnique({ where: { email: 'FRANK@new.example' } }))?.name).toBe('frank');
        await xp.user.update({ where: { id: u.id }, data: { phone: { set: '+1 555 0199' } } });
        expect((await xp.user.findFirst({ where: { phone: '+15550199' } }))?.id).toBe(u.id);
        const cleared = await xp.user.update({ where: { id: u.id }, data: { phone: null } });
        expect(cleared.phone).toBeNull();
        expect(cleared.phoneHash).toBeNull();
      });

      it('updateMany with a where on an encrypted column', async () => {
        const r = await xp.user.updateMany({
          where: { email: { in: ['bob@example.org', 'carol@example.org'] } },
          data: { age: 99, dob: dob },
        });
        expect(r.count).toBe(2);
        const rows = await xp.user.findMany({ where: { age: 99 }, orderBy: { id: 'asc' } });
        expect(rows.map((x) => [x.name, x.dob])).toEqual([
          ['bob', dob],
          ['carol', dob],
        ]);
      });

      it('upsert by email: creates, then updates', async () => {
        const a = await xp.user.upsert({
          where: { email: 'heidi@example.com' },
          create: { name: 'heidi', email: 'heidi@example.com' },
          update: { age: 1 },
        });
        expect(a.age).toBe(0);
        const b = await xp.user.upsert({
          where: { email: 'Heidi@Example.com' },
          create: { name: 'heidi2', email: 'heidi@example.com' },
          update: { age: 2, phone: '+49 30 1234' },
        });
        expect([b.id, b.age, b.phone, b.email]).toEqual([a.id, 2, '+49 30 1234', 'heidi@example.com']);
      });

      it('delete and deleteMany through encrypted filters return decrypted records', async () => {
        await xp.user.createMany({
          data: [
            { name: 'tmp1', email: 'tmp1@x.io' },
            { name: 'tmp2', email: 'tmp2@x.io' },
          ],
        });
        const d = await xp.user.delete({ where: { email: 'tmp1@x.io' } });
        expect(d.email).toBe('tmp1@x.io');
        expect((await xp.user.deleteMany({ where: { email: { in: ['tmp2@x.io'] } } })).count).toBe(1);
      });
    });

    describe('relations', () => {
      it('nested create (to-many and to-one) encrypts related models; include decrypts them', async () => {
        const u = await xp.user.create({
          data: {
            name: 'ivan',
            email: 'ivan@example.com',
            posts: {
              create: [
                { title: 'p1', secretNote: 'ivan note 1' },
                { title: 'p2', secretNote: 'ivan note 2' },
              ],
            },
            profile: { create: { ssn: '123 45 6789', score: 7.5 } },
          },
          include: { posts: { orderBy: { id: 'asc' } }, profile: true },
        });
        expect(u.posts.map((p) => p.secretNote)).toEqual(['ivan note 1', 'ivan note 2']);
        expect(u.profile?.ssn).toBe('123 45 6789');
        expect(u.profile?.score).toBe(7.5);
        const raw =
          JSON.stringify(await db.rawRows('SELECT * FROM "Post"')) +
          JSON.stringify(await db.rawRows('SELECT * FROM "Profile"'));
        expect(raw).not.toContain('ivan note');
        expect(raw).not.toContain('123 45 6789');
      });

      it('nested createMany, connectOrCreate, update, updateMany, upsert and connect', async () => {
        const u = await xp.user.create({
          data: {
            name: 'judy',
            email: 'judy@example.com',
            posts: { createMany: { data: [{ title: 'j1', secretNote: 'n1' }] } },
          },
        });
        // connectOrCreate by an encrypted unique column: first creates, then connects.
        await xp.user.update({
          where: { id: u.id },
          data: {
            profile: {
              connectOrCreate: { where: { ssn: '999-00-1111' }, create: { ssn: '999-00-1111' } },
            },
            posts: {
              updateMany: { where: { title: 'j1' }, data: { secretNote: 'n1 edited' } },
              create: { title: 'j2', secretNote: 'n2' },
            },
          },
        });
        await xp.user.update({
          where: { id: u.id },
          data: {
            profile: { update: { score: 3 } },
            posts: { upsert: { where: { id: -1 }, create: { title: 'j3', secretNote: 'n3' }, update: {} } },
          },
        });
        const full = await xp.user.findUnique({
          where: { email: 'judy@example.com' },
          include: { posts: { orderBy: { id: 'asc' } }, profile: true },
        });
        expect(full?.posts.map((p) => p.secretNote)).toEqual(['n1 edited', 'n2', 'n3']);
        expect(full?.profile?.ssn).toBe('999-00-1111');
        expect(full?.profile?.score).toBe(3);
        const other = await xp.user.create({ data: { name: 'ken', email: 'ken@example.com' } });
        const post = await xp.post.create({
          data: { title: 'k1', secretNote: 'kk', author: { connect: { email: 'ken@example.com' } } },
        });
        expect(post.authorId).toBe(other.id);
        expect(post.secretNote).toBe('kk');
      });

      it('relation filters (some / is / to-one shorthand) and select through relations', async () => {
        const byAuthor = await xp.post.findMany({
          where: { author: { email: 'ivan@example.com' } },
          orderBy: { id: 'asc' },
        });
        expect(byAuthor.map((p) => p.title)).toEqual(['p1', 'p2']);
        const byProfile = await xp.user.findMany({ where: { profile: { is: { ssn: '1234 5 6789' } } } });
        expect(byProfile.map((x) => x.name)).toEqual(['ivan']);
        const withPosts = await xp.user.findMany({
          where: { posts: { some: { title: 'p2' } }, email: { not: 'nobody@x' } },
          select: {
            email: true,
            posts: { where: { author: { is: { email: 'ivan@example.com' } } }, select: { secretNote: true } },
          },
        });
        expect(withPosts).toEqual([
          { email: 'ivan@example.com', posts: [{ secretNote: 'ivan note 1' }, { secretNote: 'ivan note 2' }] },
        ]);
        const counted = await xp.user.findUnique({
          where: { email: 'ivan@example.com' },
          select: { _count: { select: { posts: { where: { author: { email: 'ivan@example.com' } } } } } },
        });
        expect(counted?._count.posts).toBe(2);
      });

      it('cursor pagination on a unique encrypted column', async () => {
        const page = await xp.user.findMany({
          cursor: { email: 'carol@example.org' },
          take: 2,
          orderBy: { id: 'asc' },
        });
        expect(page.map((x) => x.name)).toEqual(['carol', 'dave']);
      });
    });

    describe('aggregates that do not touch encrypted columns', () => {
      it('count, aggregate and groupBy work, filtered through blind indexes', async () => {
        expect(await xp.user.count({ where: { email: { in: ['bob@example.org', 'ivan@example.com'] } } })).toBe(2);
        const agg = await xp.user.aggregate({
          where: { email: { not: 'bob@example.org' } },
          _max: { age: true },
          _count: { email: true },
        });
        expect(agg._max.age).toBe(99);
        expect(agg._count.email).toBeGreaterThan(5);
        const groups = await xp.user.groupBy({ by: ['age'], where: { age: 99 }, _count: { _all: true } });
        expect(groups).toEqual([{ age: 99, _count: { _all: 2 } }]);
      });
    });

    describe('unsupported operations on encrypted columns throw a typed error naming the column', () => {
      // The types refuse most of these too (the extension narrows Prisma's filters); each such case
      // is marked, so a type that starts accepting one fails tsc.
      const cases: [string, () => Promise<unknown>, string][] = [
        // @ts-expect-error contains
        ['contains', () => xp.user.findMany({ where: { email: { contains: 'example' } } }), 'User.email'],
        // @ts-expect-error startsWith
        ['startsWith', () => xp.user.findMany({ where: { email: { startsWith: 'a' } } }), 'User.email'],
        // @ts-expect-error endsWith, under OR
        ['endsWith', () => xp.user.findMany({ where: { OR: [{ email: { endsWith: '.org' } }] } }), 'User.email'],
        // @ts-expect-error gt
        ['gt', () => xp.user.findMany({ where: { email: { gt: 'm' } } }), 'User.email'],
        [
          'mode',
          () => xp.user.findMany({ where: as<object>({ email: { equals: 'a@b.c', mode: 'insensitive' } }) }),
          'User.email',
        ],
        // @ts-expect-error orderBy
        ['orderBy', () => xp.user.findMany({ orderBy: { email: 'asc' } }), 'User.email'],
        // @ts-expect-error orderBy through a relation
        ['orderBy relation', () => xp.post.findMany({ orderBy: { author: { email: 'desc' } } }), 'User.email'],
        // @ts-expect-error distinct
        ['distinct', () => xp.user.findMany({ distinct: ['email'] }), 'User.email'],
        // @ts-expect-error _min
        ['_min', () => xp.user.aggregate({ _min: { email: true } }), 'User.email'],
        // @ts-expect-error groupBy
        ['groupBy', () => xp.user.groupBy({ by: ['email'], _count: { _all: true } }), 'User.email'],
        [
          'having',
          // @ts-expect-error having, under AND
          () => xp.user.groupBy({ by: ['age'], having: { AND: [{ phone: { equals: 'x' } }] } }),
          'User.phone',
        ],
        [
          'orderBy _max',
          // @ts-expect-error orderBy an aggregate of an encrypted column
          () => xp.user.groupBy({ by: ['age'], _max: { id: true }, orderBy: { _max: { email: 'asc' } } }),
          'User.email',
        ],
        // @ts-expect-error equality on a column without a blind index
        ['no index', () => xp.user.findMany({ where: { dob } }), 'User.dob'],
        [
          'nested',
          // @ts-expect-error contains, in a relation filter
          () => xp.user.findMany({ where: { posts: { some: { secretNote: { contains: 'x' } } } } }),
          'Post.secretNote',
        ],
        [
          'include where',
          () =>
            xp.user.findMany({
              // @ts-expect-error equality on a column without a blind index, in a relation read
              include: { profile: { select: { ssn: true } }, posts: { where: { secretNote: 'x' } } },
            }),
          'Post.secretNote',
        ],
        ['update op', () => xp.user.updateMany({ data: { email: as<string>({ increment: 1 }) } }), 'User.email'],
      ];
      for (const [name, run, column] of cases) {
        it(name, async () => {
          const e = await errorOf(run);
          expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
          expect(e.message).toContain(column);
        });
      }

      it('an index column present as undefined does not clobber the computed index', async () => {
        const u = await xp.user.create({ data: { name: 'uma', email: 'uma@example.com', emailHash: undefined } });
        expect(u.emailHash).toMatch(/^[0-9a-f]{64}$/);
        await xp.user.delete({ where: { id: u.id } });
      });

      it('writing a blind-index column directly is refused', async () => {
        // @ts-expect-error the types refuse it too
        const e = await errorOf(() => xp.user.create({ data: { name: 'x', emailHash: 'forged' } }));
        expect(e.code).toBe('FIELD_UNSUPPORTED_OPERATION');
        expect(e.message).toContain('User.emailHash');
      });

      it('a value of the wrong type for the declared column is INVALID_INPUT', async () => {
        // @ts-expect-error a string for a Date column: the types refuse it too
        const e = await errorOf(() => xp.user.create({ data: { name: 'x', dob: '1990-01-01' } }));
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.message).toContain('User.dob');
        expect(e.message).not.toContain('1990');
      });
    });

    describe('fail closed on reads', () => {
      it('plaintext planted in an encrypted column makes the read throw', async () => {
        const u = await xp.user.create({ data: { name: 'mallory', email: 'm@example.com' } });
        await db.rawRows(`UPDATE "User" SET email = 'm@example.com' WHERE id = ${u.id}`);
        const e = await errorOf(() => xp.user.findUnique({ where: { id: u.id } }));
        expect(e.code).toBe('INVALID_CIPHERTEXT');
        expect(e.message).not.toContain('m@example.com');
        await db.rawRows(`DELETE FROM "User" WHERE id = ${u.id}`);
      });

      it('a ciphertext moved to another column or tampered with does not decrypt', async () => {
        const u = await xp.user.create({ data: { name: 'oscar', email: 'o@example.com', phone: '+1 222' } });
        await db.rawRows(`UPDATE "User" SET email = phone WHERE id = ${u.id}`);
        expect((await errorOf(() => xp.user.findUnique({ where: { id: u.id } }))).code).toBe('DECRYPTION_FAILED');
        const [row] = await db.rawRows(`SELECT phone FROM "User" WHERE id = ${u.id}`);
        const ct = String(row?.phone);
        const flipped = ct.slice(0, -3) + (ct.at(-3) === 'A' ? 'B' : 'A') + ct.slice(-2);
        await db.rawRows(`UPDATE "User" SET email = NULL, phone = '${flipped}' WHERE id = ${u.id}`);
        expect((await errorOf(() => xp.user.findUnique({ where: { id: u.id } }))).code).toBe('DECRYPTION_FAILED');
        await db.rawRows(`DELETE FROM "User" WHERE id = ${u.id}`);
      });

      it('a column in the named migration mode passes legacy plaintext through, and encrypts new writes', async () => {
        const u = await xp.user.create({ data: { name: 'peggy', legacyNote: 'new secret' } });
        await db.rawRows(`UPDATE "User" SET "legacyNote" = 'old plaintext' WHERE id = ${u.id}`);
        expect((await xp.user.findUnique({ where: { id: u.id } }))?.legacyNote).toBe('old plaintext');
        await xp.user.update({ where: { id: u.id }, data: { legacyNote: 'rewritten' } });
        const [row] = await db.rawRows(`SELECT "legacyNote" FROM "User" WHERE id = ${u.id}`);
        expect(String(row?.legacyNote)).toMatch(/^qf1\./);
        expect((await xp.user.findUnique({ where: { id: u.id } }))?.legacyNote).toBe('rewritten');
      });
    });

    describe('keys', () => {
      it('the backend was asked for one data key (plus the index root), not once per field', () => {
        expect(calls.generateDataKey).toBe(2);
        expect(calls.unwrapKey).toBe(0);
      });

      it('a second process (fresh engine, same database) unwraps each key once and reads everything', async () => {
        const before = { ...calls };
        const other = await build();
        const all = await other.user.findMany({ include: { posts: true, profile: true } });
        expect(all.some((x) => x.email === 'alice.smith@example.com'.replace('alice.smith', 'Alice.Smith'))).toBe(true);
        expect((await other.user.findUnique({ where: { email: 'ivan@example.com' } }))?.name).toBe('ivan');
        expect(calls.generateDataKey - before.generateDataKey).toBe(1); // its own first data key (prepare)
        expect(calls.unwrapKey - before.unwrapKey).toBe(2); // index root + the first process's data key
      });

      it('interactive transactions work with the extended client', async () => {
        const u = await xp.$transaction(async (tx) => {
          const created = await tx.user.create({ data: { name: 'trent', email: 'trent@example.com' } });
          return tx.user
            .findUnique({ where: { email: 'trent@example.com' }, select: { id: true, email: true } })
            .then((x) => {
              expect(x?.id).toBe(created.id);
              return x;
            });
        });
        expect(u?.email).toBe('trent@example.com');
      });
    });

    describe('more reads and filters (run last: they add rows and data keys)', () => {
      it('relation filters every / none / isNot rewrite through the related model', async () => {
        const every = await xp.user.findMany({
          where: {
            posts: { every: { title: { in: ['p1', 'p2'] } } },
            email: { in: ['ivan@example.com', 'judy@example.com'] },
          },
        });
        expect(every.map((u) => u.name)).toEqual(['ivan']);
        const none = await xp.user.findMany({
          where: { posts: { none: { title: 'p1' } }, email: { in: ['ivan@example.com', 'judy@example.com'] } },
        });
        expect(none.map((u) => u.name)).toEqual(['judy']);
        // Post.secretNote has no blind index: a value filter on it inside every/none is refused.
        for (const op of ['every', 'none'] as const) {
          const e = await errorOf(() => xp.user.findMany({ where: { posts: { [op]: { secretNote: 'x' } } } }));
          expect([e.code, e.message.includes('Post.secretNote')]).toEqual(['FIELD_UNSUPPORTED_OPERATION', true]);
        }
        const isNot = await xp.user.findMany({
          where: { profile: { isNot: { ssn: '123456789' } }, name: { in: ['ivan', 'judy'] } },
        });
        expect(isNot.map((u) => u.name)).toEqual(['judy']);
      });

      it('findUniqueOrThrow, findFirstOrThrow and updateManyAndReturn', async () => {
        const ivan = await xp.user.findUniqueOrThrow({ where: { email: 'IVAN@example.com' } });
        expect(ivan.email).toBe('ivan@example.com');
        const first = await xp.user.findFirstOrThrow({ where: { email: { in: ['ivan@example.com'] } } });
        expect(first.id).toBe(ivan.id);
        await expect(xp.user.findUniqueOrThrow({ where: { email: 'nobody@example.com' } })).rejects.toThrow();
        const updated = await xp.user.updateManyAndReturn({
          where: { email: 'ivan@example.com' },
          data: { phone: '+34 611 000 111' },
        });
        expect(updated.map((u) => [u.email, u.phone])).toEqual([['ivan@example.com', '+34 611 000 111']]);
        expect((await xp.user.findFirst({ where: { phone: '+34611000111' } }))?.id).toBe(ivan.id);
      });

      it('a bulk read spanning several data keys decrypts every row (batched, one key lookup per data key)', async () => {
        // A small key budget so that 1,500 rows x 2 encrypted columns rotate through 4 data keys.
        const rotating = db.prisma.$extends(
          quantumApiEncryption({
            engine: await createPrismaFieldEngine({ prisma: db.prisma, backend, cache: { maxUses: 1000 } }),
            manifest: encryptionManifest,
          }),
        );
        const data = Array.from({ length: 1500 }, (_, i) => ({
          name: `bulk ${i}`,
          email: `bulk.${i}@example.com`,
          dob: new Date(Date.UTC(2000, 0, 1 + i)),
        }));
        for (let i = 0; i < data.length; i += 500) await rotating.user.createMany({ data: data.slice(i, i + 500) });
        const [{ n }] = (await db.rawRows(
          `SELECT COUNT(DISTINCT substr(email, 13, 16)) AS n FROM "User" WHERE name LIKE 'bulk %'`,
        )) as [{ n: number | bigint }];
        expect(Number(n)).toBeGreaterThanOrEqual(3);
        const before = { ...calls };
        const fresh = await build(); // another process: has to unwrap each of those keys
        const rows = await fresh.user.findMany({ where: { name: { startsWith: 'bulk ' } }, orderBy: { id: 'asc' } });
        expect(rows.map((r) => [r.name, r.email, r.dob])).toEqual(data.map((d) => [d.name, d.email, d.dob]));
        expect(calls.unwrapKey - before.unwrapKey).toBeLessThanOrEqual(Number(n) + 4); // per key, not per row
        await db.rawRows(`DELETE FROM "User" WHERE name LIKE 'bulk %'`);
      });
    });
  });
};
