import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/local/stores/memory.js';
import type { VaultBackend } from '../../src/vault/backend.js';
import { SecretsUnresolvedError } from '../../src/vault/errors.js';
import { createLocalVault } from '../../src/vault/local.js';
import { VaultNamespace } from '../../src/vault/namespace.js';
import { errorOf, makeContext } from './helpers.js';

/**
 * The real local vault, instrumented: counts value reads and the peak number in flight, and makes
 * each read take a little while so that sequential code would be visible.
 */
const instrumented = () => {
  const real = createLocalVault(makeContext(new MemoryStore()));
  const stats = { reads: 0, inFlight: 0, peak: 0 };
  const backend: VaultBackend = {
    ...real,
    async getSecretValue(ref, version) {
      stats.reads++;
      stats.inFlight++;
      stats.peak = Math.max(stats.peak, stats.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 20));
        return await real.getSecretValue(ref, version);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { backend, stats };
};

describe('vault.resolve', () => {
  it('resolves ids and names in parallel into redacted values', async () => {
    const { backend, stats } = instrumented();
    const vault = new VaultNamespace(backend);
    const db = await vault.create({ name: 'db-url', value: 'postgres://u:p@h/db' });
    await vault.create({ name: 'api-key', value: 'k-123' });
    await vault.create({ name: 'tls-seed', value: new Uint8Array([1, 2, 3]) });
    const env = await vault.resolve({ DATABASE_URL: db.id, API_KEY: 'api-key', TLS_SEED: 'tls-seed' });
    expect(env.DATABASE_URL.reveal()).toBe('postgres://u:p@h/db');
    expect(env.API_KEY.reveal()).toBe('k-123');
    expect(env.TLS_SEED.revealBytes()).toEqual(new Uint8Array([1, 2, 3]));
    expect(JSON.stringify(env)).toBe('{"DATABASE_URL":"[redacted]","API_KEY":"[redacted]","TLS_SEED":"[redacted]"}');
    expect(stats.peak).toBe(3);
  });

  it('fails with ONE error naming every missing secret, never a value', async () => {
    const { backend } = instrumented();
    const vault = new VaultNamespace(backend);
    await vault.create({ name: 'present', value: 'present-value-canary' });
    await vault.create({ name: 'gone', value: 'gone-value-canary' });
    await vault.delete('gone');
    const err = await errorOf(
      vault.resolve({ PRESENT: 'present', MISSING_A: 'does-not-exist', MISSING_B: 'gone', MISSING_C: 'also-missing' }),
    );
    expect(err).toBeInstanceOf(SecretsUnresolvedError);
    const e = err as SecretsUnresolvedError;
    expect(e.code).toBe('SECRETS_UNRESOLVED');
    expect(e.missing.map((m) => m.name).sort()).toEqual(['MISSING_A', 'MISSING_B', 'MISSING_C']);
    expect(e.missing.find((m) => m.name === 'MISSING_B')?.code).toBe('SECRET_STATE');
    expect(e.missing.find((m) => m.name === 'MISSING_A')?.code).toBe('SECRET_NOT_FOUND');
    for (const n of ['MISSING_A', 'MISSING_B', 'MISSING_C']) expect(e.message).toContain(n);
    expect(e.message).not.toContain('PRESENT');
    const everything = JSON.stringify({ json: e.toJSON(), missing: e.missing, msg: e.message, stack: e.stack });
    expect(everything).not.toContain('canary');
  });

  it('caches for the life of the namespace by default', async () => {
    const { backend, stats } = instrumented();
    const vault = new VaultNamespace(backend);
    await vault.create({ name: 'k', value: 'first' });
    const a = await vault.resolve({ K: 'k' });
    await vault.update('k', { value: 'second' });
    const [b, c] = await Promise.all([vault.resolve({ K: 'k' }), vault.resolve({ K: 'k', K2: 'k' })]);
    expect(stats.reads).toBe(1);
    expect([a.K.reveal(), b.K.reveal(), c.K.reveal(), c.K2.reveal()]).toEqual(['first', 'first', 'first', 'first']);
    vault.clearResolveCache('k');
    expect((await vault.resolve({ K: 'k' })).K.reveal()).toBe('second');
  });

  it('refreshes entries older than an opt-in TTL', async () => {
    const { backend, stats } = instrumented();
    let now = 1_000_000;
    const vault = new VaultNamespace(backend, { now: () => now });
    await vault.create({ name: 'rotating', value: 'v1' });
    expect((await vault.resolve({ R: 'rotating' }, { ttlMs: 60_000 })).R.reveal()).toBe('v1');
    await vault.update('rotating', { value: 'v2' });
    now += 59_999;
    expect((await vault.resolve({ R: 'rotating' }, { ttlMs: 60_000 })).R.reveal()).toBe('v1');
    now += 1;
    expect((await vault.resolve({ R: 'rotating' }, { ttlMs: 60_000 })).R.reveal()).toBe('v2');
    expect(stats.reads).toBe(2);
    // Without a TTL the cached entry stays, however old.
    now += 10 * 60_000;
    expect((await vault.resolve({ R: 'rotating' })).R.reveal()).toBe('v2');
    expect(stats.reads).toBe(2);
  });

  it('does not cache failures', async () => {
    const { backend } = instrumented();
    const vault = new VaultNamespace(backend);
    expect((await errorOf(vault.resolve({ LATE: 'late' }))).code).toBe('SECRETS_UNRESOLVED');
    await vault.create({ name: 'late', value: 'here now' });
    expect((await vault.resolve({ LATE: 'late' })).LATE.reveal()).toBe('here now');
  });

  it('validates its input', async () => {
    const vault = new VaultNamespace(createLocalVault(makeContext()));
    expect((await errorOf(vault.resolve({}))).code).toBe('INVALID_INPUT');
    expect((await errorOf(vault.resolve({ A: '' }))).code).toBe('INVALID_INPUT');
    expect((await errorOf(vault.resolve({ A: 'a' }, { ttlMs: -1 }))).code).toBe('INVALID_INPUT');
  });
});
