import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toBase64, toBase64Url, toHex, utf8 } from '../../src/crypto/bytes.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import type { RecordStore } from '../../src/local/stores/types.js';
import { createLocalVault } from '../../src/vault/local.js';
import { VaultNamespace } from '../../src/vault/namespace.js';
import { errorOf, makeContext, withFileStore } from './helpers.js';

const vaultOn = (store: RecordStore = new MemoryStore(), tenant = 'tenant-a') =>
  new VaultNamespace(createLocalVault(makeContext(store, tenant)));

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('vault: create and get', () => {
  it('stores a string secret and reads it back by id and by name', async () => {
    const vault = vaultOn();
    const info = await vault.create({
      name: 'db-password',
      value: 'hunter2-correct-horse',
      description: 'primary database',
      contentType: 'text/plain',
      labels: { env: 'prod', team: 'core' },
    });
    expect(info.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(info).toMatchObject({ name: 'db-password', state: 'Active', currentVersion: 1, labels: { env: 'prod' } });
    for (const ref of [info.id, 'db-password']) {
      const s = await vault.get(ref);
      expect(s.id).toBe(info.id);
      expect(s.version).toBe(1);
      expect(s.value.kind).toBe('string');
      expect(s.value.reveal()).toBe('hunter2-correct-horse');
    }
  });

  it('stores bytes and returns the same bytes; reveal() refuses to stringify them', async () => {
    const vault = vaultOn();
    const bytes = new Uint8Array([0, 255, 1, 254, 0xc3, 0x28]);
    await vault.create({ name: 'signing-seed', value: bytes });
    const s = await vault.get('signing-seed');
    expect(s.value.kind).toBe('bytes');
    expect(s.value.revealBytes()).toEqual(bytes);
    expect((await errorOf(() => s.value.reveal())).code).toBe('INVALID_INPUT');
  });

  it('rejects invalid input with INVALID_INPUT', async () => {
    const vault = vaultOn();
    for (const bad of [
      { name: '', value: 'x' },
      { name: '0190f3a0-1234-7abc-8def-0123456789ab', value: 'x' },
      { name: 'has space', value: 'x' },
      { name: 'a'.repeat(97), value: 'x' },
      { name: 'ok', value: 42 },
      { name: 'ok', value: 'x', labels: { 'bad key!': 'v' } },
    ]) {
      expect((await errorOf(vault.create(bad as never))).code).toBe('INVALID_INPUT');
    }
    expect((await errorOf(vault.update('missing', {}))).code).toBe('INVALID_INPUT');
  });

  it('keeps names unique per tenant (also while soft-deleted) and frees them on purge', async () => {
    const vault = vaultOn();
    await vault.create({ name: 'api-token', value: 'one' });
    expect((await errorOf(vault.create({ name: 'api-token', value: 'two' }))).code).toBe('CONFLICT');
    await vault.delete('api-token');
    expect((await errorOf(vault.create({ name: 'api-token', value: 'two' }))).code).toBe('CONFLICT');
    await vault.purge('api-token');
    await vault.create({ name: 'api-token', value: 'three' });
    expect((await vault.get('api-token')).value.reveal()).toBe('three');
  });

  it('isolates tenants sharing one store', async () => {
    const store = new MemoryStore();
    const a = vaultOn(store, 'tenant-a');
    const b = vaultOn(store, 'tenant-b');
    const info = await a.create({ name: 'shared-name', value: 'a-value' });
    expect((await errorOf(b.get('shared-name'))).code).toBe('SECRET_NOT_FOUND');
    expect((await errorOf(b.get(info.id))).code).toBe('SECRET_NOT_FOUND');
    await b.create({ name: 'shared-name', value: 'b-value' });
    expect((await a.get('shared-name')).value.reveal()).toBe('a-value');
  });

  it('reports unknown refs and versions as SECRET_NOT_FOUND', async () => {
    const vault = vaultOn();
    await vault.create({ name: 'x', value: 'v' });
    expect((await errorOf(vault.get('nope'))).code).toBe('SECRET_NOT_FOUND');
    expect((await errorOf(vault.get('0190f3a0-1234-7abc-8def-0123456789ab'))).code).toBe('SECRET_NOT_FOUND');
    expect((await errorOf(vault.get('x', { version: 2 }))).code).toBe('SECRET_NOT_FOUND');
  });
});

describe('vault: versions, metadata, lifecycle', () => {
  it('makes a new version per value update and keeps old versions readable', async () => {
    const vault = vaultOn();
    const { id } = await vault.create({ name: 'rotating', value: 'v1' });
    await vault.update(id, { value: 'v2' });
    const info = await vault.update('rotating', { value: new Uint8Array([9, 9]) });
    expect(info.currentVersion).toBe(3);
    expect((await vault.versions(id)).map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await vault.get(id, { version: 1 })).value.reveal()).toBe('v1');
    expect((await vault.get(id, { version: 2 })).value.reveal()).toBe('v2');
    expect((await vault.get(id)).value.revealBytes()).toEqual(new Uint8Array([9, 9]));
  });

  it('updates metadata without creating a version; null clears a field', async () => {
    const vault = vaultOn();
    await vault.create({ name: 'meta', value: 'v', description: 'd', contentType: 'text/plain', labels: { a: '1' } });
    const info = await vault.update('meta', { labels: { b: '2' }, description: null, contentType: 'application/json' });
    expect(info.currentVersion).toBe(1);
    expect(info.labels).toEqual({ b: '2' });
    expect(info.description).toBeUndefined();
    expect(info.contentType).toBe('application/json');
  });

  it('soft-deletes, restores and purges, enforcing the order', async () => {
    const vault = vaultOn();
    const { id } = await vault.create({ name: 'temp', value: 'v' });
    expect((await errorOf(vault.purge(id))).code).toBe('SECRET_STATE');
    const deleted = await vault.delete(id);
    expect(deleted.state).toBe('Deleted');
    expect(deleted.deletedAt).toBeDefined();
    expect((await errorOf(vault.get(id))).code).toBe('SECRET_STATE');
    expect((await errorOf(vault.update(id, { value: 'w' }))).code).toBe('SECRET_STATE');
    expect((await errorOf(vault.delete(id))).code).toBe('SECRET_STATE');
    expect((await vault.describe(id)).state).toBe('Deleted');
    const restored = await vault.restore(id);
    expect(restored.state).toBe('Active');
    expect(restored.deletedAt).toBeUndefined();
    expect((await vault.get('temp')).value.reveal()).toBe('v');
    expect((await errorOf(vault.restore(id))).code).toBe('SECRET_STATE');
    await vault.delete(id);
    await vault.purge(id);
    expect((await errorOf(vault.describe(id))).code).toBe('SECRET_NOT_FOUND');
    expect((await errorOf(vault.describe('temp'))).code).toBe('SECRET_NOT_FOUND');
  });

  it('does not lose versions under concurrent updates (compare-and-set retries)', async () => {
    const vault = vaultOn();
    const { id } = await vault.create({ name: 'contended', value: 'v0' });
    const n = 12;
    await Promise.all(Array.from({ length: n }, (_, i) => vault.update(id, { value: `v${i + 1}` })));
    const versions = await vault.versions(id);
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    const values = await Promise.all(
      versions.map(async (v) => (await vault.get(id, { version: v.version })).value.reveal()),
    );
    expect(new Set(values)).toEqual(new Set(Array.from({ length: n + 1 }, (_, i) => `v${i}`)));
  });
});

