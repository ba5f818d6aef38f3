/**
 * Data keys: the backend is asked once per data key, never once per field; the cache policy
 * (maxUses, maxAgeMs) decides rotations; the directory is the only place a key is found by id.
 */
import { describe, expect, it } from 'vitest';
import { type DataKeyRecord, dataKeyIdOf, MemoryDataKeyDirectory } from '../../src/fields/data-key-directory.js';
import { FieldEngine } from '../../src/fields/engine.js';
import { parseField } from '../../src/fields/format.js';
import { errorOf, localBackend, makeEngine } from './helpers.js';

const loc = { table: 'User', column: 'phone' };

describe('backend traffic', () => {
  it('1000 encryptions ask the backend for one data key', async () => {
    const { engine, backend, directory } = await makeEngine();
    const cts = await Promise.all(Array.from({ length: 1000 }, (_, i) => engine.encrypt(`+3460000${i}`, loc)));
    expect(backend.calls.generateDataKey).toBe(1);
    expect(directory.size).toBe(1);
    expect(new Set(cts.map((c) => parseField(c).dataKeyId)).size).toBe(1);
    // Reading our own writes needs no unwrap either.
    await Promise.all(cts.map((c) => engine.decrypt(c, 'string', loc)));
    expect(backend.calls.unwrapKey).toBe(0);
  });

  it('another process sharing the directory unwraps each data key once for any number of fields', async () => {
    const { engine, backend, directory } = await makeEngine();
    const cts = await engine.encryptMany(Array.from({ length: 500 }, (_, i) => ({ value: `v${i}`, location: loc })));
    const reader = new FieldEngine({ backend, directory });
    const before = backend.calls.unwrapKey;
    // Concurrent misses on one id share one backend call.
    const values = await Promise.all(cts.map((c) => reader.decrypt(c, 'string', loc)));
    expect(values[499]).toBe('v499');
    expect(backend.calls.unwrapKey - before).toBe(1);
    expect(reader.stats.unwrapped).toBe(1);
  });

  it('rotates after maxUses encryptions, and every key stays readable', async () => {
    const { engine, backend, directory } = await makeEngine({ cache: { maxUses: 10 } });
    const cts: string[] = [];
    for (let i = 0; i < 35; i++) cts.push(await engine.encrypt(i, loc));
    expect(backend.calls.generateDataKey).toBe(4);
    expect(directory.size).toBe(4);
    const reader = new FieldEngine({ backend, directory });
    expect(
      await reader.decryptMany(cts.map((c) => ({ ciphertext: c, location: loc, type: 'number' as const }))),
    ).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(reader.stats.unwrapped).toBe(4);
  });

  it('rotates after maxAgeMs, and drops unwrapped keys after maxAgeMs', async () => {
    let t = 1_000_000;
    const { engine, backend, directory } = await makeEngine({ cache: { maxAgeMs: 60_000 }, now: () => t });
    const a = await engine.encrypt('a', loc);
    t += 59_999;
    const b = await engine.encrypt('b', loc);
    expect(parseField(a).dataKeyId).toBe(parseField(b).dataKeyId);
    t += 1;
    const c = await engine.encrypt('c', loc);
    expect(parseField(c).dataKeyId).not.toBe(parseField(a).dataKeyId);
    expect(backend.calls.generateDataKey).toBe(2);

    const reader = new FieldEngine({ backend, directory, cache: { maxAgeMs: 60_000 }, now: () => t });
    await reader.decrypt(a, 'string', loc);
    await reader.decrypt(b, 'string', loc);
    expect(reader.stats.unwrapped).toBe(1);
    t += 60_000;
    await reader.decrypt(a, 'string', loc);
    expect(reader.stats.unwrapped).toBe(2);
  });

  it('a bulk encryption larger than maxUses is split across keys', async () => {
    const { engine, backend } = await makeEngine({ cache: { maxUses: 100 } });
    const cts = await engine.encryptMany(Array.from({ length: 250 }, (_, i) => ({ value: i, location: loc })));
    expect(backend.calls.generateDataKey).toBe(3);
    expect(new Set(cts.map((c) => parseField(c).dataKeyId)).size).toBe(3);
  });

  it('concurrent first writes share one generateDataKey', async () => {
    const { engine, backend } = await makeEngine();
    await Promise.all(Array.from({ length: 50 }, () => engine.encrypt('x', loc)));
    expect(backend.calls.generateDataKey).toBe(1);
  });
});

describe('directory', () => {
  it('persists the wrapped key, never the plaintext, under an id derived from it', async () => {
    const { engine, directory } = await makeEngine();
    const ct = await engine.encrypt('x', loc);
    const id = parseField(ct).dataKeyId;
    const rec = (await directory.get('default', id)) as DataKeyRecord;
    expect(rec.purpose).toBe('field');
    expect(dataKeyIdOf(rec.wrappedKey)).toBe(id);
    expect(rec.wrappedKey.length).toBeGreaterThan(1000); // an EaaS payload, not 32 raw bytes
  });

  it('an unknown data key id is KeyNotFoundError', async () => {
    const { engine, backend } = await makeEngine();
    const ct = await engine.encrypt('x', loc);
    const other = new FieldEngine({ backend, directory: new MemoryDataKeyDirectory() });
    expect((await errorOf(() => other.decrypt(ct, 'string', loc))).code).toBe('KEY_NOT_FOUND');
  });

  it('a directory entry swapped for another wrapped key is detected (StoreCorruptError)', async () => {
    const { engine, backend, directory } = await makeEngine();
    const ct = await engine.encrypt('x', loc);
    const id = parseField(ct).dataKeyId;
    const dk = await backend.generateDataKey();
    const forged = new MemoryDataKeyDirectory();
    const rec = (await directory.get('default', id)) as DataKeyRecord;
    await forged.put({ ...rec, wrappedKey: dk.wrappedKey });
    const reader = new FieldEngine({ backend, directory: forged });
    expect((await errorOf(() => reader.decrypt(ct, 'string', loc))).code).toBe('STORE_CORRUPT');
  });

  it('tenants do not see each other’s data keys', async () => {
    const backend = await localBackend();
    const directory = new MemoryDataKeyDirectory();
    const a = new FieldEngine({ backend, directory, tenant: 'a' });
    const b = new FieldEngine({ backend, directory, tenant: 'b' });
    const ct = await a.encrypt('x', loc);
    expect((await errorOf(() => b.decrypt(ct, 'string', loc))).code).toBe('KEY_NOT_FOUND');
  });

  it('validates its options', () => {
    expect(() => new FieldEngine({ backend: {} as never, directory: new MemoryDataKeyDirectory() })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(
      () =>
        new FieldEngine({
          backend: { generateDataKey: async () => undefined as never, unwrapKey: async () => new Uint8Array() },
          directory: new MemoryDataKeyDirectory(),
          cache: { maxUses: 2 ** 40 },
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });

  it('close() wipes keys; the engine reloads them from the directory afterwards', async () => {
    const { engine, backend } = await makeEngine();
    const ct = await engine.encrypt('x', loc);
    engine.close();
    expect(await engine.decrypt(ct, 'string', loc)).toBe('x');
    expect(backend.calls.unwrapKey).toBe(1);
  });
});
