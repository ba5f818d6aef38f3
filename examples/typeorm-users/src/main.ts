/**
 * Sign-up and login with encrypted PII, on TypeORM + SQLite. Run with `pnpm demo`.
 *
 * The `users` table stores field ciphertexts for email, phone and date of birth, plus keyed blind
 * indexes for email (unique) and phone; login finds the user by email through the blind index.
 */
import 'reflect-metadata';
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { rmSync } from 'node:fs';
import { QuantumApiClient } from '@quantumapi/sdk';
import { BlindIndex, Encrypted, registerQuantumApi, whereEncrypted } from '@quantumapi/typeorm';
import { BaseEntity, Column, DataSource, Entity, Like, PrimaryGeneratedColumn, QueryFailedError } from 'typeorm';

@Entity({ name: 'users' })
class User extends BaseEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  displayName!: string;

  @Encrypted()
  email!: string;

  @BlindIndex({ of: 'email', unique: true, nullable: false })
  emailHash!: string;

  @Encrypted({ nullable: true })
  phone!: string | null;

  @BlindIndex({ of: 'phone', normalize: ['phone'] })
  phoneHash!: string | null;

  @Encrypted({ type: 'date', nullable: true })
  dateOfBirth!: Date | null;

  @Column({ type: 'varchar', length: 200 })
  passwordHash!: string;
}

const DB_FILE = new URL('../demo.db', import.meta.url).pathname;

const hashPassword = (password: string): string => {
  const salt = randomBytes(16);
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`;
};
const checkPassword = (password: string, stored: string): boolean => {
  const [salt, hash] = stored.split(':') as [string, string];
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'hex'), 32), Buffer.from(hash, 'hex'));
};

const main = async (): Promise<void> => {
  console.log('\nexamples/typeorm-users: TypeORM 1.x on SQLite; the same encrypted columns, by decorators\n');
  rmSync(DB_FILE, { force: true });
  // `synchronize` creates the tables so the demo runs offline; an app would use migrations.
  const ds = await new DataSource({
    type: 'better-sqlite3',
    database: DB_FILE,
    entities: [User],
    synchronize: true,
  }).initialize();

  // The embedded local engine holds the key that wraps data keys (an app would use a file or
  // PostgreSQL store, or the QuantumAPI service). Data keys are wrapped in `quantumapi_data_keys`.
  const qapi = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
  await qapi.backend.encryption.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  const { engine, close } = await registerQuantumApi(ds, { backend: qapi.backend.encryption });

  // Sign-up: plain objects in, encryption happens in the subscriber.
  const users = ds.getRepository(User);
  await users.save([
    users.create({
      displayName: 'Ana',
      email: 'Ana.Garcia@example.com',
      phone: '+34 600 123 456',
      dateOfBirth: new Date('1990-04-01'),
      passwordHash: hashPassword('correct horse'),
    }),
    users.create({
      displayName: 'Ben',
      email: 'ben@example.org',
      phone: '(555) 010-0200',
      dateOfBirth: null,
      passwordHash: hashPassword('battery staple'),
    }),
  ]);
  console.log('signed up 2 users; data keys generated so far:', engine.stats.generated);

  // Login: the email as typed (case and spaces differ) finds the row through the blind index.
  const login = async (email: string, password: string): Promise<User | undefined> => {
    const u = await users.findOneBy({ email });
    return u && checkPassword(password, u.passwordHash) ? u : undefined;
  };
  const ana = await login('  ana.garcia@EXAMPLE.com', 'correct horse');
  console.log('login ana:', ana ? `ok, id ${ana.id}, born ${ana.dateOfBirth?.toISOString().slice(0, 10)}` : 'failed');
  console.log('login with a wrong password:', (await login('ana.garcia@example.com', 'nope')) ? 'ok' : 'refused');

  // Lookup by phone, written any way: the phone normalizer keeps digits and a leading "+".
  const byPhone = await User.findOneBy({ phone: '+34600123456' });
  console.log('by phone:', byPhone?.displayName);

  // A QueryBuilder built with strings needs the helper (object conditions are rewritten anyway).
  const qb = whereEncrypted(users.createQueryBuilder('u'), 'u.email', ['ben@example.org', 'nobody@example.com']);
  console.log(
    'query builder IN:',
    (await qb.getMany()).map((u) => u.displayName),
  );

  // What an index cannot do is refused, naming the column, instead of silently matching nothing.
  try {
    await users.findBy({ email: Like('%example%') });
  } catch (e) {
    console.log('substring search refused:', (e as { code: string }).code, '-', (e as Error).message);
  }

  // The database rejects a duplicate email, however it is typed.
  try {
    await users.save(users.create({ displayName: 'Eve', email: 'BEN@example.org ', passwordHash: hashPassword('x') }));
  } catch (e) {
    console.log('duplicate email rejected by the database:', e instanceof QueryFailedError);
  }

  // What is actually stored: ciphertexts and keyed hashes only.
  const raw = (await ds.query('SELECT displayName, email, emailHash, phone, dateOfBirth FROM users')) as Record<
    string,
    string | null
  >[];
  for (const r of raw) {
    console.log(
      `stored row ${r.displayName}: email=${r.email?.slice(0, 40)}... (${r.email?.length} chars), ` +
        `emailHash=${r.emailHash?.slice(0, 16)}..., phone=${r.phone?.slice(0, 24)}..., dateOfBirth=${r.dateOfBirth ? `${r.dateOfBirth.slice(0, 24)}...` : null}`,
    );
  }

  close();
  await ds.destroy();
  rmSync(DB_FILE, { force: true });
};

await main();
