/**
 * Adding and removing scopes of an existing API key: the service rules over the memory store, and
 * `qapi-server update-scopes` as a real process against PostgreSQL (a fresh schema, dropped after),
 * whose change the next request through the server pipeline sees.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { defaultProviders, MemoryStore, PostgresStore } from '@quantumapi/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyError, ApiKeyService } from '../src/api-keys.js';
import { createApp } from '../src/app.js';
import { silentLogger } from '../src/log.js';
import { RateLimiter } from '../src/rate-limit.js';
import { TenantBackends } from '../src/tenants.js';

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof ApiKeyError ? e.code : `not an ApiKeyError: ${String(e)}`),
  );

describe('ApiKeyService.updateScopes', () => {
  it('adds and removes known scopes of an active key, and refuses everything else', async () => {
    const keys = new ApiKeyService(new MemoryStore());
    const k = await keys.issue('acme', ['keys:read']);
    const r = await keys.updateScopes(k.keyId, { add: ['secrets:write', 'encryption:read', 'secrets:write'] });
    // Canonical order, no duplicates; the next authentication sees it.
    expect(r.scopes).toEqual(['encryption:read', 'keys:read', 'secrets:write']);
    expect(r.scopesUpdatedAt).toEqual(expect.any(String));
    expect((await keys.authenticate(k.apiKey))?.scopes).toEqual(r.scopes);
    expect(await codeOf(keys.updateScopes(k.keyId, { remove: ['keys:read'], add: ['keys:read'] }))).toBe(
      'INVALID_SCOPE_CHANGE',
    );
    expect((await keys.updateScopes(k.keyId, { remove: ['keys:read', 'identity:write'] })).scopes).toEqual([
      'encryption:read',
      'secrets:write',
    ]);
    expect(await codeOf(keys.updateScopes(k.keyId, { add: ['admin'] }))).toBe('UNKNOWN_SCOPE');
    expect(await codeOf(keys.updateScopes(k.keyId, {}))).toBe('INVALID_SCOPE_CHANGE');
    expect(await codeOf(keys.updateScopes(k.keyId, { remove: ['encryption:read', 'secrets:write'] }))).toBe(
      'INVALID_SCOPE_CHANGE',
    );
    expect(await codeOf(keys.updateScopes('00000000-0000-4000-8000-000000000000', { add: ['keys:read'] }))).toBe(
      'API_KEY_NOT_FOUND',
    );
    await keys.revoke(k.keyId);
    expect(await codeOf(keys.updateScopes(k.keyId, { add: ['keys:read'] }))).toBe('API_KEY_REVOKED');
    expect(await keys.authenticate(k.apiKey)).toBeUndefined();
  });
});

const DATABASE_URL = process.env['QAPI_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

describe('qapi-server update-scopes (PostgreSQL)', () => {
  const schema = `qapi_srv_scopes_${randomBytes(6).toString('hex')}`;
  const env = {
    PATH: process.env['PATH'],
    DATABASE_URL,
    QAPI_DB_SCHEMA: schema,
    QAPI_MASTER_KEY: randomBytes(32).toString('base64'),
    QAPI_DB_POOL_SIZE: '2',
  };
  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', '--import', './dev/register.mjs', 'src/cli.ts', ...args],
        { cwd: SERVER_DIR, env },
      );
      return { code: 0, stdout, stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };
  let store: PostgresStore;

  beforeAll(() => {
    store = new PostgresStore({ connectionString: DATABASE_URL, schema, maxConnections: 2 });
  });
  afterAll(async () => {
    await store?.close();
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('changes an existing key, effective on its next request', async () => {
    const boot = await cli('bootstrap', '--tenant', 'acme', '--scopes', 'keys:read');
    expect(boot.code).toBe(0);
    const issued = JSON.parse(boot.stdout) as { keyId: string; apiKey: string };
    await store.open();
    const apiKeys = new ApiKeyService(store);
    const app = createApp({
      store,
      apiKeys,
      tenants: new TenantBackends(store, Buffer.from(env.QAPI_MASTER_KEY, 'base64'), defaultProviders),
      limiter: new RateLimiter({ ratePerSecond: 1000, burst: 1000 }),
      logger: silentLogger,
      bodyLimitBytes: 4096,
    });
    const listSecrets = async () =>
      (await app.request('/api/v1/secrets', { headers: { 'x-api-key': issued.apiKey } })).status;
    expect(await listSecrets()).toBe(403);

    const added = await cli(
      'update-scopes',
      '--key-id',
      issued.keyId,
      '--add',
      'secrets:read,secrets:write',
      '--add',
      'identity:write',
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(added.stdout)).toEqual({
      keyId: issued.keyId,
      tenant: 'acme',
      scopes: ['keys:read', 'secrets:read', 'secrets:write', 'identity:write'],
    });
    expect(await listSecrets()).toBe(200);

    const removed = await cli('update-scopes', '--key-id', issued.keyId, '--remove', 'secrets:read');
    expect(JSON.parse(removed.stdout).scopes).toEqual(['keys:read', 'secrets:write', 'identity:write']);
    expect(await listSecrets()).toBe(403);

    // Usage errors (exit 2) never reach the store; refusals exit 1; nothing secret is printed.
    const unknown = await cli('update-scopes', '--key-id', issued.keyId, '--add', 'secrets:admin');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown scope "secrets:admin"');
    expect((await cli('update-scopes', '--key-id', issued.keyId)).code).toBe(2);
    expect((await cli('update-scopes', '--add', 'keys:read')).code).toBe(2);
    const missing = await cli(
      'update-scopes',
      '--key-id',
      '00000000-0000-4000-8000-000000000000',
      '--add',
      'keys:read',
    );
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('no API key with this id');
    expect((await cli('revoke', '--key-id', issued.keyId)).code).toBe(0);
    const revoked = await cli('update-scopes', '--key-id', issued.keyId, '--add', 'keys:write');
    expect(revoked).toMatchObject({ code: 1, stdout: '' });
    expect(revoked.stderr).toContain('revoked');
    for (const out of [added, removed, unknown, missing, revoked]) {
      expect(out.stdout + out.stderr).not.toContain(issued.apiKey);
    }
  });
});
