/**
 * What a Prisma 6 application does with the adapter, end to end on a real SQLite file: the
 * client is the one Prisma 6.19 generated here (Rust-free, better-sqlite3 driver adapter), the
 * manifest the one our generator emitted from `/// @encrypted` comments under the Prisma 6 CLI.
 */
import { createPrismaFieldEngine, type JsonValue, quantumApiEncryption } from '@quantumapi/prisma';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { openDb, type TestDb } from '../../../test/db.js';
import { Prisma, type PrismaClient } from '../generated/sqlite/client/client.js';
import { encryptionManifest } from '../generated/sqlite/quantumapi-manifest.js';
import { localEncryption } from '../../../test/key-backend.js';

const codeOf = async (p: PromiseLike<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  throw new Error('expected a rejection');
};

// The helpers type their client as Prisma 7's; here it is typed, as it runs, as Prisma 6's.
const extended = async (prisma: PrismaClient) => {
  const localKeys = await localEncryption();
  const engine = await createPrismaFieldEngine({ prisma, backend: localKeys });
  return prisma.$extends(quantumApiEncryption({ engine, manifest: encryptionManifest }));
};

describe('@quantumapi/prisma on Prisma 6 (SQLite)', () => {
  let db: TestDb;
  let xp: Awaited<ReturnType<typeof extended>>;

  beforeAll(async () => {
    db = await openDb('sqlite');
    xp = await extended(db.prisma as unknown as PrismaClient);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('really runs the Prisma 6 client generated here', () => {
    expect(Prisma.prismaVersion.client).toMatch(/^6\.(1[6-9]|[2-9]\d)\./);
    // The helpers' client is this one (Prisma's proxies defeat instanceof; its version field does not).
    const client = db.prisma as unknown as { _clientVersion: string; _activeProvider: string };
    expect([client._clientVersion, client._activeProvider]).toEqual([Prisma.prismaVersion.client, 'sqlite']);
    expect(encryptionManifest.models.User.fields.email).toEqual({ index: { name: 'emailHash', unique: true } });
  });

  it('results carry the declared field types under Prisma 6 typing too', async () => {
    const dob = new Date('1990-05-01T00:00:00.000Z');
    const u = await xp.user.create({ data: { name: 'typed', dob, prefs: [1] } });
    const back = await xp.user.findUniqueOrThrow({
      where: { id: u.id },
      select: { dob: true, prefs: true, name: true },
    });
    expectTypeOf(back).toEqualTypeOf<{ dob: Date | null; prefs: JsonValue | null; name: string }>();
    expect(back).toStrictEqual({ dob, prefs: [1], name: 'typed' });
    await xp.user.delete({ where: { id: u.id } });
  });

  it('create, createMany, findUnique by the unique blind index, findMany with in, update', async () => {
    const a = await xp.user.create({ data: { name: 'ana', email: 'Ana@example.com', phone: '+34 600 1' } });
    expect(a.email).toBe('Ana@example.com');
    expect(
      (await xp.user.createMany({ data: [{ name: 'ben', email: 'ben@example.com' }, { name: 'cy' }] })).count,
    ).toBe(2);

    const found = await xp.user.findUnique({ where: { email: 'ana@example.com' } }); // normalized: case-folded
    expect(found?.name).toBe('ana');
    expect(found?.phone).toBe('+34 600 1');

    const many = await xp.user.findMany({
      where: { email: { in: ['ben@example.com', 'ana@example.com', 'nobody@example.com'] } },
      orderBy: { name: 'asc' },
    });
    expect(many.map((u) => [u.name, u.email])).toEqual([
      ['ana', 'Ana@example.com'],
      ['ben', 'ben@example.com'],
    ]);

    const moved = await xp.user.update({ where: { email: 'ben@example.com' }, data: { email: 'ben@new.example' } });
    expect(moved.email).toBe('ben@new.example');
    expect(await xp.user.findUnique({ where: { email: 'ben@example.com' } })).toBeNull();
    expect((await xp.user.findUnique({ where: { email: 'ben@new.example' } }))?.name).toBe('ben');
  });

  it('nested create through relations encrypts the related rows; include decrypts them', async () => {
    const u = await xp.user.create({
      data: {
        name: 'dee',
        email: 'dee@example.com',
        posts: { create: [{ title: 'p1', secretNote: 'note one' }] },
        profile: { create: { ssn: '123 45 6789' } },
      },
      include: { posts: true, profile: true },
    });
    expect(u.posts.map((p) => p.secretNote)).toEqual(['note one']);
    expect(u.profile?.ssn).toBe('123 45 6789');
    expect((await xp.profile.findUnique({ where: { ssn: '123456789' } }))?.userId).toBe(u.id);
  });

  it('a raw SELECT sees no plaintext anywhere', async () => {
    const dump = JSON.stringify([
      ...(await db.rawRows('SELECT * FROM "User"')),
      ...(await db.rawRows('SELECT * FROM "Post"')),
      ...(await db.rawRows('SELECT * FROM "Profile"')),
    ]);
    for (const pii of ['example.com', 'Ana@', 'ben@', '600 1', 'note one', '6789']) expect(dump).not.toContain(pii);
    const [row] = await db.rawRows(`SELECT email, "emailHash" FROM "User" WHERE name = 'ana'`);
    expect(String(row?.email)).toMatch(/^qf1\.A256GCM\./);
    expect(String(row?.emailHash)).not.toBe('');
  });

  it('Prisma 6 still marks batch-transaction operations the way the adapter reads them', async () => {
    // The adapter reads params.__internalParams.transaction.kind (not public API) to refuse
    // multi-try unique lookups inside $transaction([...]); this pins that field on Prisma 6.
    const kinds: unknown[] = [];
    const spy = xp.$extends({
      query: {
        $allModels: {
          $allOperations(params) {
            const internal = (params as { __internalParams?: { transaction?: { kind?: unknown } } }).__internalParams;
            kinds.push(internal?.transaction?.kind);
            return params.query(params.args);
          },
        },
      },
    });
    await spy.user.count();
    const [n, ana] = await spy.$transaction([
      spy.user.count(),
      spy.user.findFirst({ where: { email: 'Ana@example.com' } }),
    ]);
    await spy.$transaction(async (tx) => tx.user.count());
    expect(n).toBeGreaterThanOrEqual(4);
    expect(ana?.name).toBe('ana');
    expect(kinds).toEqual([undefined, 'batch', 'batch', 'itx']);
  });

  it('a batch $transaction of encrypted writes and unique lookups commits together', async () => {
    const [e, found] = await xp.$transaction([
      xp.user.create({ data: { name: 'eve', email: 'eve@example.com' } }),
      xp.user.findUnique({ where: { email: 'Ana@example.com' } }),
    ]);
    expect(e.email).toBe('eve@example.com');
    expect(found?.name).toBe('ana');
    expect((await xp.user.findUnique({ where: { email: 'eve@example.com' } }))?.name).toBe('eve');
  });

  it('fails closed on a tampered ciphertext', async () => {
    const [row] = await db.rawRows(`SELECT id, email FROM "User" WHERE name = 'eve'`);
    const ct = String(row?.email);
    const flipped = ct.slice(0, -3) + (ct.at(-3) === 'A' ? 'B' : 'A') + ct.slice(-2);
    await db.rawRows(`UPDATE "User" SET email = '${flipped}' WHERE id = ${Number(row?.id)}`);
    expect(await codeOf(xp.user.findFirst({ where: { name: 'eve' } }))).toBe('DECRYPTION_FAILED');
  });
});