describe('vault: list', () => {
  it('pages through every matching secret once, in creation order, filtered by labels', async () => {
    const vault = vaultOn();
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      const info = await vault.create({
        name: `s-${String(i).padStart(2, '0')}`,
        value: `value-${i}`,
        labels: { env: i % 3 === 0 ? 'prod' : 'dev', idx: String(i) },
      });
      created.push(info.name);
    }
    await vault.delete('s-03');

    const all = await collect(vault.list({ pageSize: 4 }));
    expect(all.map((s) => s.name)).toEqual(created.filter((n) => n !== 's-03'));

    const pages = await collect(vault.list({ labels: { env: 'prod' }, pageSize: 3 }).byPage());
    expect(pages.length).toBeGreaterThan(1);
    for (const p of pages.slice(0, -1)) expect(p.continuationToken).toBeDefined();
    expect(pages.at(-1)?.continuationToken).toBeUndefined();
    const prod = pages.flatMap((p) => p.items.map((s) => s.name));
    expect(prod).toEqual(created.filter((n, i) => i % 3 === 0 && n !== 's-03'));

    const deleted = await collect(vault.list({ state: 'Deleted' }));
    expect(deleted.map((s) => s.name)).toEqual(['s-03']);
    expect(await collect(vault.list({ state: 'all' }))).toHaveLength(23);
  });

  it('resumes from a continuation token and rejects forged ones', async () => {
    const vault = vaultOn();
    for (let i = 0; i < 5; i++) await vault.create({ name: `r-${i}`, value: 'v' });
    const first = await vault.list({ pageSize: 2 }).byPage()[Symbol.asyncIterator]().next();
    const token = first.value?.continuationToken as string;
    const rest = await collect(vault.list().byPage({ continuationToken: token, pageSize: 2 }));
    expect(rest.map((p) => p.items.map((s) => s.name))).toEqual([['r-2', 'r-3'], ['r-4']]);
    for (const forged of ['not-a-token', toBase64Url(utf8('{"v":1,"after":"../../etc"}'))]) {
      const err = await errorOf(collect(vault.list().byPage({ continuationToken: forged })));
      expect(err.code).toBe('INVALID_INPUT');
    }
  });
});

