/**
 * The real `qapi` binary as a subprocess: local engine (file store from QAPI_MASTER_KEY /
 * QAPI_STORE_PATH) and remote mode (QUANTUMAPI_KEY / QUANTUMAPI_BASE_URL against a real
 * @quantumapi/server process). Exit codes are asserted, and secrets never appear without --show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapTenant,
  newDeployment,
  type ServerProcess,
  startServerProcess,
} from '../../sdk/test/conformance/server-process.js';
import { localEnv, qapi } from './cli-process.js';
import { createTestDatabase, seedUsers, type TestDatabase } from './db.js';

const text = (b: Buffer) => b.toString('utf8');

describe('qapi against the local engine', () => {
  const env = localEnv();

  it('version and health', async () => {
    const v = await qapi(['version', '--output', 'json'], env);
    expect(v.code).toBe(0);
    expect(JSON.parse(text(v.stdout))).toMatchObject({ qapi: '0.1.0' });
    const h = await qapi(['health', '--output', 'json'], env);
    expect(h.code).toBe(0);
    expect(JSON.parse(text(h.stdout))).toMatchObject({ status: 'ok', backend: 'local' });
  });

  it('encrypt | decrypt round-trips bytes through stdin and stdout', async () => {
    const data = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const enc = await qapi(['encrypt', '--aad', 'orders/1'], env, data);
    expect(enc.code).toBe(0);
    const dec = await qapi(['decrypt', '--aad', 'orders/1'], env, enc.stdout);
    expect(dec.code).toBe(0);
    expect(dec.stdout.equals(data)).toBe(true);
    const wrongAad = await qapi(['decrypt', '--aad', 'orders/2'], env, enc.stdout);
    expect(wrongAad.code).toBe(4);
    expect(wrongAad.stderr).toMatch(/DECRYPTION_FAILED/);
  });

  it('secrets: create, list and get never print the value; --show does', async () => {
    const c = await qapi(['secrets', 'create', 'db-password', 'hunter2-s3cret', '--label', 'env=prod'], env);
    expect(c.code).toBe(0);
    expect(text(c.stdout) + c.stderr).not.toContain('hunter2-s3cret');
    const l = await qapi(['secrets', 'list', '--output', 'json'], env);
    expect(JSON.parse(text(l.stdout)).map((s: { name: string }) => s.name)).toEqual(['db-password']);
    expect(text(l.stdout)).not.toContain('hunter2-s3cret');
    const hidden = await qapi(['secrets', 'get', 'db-password'], env);
    expect(hidden.code).toBe(0);
    expect(text(hidden.stdout)).not.toContain('hunter2-s3cret');
    const hiddenJson = await qapi(['secrets', 'get', 'db-password', '--output', 'json'], env);
    expect(JSON.parse(text(hiddenJson.stdout)).value).toBeUndefined();
    const shown = await qapi(['secrets', 'get', 'db-password', '--show', '--output', 'json'], env);
    expect(JSON.parse(text(shown.stdout))).toMatchObject({ name: 'db-password', value: 'hunter2-s3cret', version: 1 });
    const missing = await qapi(['secrets', 'get', 'nope'], env);
    expect(missing.code).toBe(3);
    // A value that looks like a flag is a usage error that does not quote what was typed.
    const dashed = await qapi(['secrets', 'create', 'api-token', '--tok-9f8e7d'], env);
    expect(dashed.code).toBe(2);
    expect(text(dashed.stdout) + dashed.stderr).not.toContain('9f8e7d');
    expect(dashed.stderr).toContain("after '--'");
    const badVersion = await qapi(['secrets', 'get', 'db-password', '--version', 'latest'], env);
    expect(badVersion.code).toBe(2);
  });

  it('keys: create, list, rotate', async () => {
    const c = await qapi(['keys', 'create', '--algorithm', 'ML-DSA-65', '--name', 'releases', '--output', 'json'], env);
    expect(c.code).toBe(0);
    const key = JSON.parse(text(c.stdout)) as { id: string; currentVersion: number };
    expect(key.currentVersion).toBe(1);
    const r = await qapi(['keys', 'rotate', key.id, '--output', 'json'], env);
    expect(JSON.parse(text(r.stdout)).currentVersion).toBe(2);
    const l = await qapi(['keys', 'list', '--algorithm', 'ML-DSA-65'], env);
    expect(text(l.stdout)).toMatch(/releases\s+ML-DSA-65\s+Active\s+2/);
    expect((await qapi(['keys', 'rotate', '00000000-0000-4000-8000-000000000000'], env)).code).toBe(3);
  });

  it('sign | verify: exit 0 for a valid signature, 4 for a tampered message', async () => {
    const s = await qapi(['sign', '--context', 'releases', '--output', 'json'], env, 'release v1.2.3');
    expect(s.code).toBe(0);
    const sig = JSON.parse(text(s.stdout)) as { signature: string; keyId: string };
    const args = ['verify', '--key-id', sig.keyId, '--signature', sig.signature, '--context', 'releases'];
    expect((await qapi(args, env, 'release v1.2.3')).code).toBe(0);
    const bad = await qapi(args, env, 'release v1.2.4');
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/SIGNATURE_INVALID/);
  });

  it('certs: issue (key hidden unless --show), revoke, crl, ca', async () => {
    const i = await qapi(['certs', 'issue', '--cn', 'orders', '--dns', 'orders.internal', '--output', 'json'], env);
    expect(i.code).toBe(0);
    const cert = JSON.parse(text(i.stdout));
    expect(cert.certificate).toMatch(/BEGIN CERTIFICATE/);
    expect(cert.privateKey).toBeUndefined();
    expect(text(i.stdout)).not.toMatch(/PRIVATE KEY/);
    const shown = await qapi(['certs', 'issue', '--cn', 'orders', '--show', '--output', 'json'], env);
    expect(JSON.parse(text(shown.stdout)).privateKey).toMatch(/BEGIN PRIVATE KEY/);
    expect((await qapi(['certs', 'revoke', cert.serialNumber, '--reason', 'keyCompromise'], env)).code).toBe(0);
    expect(text((await qapi(['certs', 'crl'], env)).stdout)).toMatch(/BEGIN X509 CRL/);
    expect(text((await qapi(['certs', 'ca'], env)).stdout)).toMatch(/BEGIN CERTIFICATE/);
  });

  it('usage errors exit 2; a missing master key exits 5', async () => {
    expect((await qapi(['nonsense'], env)).code).toBe(2);
    expect((await qapi(['secrets', 'get'], env)).code).toBe(2);
    expect((await qapi(['keys', 'list', '--bogus'], env)).code).toBe(2);
    expect((await qapi(['keys', 'list', '--output', 'yaml'], env)).code).toBe(2);
    const noKey = await qapi(['keys', 'list'], { QAPI_STORE_PATH: env['QAPI_STORE_PATH']! });
    expect(noKey.code).toBe(5);
    expect(noKey.stderr).toMatch(/MASTER_KEY_MISSING/);
  });
});

describe('qapi migrate through the binary', () => {
  let db: TestDatabase;
  const env = localEnv();
  const table = ['--table', 'users', '--column', 'email', '--index', 'email=email_hash', '--column', 'age:number'];

  beforeAll(async () => {
    db = await createTestDatabase('qapi_cli_bin');
    await seedUsers(db.pool, 2_000);
    env['DATABASE_URL'] = db.url;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('dry run, backfill with plain progress lines, status, rotate, reindex, decrypt', async () => {
    const dry = await qapi(['migrate', 'backfill', ...table, '--dry-run', '--output', 'json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(text(dry.stdout))).toMatchObject({ dryRun: true, rowsChanged: 2_000 });

    const run = await qapi(['migrate', 'backfill', ...table, '--batch-size', '200'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/backfill users: 2000\/2000 rows \(100%\), 2000 changed, \d+ rows\/s, ETA .*done/);
    expect(text(run.stdout)).toMatch(/status:\s+done/);

    const st = await qapi(['migrate', 'status', ...table, '--output', 'json'], env);
    const status = JSON.parse(text(st.stdout));
    expect(status.columns.email).toEqual({ encrypted: 1_980, plaintext: 0, null: 20 });
    expect(status.jobs[0]).toMatchObject({ operation: 'backfill', status: 'done', rowsSeen: 2_000, hasCursor: true });
    expect(status.jobs[0]).not.toHaveProperty('cursor'); // a primary key can be an email

    const keys = JSON.parse(text((await qapi(['keys', 'list', '--output', 'json'], env)).stdout)) as { id: string }[];
    expect((await qapi(['keys', 'rotate', keys[0]!.id], env)).code).toBe(0);
    const rot = await qapi(['migrate', 'rotate', ...table, '--quiet', '--output', 'json'], env);
    expect(JSON.parse(text(rot.stdout))).toMatchObject({ status: 'done', rowsChanged: 2_000 });

    const reindexArgs = ['--table', 'users', '--column', 'email', '--index', 'email=email_hash@2,1'];
    const re = await qapi(['migrate', 'reindex', ...reindexArgs, '--quiet', '--output', 'json'], env);
    expect(JSON.parse(text(re.stdout))).toMatchObject({ status: 'done', rowsChanged: 1_980 });

    const out = await qapi(['migrate', 'decrypt', ...table, '--quiet'], env);
    expect(out.code).toBe(0);
    const row = (await db.pool.query('SELECT email, age FROM users WHERE id = 5')).rows[0];
    expect(row).toEqual({ email: 'User.5@Example.com ', age: '5' });
  });

  it('a malformed value stops the migration without printing an email primary key; an integer key is printed', async () => {
    await db.pool.query('CREATE TABLE people (email text PRIMARY KEY, age text)');
    const emails = ['ana@example.com', 'bea@example.com', 'cai@example.com', 'dan@example.com'];
    for (const [i, e] of emails.entries()) {
      await db.pool.query('INSERT INTO people VALUES ($1, $2)', [e, e === 'cai@example.com' ? 'n/a' : String(i)]);
    }
    const people = ['--table', 'people', '--primary-key', 'email', '--column', 'age:number', '--batch-size', '2'];
    for (const extra of [[], ['--output', 'json'], ['--dry-run']]) {
      const r = await qapi(['migrate', 'backfill', ...people, ...extra], env);
      expect(r.code, r.stderr).toBe(7);
      expect(r.stderr).toMatch(/INVALID_INPUT/);
      expect(r.stderr).toContain('people.age (row #');
      expect(r.stderr).toContain('key withheld) does not hold a valid number');
      for (const e of emails) expect(text(r.stdout) + r.stderr).not.toContain(e);
      expect(text(r.stdout) + r.stderr).not.toContain('example.com');
    }

    await db.pool.query(`CREATE TABLE members AS SELECT id, age FROM users WHERE id <= 50`);
    await db.pool.query(`ALTER TABLE members ADD PRIMARY KEY (id)`);
    await db.pool.query(`UPDATE members SET age = 'n/a' WHERE id = 42`);
    const members = ['--table', 'members', '--column', 'age:number', '--quiet'];
    const m = await qapi(['migrate', 'backfill', ...members], env);
    expect(m.code, m.stderr).toBe(7);
    expect(m.stderr).toContain('INVALID_INPUT: members.age (row 42) does not hold a valid number');
  });

  it('migrate without a table or database is a usage error', async () => {
    expect((await qapi(['migrate', 'backfill'], env)).code).toBe(2);
    const { DATABASE_URL: _, ...noDb } = env;
    expect((await qapi(['migrate', 'backfill', ...table], noDb)).code).toBe(2);
  });
});

describe('qapi against a remote server (QUANTUMAPI_KEY / QUANTUMAPI_BASE_URL)', () => {
  let server: ServerProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    const dep = await newDeployment();
    const issued = await bootstrapTenant(dep, 'cli-tenant');
    server = await startServerProcess(dep);
    env = { QUANTUMAPI_KEY: issued.apiKey, QUANTUMAPI_BASE_URL: server.baseUrl };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('health reports the http backend', async () => {
    const h = await qapi(['health', '--output', 'json'], env);
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(text(h.stdout))).toMatchObject({ status: 'ok', backend: 'http' });
  });

  it('encrypt | decrypt round-trip through the server', async () => {
    const enc = await qapi(['encrypt', '--output', 'json'], env, 'remote plaintext');
    expect(enc.code, enc.stderr).toBe(0);
    const { payload } = JSON.parse(text(enc.stdout)) as { payload: string };
    const dec = await qapi(['decrypt'], env, payload);
    expect(dec.code, dec.stderr).toBe(0);
    expect(text(dec.stdout)).toBe('remote plaintext');
  });

  it('a wrong API key exits 5 and the key is not echoed', async () => {
    const bad = await qapi(['encrypt'], { ...env, QUANTUMAPI_KEY: 'qapi_wrong_key_0123456789' }, 'x');
    expect(bad.code).toBe(5);
    expect(bad.stderr).not.toContain('qapi_wrong_key_0123456789');
  });

  it('secrets and keys work remotely', async () => {
    expect((await qapi(['secrets', 'create', 'remote-secret', 'v4lue-remote'], env)).code).toBe(0);
    const got = await qapi(['secrets', 'get', 'remote-secret'], env);
    expect(got.code, got.stderr).toBe(0);
    expect(text(got.stdout)).not.toContain('v4lue-remote');
    const shown = await qapi(['secrets', 'get', 'remote-secret', '--show', '--output', 'json'], env);
    expect(JSON.parse(text(shown.stdout)).value).toBe('v4lue-remote');
    expect((await qapi(['keys', 'list'], env)).code).toBe(0);
  });
});
