/** The adapter's whole specification on Prisma 7's libSQL driver adapter (a local SQLite file). */
import { expect, it } from 'vitest';
import { openDb } from './db.js';
import { adapterSuite } from './suite.js';

it('the libsql kind runs on @prisma/adapter-libsql, not on better-sqlite3', async () => {
  const db = await openDb('libsql');
  try {
    expect(db.driver).toBe('@prisma/adapter-libsql');
  } finally {
    await db.close();
  }
});

adapterSuite('libsql');
