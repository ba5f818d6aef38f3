import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { toBase64, toBase64Url, toHex } from '../../src/crypto/bytes.js';
import { nobleProviders } from '../../src/crypto/noble-provider.js';
import { FileStore, MemoryStore, QuantumApiClient, QuantumApiError, type RecordStore } from '../../src/index.js';
import { MASTER_KEY, OTHER_MASTER_KEY, recordingProviders, tempDir } from '../helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const dir = async (): Promise<string> => {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.path;
};

const fileClient = (path: string, masterKey: string | undefined, extra = {}) =>
  new QuantumApiClient({ env: masterKey ? { QAPI_MASTER_KEY: masterKey } : {}, local: { path }, ...extra });

const allFiles = async (root: string): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
};

describe('file store (the embedded default)', () => {
  test('keys persist across processes-worth of clients; data stays decryptable', async () => {
    const path = await dir();
    const a = fileClient(path, MASTER_KEY);
    const { payload, keyId } = await a.encryption.encrypt('persisted');
    const sig = await a.encryption.sign('doc');
    await a.close();
    const b = fileClient(path, MASTER_KEY);
    expect(await b.encryption.decryptString(payload)).toBe('persisted');
    await expect(
      b.encryption.verify({ data: 'doc', signature: sig.signature, keyId: sig.keyId }),
    ).resolves.toBeTruthy();
    expect((await b.encryption.encrypt('again')).keyId).toBe(keyId);
    await b.close();
  });

  test('refuses to start without a master key, with a message that says what to do', () => {
    let err: unknown;
    try {
      fileClient('/tmp/never-created', undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuantumApiError);
    expect((err as QuantumApiError).code).toBe('MASTER_KEY_MISSING');
    expect((err as Error).message).toMatch(/QAPI_MASTER_KEY/);
  });

  test('refuses a malformed master key', () => {
    expect(() => fileClient('/tmp/x', 'too-short')).toThrow(expect.objectContaining({ code: 'MASTER_KEY_INVALID' }));
  });

  test('refuses to start with the wrong master key, before any operation', async () => {
    const path = await dir();
    const a = fileClient(path, MASTER_KEY);
    await a.encryption.encrypt('x');
    await a.close();
    const b = fileClient(path, OTHER_MASTER_KEY);
    await expect(b.ready()).rejects.toMatchObject({ code: 'MASTER_KEY_INVALID' });
    await expect(b.encryption.encrypt('x')).rejects.toMatchObject({ code: 'MASTER_KEY_INVALID' });
    await b.close();
  });

  test('stores seeds and data keys only sealed: no drawn random bytes appear on disk in any encoding', async () => {
    const path = await dir();
    const { providers, drawn } = recordingProviders();
    const c = fileClient(path, MASTER_KEY, { providers });
    for (const algorithm of ['ML-KEM-768', 'ML-DSA-65', 'AES-256-GCM', 'SLH-DSA-SHA2-128s'] as const) {
      await c.encryption.keys.create({ algorithm });
    }
    await c.close();
    const secrets = drawn.filter((b) => b.length >= 32); // seeds and the tenant data key (nonces are 12 bytes)
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const disk = (await Promise.all((await allFiles(path)).map((f) => readFile(f, 'utf8')))).join('\n');
    for (const s of secrets) {
      for (const enc of [toBase64(s), toBase64Url(s), toHex(s), toBase64(s.subarray(0, 24))])
        expect(disk).not.toContain(enc);
    }
  });

  test('a second open of the same directory in one process is refused (one writer)', async () => {
    const path = await dir();
    const a = fileClient(path, MASTER_KEY);
    await a.ready();
    const b = fileClient(path, MASTER_KEY);
    await expect(b.ready()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await a.close();
    await b.ready();
    await b.close();
  });

  test('a corrupt record is a typed STORE_CORRUPT error, not a crash', async () => {
    const path = await dir();
    const a = fileClient(path, MASTER_KEY);
    const k = await a.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    await a.close();
    const file = (await allFiles(path)).find((f) => f.includes(k.id)) as string;
    await writeFile(file, '{"id": truncated');
    const b = fileClient(path, MASTER_KEY);
    await expect(b.encryption.keys.get(k.id)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await b.close();
  });

  test('atomic writes leave no temp files behind', async () => {
    const path = await dir();
    const c = fileClient(path, MASTER_KEY);
    const k = await c.encryption.keys.create({ algorithm: 'ML-DSA-44' });
    await Promise.all([1, 2, 3, 4].map(() => c.encryption.keys.rotate(k.id)));
    expect((await c.encryption.keys.get(k.id)).currentVersion).toBe(5);
    await c.close();
    expect((await allFiles(path)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe.each<[string, () => Promise<RecordStore>]>([
  ['memory', async () => new MemoryStore()],
  ['file', async () => new FileStore({ path: await dir() })],
])('RecordStore contract: %s', (_name, make) => {
  test('compare-and-set, ordered keyset listing, tenant isolation, delete', async () => {
    const s = await make();
    await s.open();
    expect(await s.put('t1', 'c', 'b', { n: 1 }, 0)).toBe(1);
    await expect(s.put('t1', 'c', 'b', { n: 2 }, 0)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await s.put('t1', 'c', 'b', { n: 2 }, 1)).toBe(2);
    await s.put('t1', 'c', 'a', { n: 0 }, 0);
    await s.put('t1', 'c', 'c', { n: 3 }, 0);
    await s.put('t2', 'c', 'a', { other: true }, 0);
    expect((await s.list('t1', 'c')).map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect((await s.list('t1', 'c', { after: 'a', limit: 1 })).map((r) => r.id)).toEqual(['b']);
    expect(await s.get('t1', 'c', 'b')).toEqual({ id: 'b', revision: 2, data: { n: 2 } });
    expect(await s.get('t2', 'c', 'b')).toBeUndefined();
    await expect(s.delete('t1', 'c', 'b', 1)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await s.delete('t1', 'c', 'b', 2)).toBe(true);
    expect(await s.delete('t1', 'c', 'b')).toBe(false);
    await s.close();
  });
});

describe('providers', () => {
  test('a store written with the noble providers opens with the node providers and back (same bytes)', async () => {
    const path = await dir();
    const a = fileClient(path, MASTER_KEY, { providers: nobleProviders });
    const p1 = await a.encryption.encrypt('from noble', { aad: 'x' });
    const s1 = await a.encryption.sign('from noble');
    await a.close();
    const b = fileClient(path, MASTER_KEY);
    expect(await b.encryption.decryptString(p1.payload, { aad: 'x' })).toBe('from noble');
    await expect(
      b.encryption.verify({ data: 'from noble', signature: s1.signature, keyId: s1.keyId }),
    ).resolves.toBeTruthy();
    const p2 = await b.encryption.encrypt('from node');
    await b.close();
    const c = fileClient(path, MASTER_KEY, { providers: nobleProviders });
    expect(await c.encryption.decryptString(p2.payload)).toBe('from node');
    await c.close();
  });
});
