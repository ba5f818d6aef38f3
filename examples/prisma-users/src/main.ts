/**
 * Sign-up and login with encrypted PII. Run with `pnpm demo` (generates the client, then runs).
 *
 * The table stores field ciphertexts for email, phone and date of birth, plus keyed blind
 * indexes for email and phone; login finds the user by email through the unique blind index.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { createPrismaFieldEngine, quantumApiEncryption } from '@quantumapi/prisma';
import Database from 'better-sqlite3';
import { createLocalBackend } from '../../../packages/sdk/src/local/engine.js';
import { MemoryStore } from '../../../packages/sdk/src/local/stores/memory.js';
import { defaultProviders } from '../../../packages/sdk/src/runtime/node.js';
import { PrismaClient } from './generated/prisma/client.js';
import { encryptionManifest } from './generated/quantumapi-manifest.js';

const DB_FILE = new URL('../demo.db', import.meta.url).pathname;

// Tables: an app would use `prisma migrate`; the demo creates them directly so it runs offline.
const createTables = (file: string): void => {
  rmSync(file, { force: true });
  const db = new Database(file);
  db.exec(`CREATE TABLE "User" (
    id INTEGER PRIMARY KEY AUTOINCREMENT, displayName TEXT NOT NULL,
    email TEXT NOT NULL, emailHash TEXT NOT NULL UNIQUE,
    phone TEXT, phoneHash TEXT, dateOfBirth TEXT, passwordHash TEXT NOT NULL)`);
  db.close();
};

const hashPassword = (password: string): string => {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
};
const checkPassword = (password: string, stored: string): boolean => {
  const [salt, hash] = stored.split(':') as [string, string];
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'hex'), 32), Buffer.from(hash, 'hex'));
};

const main = async () => {
  console.log('\nexamples/prisma-users: Prisma 7 on SQLite; email, phone and date of birth encrypted\n');
  createTables(DB_FILE);
  const base = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${DB_FILE}` }) });

  // The embedded local backend (ML-KEM-768 key wrapping). A real service keeps its store and
  // master key (QAPI_MASTER_KEY) across restarts, or points at the QuantumAPI service instead.
  const backend = createLocalBackend({
    store: new MemoryStore(),
    masterKey: defaultProviders.random.randomBytes(32),
    providers: defaultProviders,
  });
  await backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });

  const engine = await createPrismaFieldEngine({ prisma: base, backend: backend.encryption });
  // strictTypes: what the extension refuses at run time (a substring search on an encrypted
  // column, a string for a Date column) does not compile either.
  const prisma = base.$extends(quantumApiEncryption({ engine, manifest: encryptionManifest, strictTypes: true }));

  const signUp = (displayName: string, email: string, password: string, phone: string, dob: string) =>
    prisma.user.create({
      data: {
        displayName,
        email, // emailHash is set by the extension
        phone,
        // The column is a String holding ciphertext; the extension takes (and returns) a Date.
        dateOfBirth: new Date(dob), // a Date in, a Date out: the column stores its ciphertext
        passwordHash: hashPassword(password),
      },
    });

  const login = async (email: string, password: string) => {
    // emailHash is the unique column; the extension resolves (and types) a lookup by email to it.
    const user = await prisma.user.findUnique({ where: { email } });
    return user && checkPassword(password, user.passwordHash) ? user : null;
  };

  await signUp('Ada', 'ada.lovelace@example.com', 'correct horse', '+44 20 7946 0018', '1815-12-10');
  await signUp('Grace', 'grace.hopper@example.com', 'battery staple', '+1 202 555 0143', '1906-12-09');

  const ada = await login('  Ada.Lovelace@Example.com ', 'correct horse');
  console.log('login (email in another case, spaces):', ada ? `ok, ${ada.displayName}` : 'failed');
  console.log(
    '  decrypted email:',
    ada?.email,
    '| phone:',
    ada?.phone,
    '| born:',
    ada?.dateOfBirth?.toISOString().slice(0, 10), // typed Date | null by the generated manifest
  );
  console.log('login with a wrong password:', (await login('ada.lovelace@example.com', 'nope')) ? 'ok' : 'refused');
  console.log('login with an unknown email:', (await login('nobody@example.com', 'x')) ? 'ok' : 'refused');

  const byPhone = await prisma.user.findFirst({ where: { phone: '+12025550143' } });
  console.log('lookup by phone (normalized):', byPhone?.displayName);

  try {
    // @ts-expect-error a blind index answers equality only: the types refuse a substring search,
    // and so does the extension at run time (for JavaScript callers, or past a cast).
    await prisma.user.findMany({ where: { email: { contains: 'example' } } });
  } catch (e) {
    console.log('substring search on an encrypted column:', (e as { code: string }).code);
  }

  const raw = new Database(DB_FILE, { readonly: true });
  const row = raw
    .prepare('SELECT email, emailHash, phone, dateOfBirth FROM "User" WHERE displayName = ?')
    .get('Ada') as Record<string, string>;
  raw.close();
  console.log('\nwhat the database holds for Ada:');
  for (const [k, v] of Object.entries(row)) console.log(`  ${k.padEnd(12)} ${v}`);

  await base.$disconnect();
  rmSync(DB_FILE, { force: true });
};

await main();
