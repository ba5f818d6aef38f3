/**
 * The vault namespace, specified once and run against every backend (backends.ts): local with each
 * store, and http against a real server process on PostgreSQL.
 */
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretNotFoundError, SecretStateError } from '../../src/vault/errors.js';
import { BACKENDS, stopSharedServer } from './backends.js';
import { clientPerTest, collect, errorOf } from './helpers.js';

afterAll(stopSharedServer);

describe.each(BACKENDS)('vault namespace on %s', (_name, make) => {
  const ctx = clientPerTest(make);

  it('creates a secret and reads it back by id and by name, strings as strings and bytes as bytes', async () => {
    const info = await ctx.qapi.vault.create({
      name: 'db/password',
      value: 'hunter2 ✓',
      description: 'primary database',
      contentType: 'text/plain',
      labels: { env: 'prod', Team: 'Core' },
    });
    expect(info).toMatchObject({
      name: 'db/password',
      description: 'primary database',
      contentType: 'text/plain',
      labels: { env: 'prod', Team: 'Core' },
      state: 'Active',
      currentVersion: 1,
    });
    expect(info.deletedAt).toBeUndefined();
    for (const ref of [info.id, 'db/password']) {
      const s = await ctx.qapi.vault.get(ref);
      expect(s.id).toBe(info.id);
      expect(s.value.reveal()).toBe('hunter2 ✓');
    }
    expect(await ctx.qapi.vault.describe('db/password')).toEqual(info);

    const raw = new Uint8Array([0, 255, 1, 254, 0xc3, 0x28]);
    await ctx.qapi.vault.create({ name: 'seed', value: raw });
    const s = await ctx.qapi.vault.get('seed');
    expect(s.value.kind).toBe('bytes');
    expect(s.value.revealBytes()).toEqual(raw);
    // The value never prints itself: not as Base64, not as a byte array (ids may contain any digits).
    const json = JSON.stringify(s);
    expect(JSON.parse(json).value).toBe('[redacted]');
    expect(json).not.toContain(Buffer.from(raw).toString('base64'));
    expect(json).not.toMatch(/0,255,1,254|"1":255/);
    expect(inspect(await ctx.qapi.vault.get('db/password'), { depth: 5 })).not.toContain('hunter2');
  });

  it('versions values on update; metadata-only updates keep the version', async () => {
    await ctx.qapi.vault.create({ name: 'api-token', value: 'v1', labels: { a: '1' } });
    const meta = await ctx.qapi.vault.update('api-token', { description: 'rotated monthly', labels: { b: '2' } });
    expect(meta).toMatchObject({ currentVersion: 1, description: 'rotated monthly', labels: { b: '2' } });
    const v2 = await ctx.qapi.vault.update('api-token', { value: 'v2', description: null });
    expect(v2.currentVersion).toBe(2);
    expect(v2.description).toBeUndefined();
    expect((await ctx.qapi.vault.get('api-token')).value.reveal()).toBe('v2');
    expect((await ctx.qapi.vault.get('api-token', { version: 1 })).value.reveal()).toBe('v1');
    expect((await ctx.qapi.vault.versions('api-token')).map((v) => v.version)).toEqual([1, 2]);
    expect(await errorOf(ctx.qapi.vault.get('api-token', { version: 3 }))).toBeInstanceOf(SecretNotFoundError);
  });

  it('lists metadata only, by page and by label, and never a value', async () => {
    for (const [i, env] of ['prod', 'dev', 'prod'].entries()) {
      await ctx.qapi.vault.create({ name: `svc-${i}`, value: `value-${i}`, labels: { env } });
    }
    const all = await collect(ctx.qapi.vault.list({ pageSize: 2 }));
    expect(all.map((s) => s.name)).toEqual(['svc-0', 'svc-1', 'svc-2']);
    expect(JSON.stringify(all)).not.toContain('value-');
    for (const s of all) expect(Object.keys(s)).not.toContain('value');
    const pages = await collect(ctx.qapi.vault.list({ pageSize: 2 }).byPage());
    expect(pages[0]?.items).toHaveLength(2);
    expect(pages.flatMap((p) => p.items)).toHaveLength(3);
    const prod = await collect(ctx.qapi.vault.list({ labels: { env: 'prod' } }));
    expect(prod.map((s) => s.name)).toEqual(['svc-0', 'svc-2']);
  });

  it('soft-deletes, restores and purges, with typed errors for the wrong state', async () => {
    await ctx.qapi.vault.create({ name: 'old-key', value: 'x' });
    const deleted = await ctx.qapi.vault.delete('old-key');
    expect(deleted.state).toBe('Deleted');
    expect(deleted.deletedAt).toEqual(expect.any(String));
    expect(await errorOf(ctx.qapi.vault.get('old-key'))).toBeInstanceOf(SecretStateError);
    expect(await collect(ctx.qapi.vault.list())).toEqual([]);
    expect((await collect(ctx.qapi.vault.list({ state: 'Deleted' }))).map((s) => s.name)).toEqual(['old-key']);
    expect(await errorOf(ctx.qapi.vault.delete('old-key'))).toBeInstanceOf(SecretStateError);
    const restored = await ctx.qapi.vault.restore('old-key');
    expect(restored.state).toBe('Active');
    expect((await ctx.qapi.vault.get('old-key')).value.reveal()).toBe('x');
    expect((await errorOf(ctx.qapi.vault.purge('old-key'))).code).toBe('SECRET_STATE');
    await ctx.qapi.vault.delete('old-key');
    await ctx.qapi.vault.purge('old-key');
    expect(await errorOf(ctx.qapi.vault.describe('old-key'))).toBeInstanceOf(SecretNotFoundError);
    // The name is free again.
    await ctx.qapi.vault.create({ name: 'old-key', value: 'y' });
  });

  it('refuses a duplicate name with CONFLICT and a missing secret with SECRET_NOT_FOUND', async () => {
    await ctx.qapi.vault.create({ name: 'dup', value: 'a' });
    expect((await errorOf(ctx.qapi.vault.create({ name: 'dup', value: 'b' }))).code).toBe('CONFLICT');
    expect((await errorOf(ctx.qapi.vault.get('missing'))).code).toBe('SECRET_NOT_FOUND');
  });

  it('resolves a start-up map, failing fast with every missing entry named', async () => {
    await ctx.qapi.vault.create({ name: 'db-url', value: 'postgres://x' });
    const env = await ctx.qapi.vault.resolve({ DATABASE_URL: 'db-url' });
    expect(env.DATABASE_URL.reveal()).toBe('postgres://x');
    const e = await errorOf(ctx.qapi.vault.resolve({ DATABASE_URL: 'db-url', A: 'nope-a', B: 'nope-b' }));
    expect(e.code).toBe('SECRETS_UNRESOLVED');
    expect(e.details['missing']).toBe('A,B');
  });
});
