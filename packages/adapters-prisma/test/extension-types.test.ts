/**
 * The extended client's types with a hand-written manifest (the generated one is covered next to
 * the run-time checks in suite.ts). Type-level only: `tsc` (in CI) is what fails when these break.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { defineEncryptionManifest, type EncryptionManifest, quantumApiEncryption } from '../src/index.js';
import type { TestDb } from './db.js';
import { type Prisma, PrismaClient as SqliteClient } from './prisma/sqlite/generated/client/client.js';
import type { FieldEngine } from '@quantumapi/sdk/fields';

const manifest = defineEncryptionManifest({
  version: 1,
  models: {
    User: { fields: { email: { index: { name: 'emailHash', unique: true } } }, relations: { profile: 'Profile' } },
    // score is being migrated from a plaintext column: reads may still see the legacy string.
    Profile: { fields: { score: { type: 'number', migration: 'accept-plaintext' } } },
  },
});

const extend = (db: TestDb, engine: FieldEngine) =>
  db.prisma.$extends(quantumApiEncryption({ engine, manifest, strictTypes: true }));
const extendDefault = (db: TestDb, engine: FieldEngine) =>
  db.prisma.$extends(quantumApiEncryption({ engine, manifest }));
declare const xp: ReturnType<typeof extend>;

describe('extended client types (hand-written manifest)', () => {
  it('a migration-mode column reads as value or legacy string, and writes take the value only', () => {
    const read = () => xp.profile.findFirstOrThrow();
    expectTypeOf<Awaited<ReturnType<typeof read>>['score']>().toEqualTypeOf<number | string | null>();
    const writes = () => [
      xp.profile.create({ data: { userId: 1, score: 2.5 } }),
      xp.user.update({ where: { email: 'a@b.c' }, data: { profile: { update: { score: { set: 1 } } } } }),
      // @ts-expect-error writes always encrypt the declared type
      xp.profile.create({ data: { userId: 1, score: '2.5' } }),
      // @ts-expect-error also in nested writes
      xp.user.update({ where: { id: 1 }, data: { profile: { update: { score: '1' } } } }),
      // @ts-expect-error the extension fills the index column and refuses a value there
      xp.user.updateMany({ data: { emailHash: 'forged' } }),
    ];
    expectTypeOf(writes).toBeFunction();
  });

  it('a unique index declared by hand allows findUnique by the encrypted field; a missing one does not', () => {
    const lookups = () => [
      xp.user.findUnique({ where: { email: 'a@b.c' } }),
      // @ts-expect-error ssn is not encrypted in this manifest, and not unique in the schema
      xp.profile.findUnique({ where: { ssn: '1' } }),
    ];
    expectTypeOf(lookups).toBeFunction();
  });

  it("a manifest typed only as EncryptionManifest leaves Prisma's own types as they are", () => {
    const wide: EncryptionManifest = manifest;
    const extendWide = (db: TestDb, engine: FieldEngine) =>
      db.prisma.$extends(quantumApiEncryption({ engine, manifest: wide }));
    const calls = (w: ReturnType<typeof extendWide>) => [
      w.user.create({ data: { name: 'x', dob: '1990-01-01' } }),
      w.user.findUnique({ where: { id: 1 }, include: { posts: true } }),
    ];
    type Found = Awaited<ReturnType<typeof calls>[1]>;
    expectTypeOf<NonNullable<Found>['dob']>().toEqualTypeOf<string | null>();
  });

  it("the client's global omit applies to the retyped operations as to Prisma's own", () => {
    const extendOmitting = (engine: FieldEngine) =>
      new SqliteClient({ adapter: {} as never, omit: { user: { name: true } } }).$extends(
        quantumApiEncryption({ engine, manifest }),
      );
    const calls = (o: ReturnType<typeof extendOmitting>) => [
      o.user.findUniqueOrThrow({ where: { email: 'a@b.c' } }),
      o.user.create({ data: { name: 'n' } }),
      o.user.findFirstOrThrow(),
    ];
    type Results = Awaited<ReturnType<typeof calls>[number]>;
    expectTypeOf<'name' extends keyof Results ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<'email' extends keyof Results ? true : false>().toEqualTypeOf<true>();
  });

  it("queries take the filters a blind index answers, and keep Prisma's result types", () => {
    const queries = (c: typeof xp) => ({
      all: c.user.findMany(),
      count: c.user.count({ where: { email: { in: ['a@b.c'] } } }),
      page: c.user.findMany({ cursor: { email: 'a@b.c' }, take: 2, orderBy: { id: 'asc' }, select: { email: true } }),
      fluent: c.user.findFirst({ where: { NOT: { email: { not: null } } } }).profile(),
      batch: c.user.deleteMany(),
    });
    type Q = ReturnType<typeof queries>;
    expectTypeOf<Awaited<Q['count']>>().toEqualTypeOf<number>();
    expectTypeOf<Awaited<Q['page']>>().toEqualTypeOf<{ email: string | null }[]>();
    expectTypeOf<Awaited<Q['all']>[number]['email']>().toEqualTypeOf<string | null>();
    expectTypeOf<Awaited<Q['fluent']>>().toEqualTypeOf<{
      id: number;
      ssn: string | null;
      ssnHash: string | null;
      score: number | string | null;
      userId: number;
    } | null>();
    expectTypeOf<Awaited<Q['batch']>['count']>().toEqualTypeOf<number>();
    const refused = () => [
      // @ts-expect-error a blind index answers equality, not prefixes
      xp.user.findMany({ where: { email: { startsWith: 'a' } } }),
      // @ts-expect-error nor order
      xp.user.findFirst({ orderBy: { email: 'asc' } }),
      // @ts-expect-error score has no blind index: only null checks
      xp.profile.count({ where: { score: 2 } }),
    ];
    expectTypeOf(refused).toBeFunction();
  });

  it("aggregates leave encrypted columns out under strict types, and keep Prisma's result types", () => {
    const queries = (c: typeof xp) => ({
      agg: c.user.aggregate({ where: { email: 'a@b.c' }, _max: { age: true }, _count: { email: true } }),
      groups: c.user.groupBy({
        by: ['age'],
        where: { email: { in: ['a@b.c'] } },
        _count: { _all: true },
        having: { age: { gt: 1 } },
        orderBy: { _max: { id: 'desc' } },
      }),
    });
    type Q = ReturnType<typeof queries>;
    expectTypeOf<Awaited<Q['agg']>['_max']['age']>().toEqualTypeOf<number | null>();
    expectTypeOf<Awaited<Q['agg']>['_count']['email']>().toEqualTypeOf<number>();
    expectTypeOf<Awaited<Q['groups']>[number]['age']>().toEqualTypeOf<number>();
    expectTypeOf<Awaited<Q['groups']>[number]['_count']['_all']>().toEqualTypeOf<number>();
    const refused = () => [
      // @ts-expect-error the maximum of ciphertexts
      xp.user.aggregate({ _max: { email: true } }),
      // @ts-expect-error a filter a blind index does not answer
      xp.user.aggregate({ where: { email: { contains: 'a' } } }),
      // @ts-expect-error groups by ciphertext (every one is unique)
      xp.user.groupBy({ by: ['email'] }),
      // @ts-expect-error having on an encrypted column
      xp.user.groupBy({ by: ['age'], having: { OR: [{ email: { equals: 'a@b.c' } }] } }),
      // @ts-expect-error ordered by the minimum of ciphertexts
      xp.user.groupBy({ by: ['age'], orderBy: { _min: { email: 'asc' } } }),
    ];
    expectTypeOf(refused).toBeFunction();
    // Without strict types Prisma's own signatures stay, with their checks (refused at run time).
    const loose = (c: ReturnType<typeof extendDefault>) => c.user.aggregate({ _max: { email: true } });
    expectTypeOf<Awaited<ReturnType<typeof loose>>['_max']['email']>().toEqualTypeOf<string | null>();
  });

  it("by default, arguments typed with Prisma's generated types still fit, beside the declared types", () => {
    const calls = (
      c: ReturnType<typeof extendDefault>,
      args: Prisma.UserFindManyArgs,
      where: Prisma.UserWhereInput,
      unique: Prisma.UserWhereUniqueInput,
      data: Prisma.ProfileUncheckedCreateInput,
    ) => ({
      many: c.user.findMany(args),
      filtered: c.user.findMany({ where: { AND: [where, { email: 'a@b.c' }] } }),
      one: c.user.findUnique({ where: unique }),
      byEmail: c.user.findUnique({ where: { email: 'a@b.c' } }),
      created: c.profile.create({ data }),
      declared: c.profile.create({ data: { userId: 1, score: 2.5 } }),
      // Compiles here; refused at run time with FIELD_UNSUPPORTED_OPERATION (strict types refuse it).
      substring: c.user.findMany({ where: { email: { contains: 'a' } } }),
    });
    type C = ReturnType<typeof calls>;
    expectTypeOf<Awaited<C['declared']>['score']>().toEqualTypeOf<number | string | null>();
    expectTypeOf<NonNullable<Awaited<C['byEmail']>>['email']>().toEqualTypeOf<string | null>();
    const refused = (c: ReturnType<typeof extendDefault>) => [
      // @ts-expect-error still Prisma's rules: not a field
      c.user.findMany({ where: { emial: 'a@b.c' } }),
      // @ts-expect-error nor a value of neither the declared type nor Prisma's
      c.profile.create({ data: { userId: 1, score: true } }),
    ];
    expectTypeOf(refused).toBeFunction();
  });
});