describe('vault: encryption at rest', () => {
  const renderings = (s: string): string[] => {
    const b = utf8(s);
    return [s, toBase64(b), toBase64Url(b), toHex(b)];
  };

  it('never writes a value in plaintext (memory store records)', async () => {
    const store = new MemoryStore();
    const vault = vaultOn(store);
    const values = ['postgres://admin:S3cr3t-Pa55@db:5432/app', 'second-version-value-XYZ'];
    await vault.create({ name: 'db-url', value: values[0] as string, labels: { env: 'prod' } });
    await vault.update('db-url', { value: values[1] as string });
    const raw = JSON.stringify([
      ...(await store.list('tenant-a', 'secrets')),
      ...(await store.list('tenant-a', 'secret-names')),
    ]);
    expect(raw).toContain('db-url'); // metadata is in the clear, by design
    for (const v of values) for (const r of renderings(v)) expect(raw).not.toContain(r);
  });

  it('never writes a value in plaintext to disk (file store, every byte of every file)', async () => {
    await withFileStore(async (store, dir) => {
      const vault = vaultOn(store);
      const value = 'file-store-plaintext-canary-7f3a9c';
      await vault.create({ name: 'canary', value, labels: { kind: 'test' } });
      await vault.update('canary', { value: `${value}-v2` });
      expect((await vault.get('canary', { version: 1 })).value.reveal()).toBe(value);
      const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile());
      expect(files.length).toBeGreaterThan(0);
      let all = '';
      for (const f of files) all += (await readFile(join(f.parentPath, f.name))).toString('latin1');
      expect(all).toContain('canary');
      for (const r of [...renderings(value), value.slice(0, 16)]) expect(all).not.toContain(r);
    });
  });

  it('binds each sealed value to its secret and version: a swapped blob fails to open', async () => {
    const store = new MemoryStore();
    const vault = vaultOn(store);
    const a = await vault.create({ name: 'a', value: 'value-a' });
    await vault.create({ name: 'b', value: 'value-b' });
    await vault.update('a', { value: 'value-a2' });
    type Rec = { versions: { sealed: string }[] };
    const recA = await store.get<Rec>('tenant-a', 'secrets', a.id);
    const [recB] = (await store.list<Rec>('tenant-a', 'secrets')).filter((r) => r.id !== a.id);
    if (!recA || !recB) throw new Error('records missing');
    // Version 1 of `a` now carries b's blob; version 2 carries a's own v1 blob.
    const forged = structuredClone(recA.data);
    forged.versions[0] = { ...forged.versions[0], sealed: recB.data.versions[0]?.sealed as string };
    forged.versions[1] = { ...forged.versions[1], sealed: recA.data.versions[0]?.sealed as string };
    await store.put('tenant-a', 'secrets', a.id, forged, recA.revision);
    expect((await errorOf(vault.get('a', { version: 1 }))).code).toBe('DECRYPTION_FAILED');
    expect((await errorOf(vault.get('a', { version: 2 }))).code).toBe('DECRYPTION_FAILED');
  });

  it('cannot open another tenant data key’s values', async () => {
    const store = new MemoryStore();
    const vault = vaultOn(store, 't1');
    await vault.create({ name: 'k', value: 'v' });
    const stolen = new VaultNamespace(createLocalVault(makeContext(store, 't1')));
    expect((await errorOf(stolen.get('k'))).code).toBe('DECRYPTION_FAILED');
  });

  it('refuses a corrupt record with STORE_CORRUPT', async () => {
    const store = new MemoryStore();
    const vault = vaultOn(store);
    const { id } = await vault.create({ name: 'c', value: 'v' });
    await store.put('tenant-a', 'secrets', id, { v: 1, id }, 1);
    expect((await errorOf(vault.get(id))).code).toBe('STORE_CORRUPT');
  });
});
