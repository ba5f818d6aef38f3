import { describe, expect, test } from 'vitest';
import { akpThumbprint } from '../../src/crypto/jwk.js';
import { KEY_ALGORITHMS, type KeyInfo, KeyStateError, QuantumApiError } from '../../src/index.js';
import { memoryClient } from '../helpers.js';

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    return (e as QuantumApiError).code;
  }
};

describe('keys', () => {
  test.each(KEY_ALGORITHMS)('creates a %s key with a UUID id and version 1', async (algorithm) => {
    const client = memoryClient();
    const k = await client.encryption.keys.create({ algorithm, name: `k-${algorithm}`, labels: { team: 'a' } });
    expect(k.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(k).toMatchObject({
      algorithm,
      state: 'Active',
      currentVersion: 1,
      name: `k-${algorithm}`,
      labels: { team: 'a' },
    });
    expect(k.versions).toHaveLength(1);
    expect(k.isDefault).toBe(true);
    expect(await client.encryption.keys.get(k.id)).toEqual(k);
  });

  test('each algorithm does what its purpose allows, and refuses the rest with KEY_USAGE', async () => {
    const client = memoryClient();
    for (const algorithm of ['ML-KEM-512', 'ML-KEM-768', 'ML-KEM-1024', 'AES-256-GCM'] as const) {
      const k = await client.encryption.keys.create({ algorithm });
      const { payload } = await client.encryption.encrypt(new Uint8Array([1, 2, 3]), { keyId: k.id });
      expect(await client.encryption.decryptBytes(payload)).toEqual(new Uint8Array([1, 2, 3]));
      expect(await codeOf(client.encryption.sign('x', { keyId: k.id }))).toBe('KEY_USAGE');
    }
    for (const algorithm of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87', 'SLH-DSA-SHA2-128s'] as const) {
      const k = await client.encryption.keys.create({ algorithm });
      const s = await client.encryption.sign('hello', { keyId: k.id, context: 'ctx' });
      expect(s.algorithm).toBe(algorithm);
      await expect(
        client.encryption.verify({ data: 'hello', signature: s.signature, keyId: k.id, context: 'ctx' }),
      ).resolves.toEqual({ keyId: k.id, keyVersion: 1, algorithm });
      expect(await codeOf(client.encryption.encrypt('x', { keyId: k.id }))).toBe('KEY_USAGE');
    }
  });

  test('the default key per purpose is created on first use and can be changed', async () => {
    const client = memoryClient();
    const first = await client.encryption.encrypt('a');
    const again = await client.encryption.encrypt('b');
    expect(again.keyId).toBe(first.keyId);
    expect((await client.encryption.keys.get(first.keyId)).algorithm).toBe('ML-KEM-768');
    const signed = await client.encryption.sign('x');
    expect((await client.encryption.keys.get(signed.keyId)).algorithm).toBe('ML-DSA-65');
    const k = await client.encryption.keys.create({ algorithm: 'ML-KEM-1024' });
    expect(k.isDefault).toBe(false);
    await client.encryption.keys.setDefault(k.id);
    expect((await client.encryption.encrypt('c')).keyId).toBe(k.id);
    expect((await client.encryption.keys.get(first.keyId)).isDefault).toBe(false);
  });

  test('rotation adds a version; old versions decrypt and verify but new work uses the new version', async () => {
    const client = memoryClient();
    const kem = await client.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    const dsa = await client.encryption.keys.create({ algorithm: 'ML-DSA-65' });
    const old = await client.encryption.encrypt('before', { keyId: kem.id });
    const oldSig = await client.encryption.sign('doc', { keyId: dsa.id });
    const rotated = await client.encryption.keys.rotate(kem.id);
    await client.encryption.keys.rotate(dsa.id);
    expect(rotated.currentVersion).toBe(2);
    expect(rotated.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'Deprecated'],
      [2, 'Active'],
    ]);
    expect(rotated.versions[0]?.publicKey).not.toBe(rotated.versions[1]?.publicKey);
    expect(await client.encryption.decryptString(old.payload)).toBe('before');
    const fresh = await client.encryption.encrypt('after', { keyId: kem.id });
    expect(fresh.keyVersion).toBe(2);
    await expect(
      client.encryption.verify({ data: 'doc', signature: oldSig.signature, keyId: dsa.id }),
    ).resolves.toMatchObject({ keyVersion: 1 });
    await expect(
      client.encryption.verify({ data: 'doc', signature: oldSig.signature, keyId: dsa.id, keyVersion: 2 }),
    ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect((await client.encryption.sign('doc', { keyId: dsa.id })).keyVersion).toBe(2);
  });

  test('concurrent rotations lose no version', async () => {
    const client = memoryClient();
    const k = await client.encryption.keys.create({ algorithm: 'ML-DSA-44' });
    await Promise.all(Array.from({ length: 8 }, () => client.encryption.keys.rotate(k.id)));
    const after = await client.encryption.keys.get(k.id);
    expect(after.currentVersion).toBe(9);
    expect(after.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('a Deprecated key decrypts and verifies but refuses to encrypt and sign', async () => {
    const client = memoryClient();
    const kem = await client.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    const dsa = await client.encryption.keys.create({ algorithm: 'ML-DSA-65' });
    const { payload } = await client.encryption.encrypt('kept', { keyId: kem.id });
    const sig = await client.encryption.sign('kept', { keyId: dsa.id });
    const dk = await client.encryption.generateDataKey({ keyId: kem.id });
    for (const id of [kem.id, dsa.id]) expect((await client.encryption.keys.deprecate(id)).state).toBe('Deprecated');
    expect(await client.encryption.decryptString(payload)).toBe('kept');
    expect(await client.encryption.unwrapKey(dk.wrappedKey)).toEqual(dk.plaintextKey);
    await expect(
      client.encryption.verify({ data: 'kept', signature: sig.signature, keyId: dsa.id }),
    ).resolves.toBeTruthy();
    expect(await codeOf(client.encryption.encrypt('x', { keyId: kem.id }))).toBe('KEY_STATE');
    expect(await codeOf(client.encryption.generateDataKey({ keyId: kem.id }))).toBe('KEY_STATE');
    expect(await codeOf(client.encryption.sign('x', { keyId: dsa.id }))).toBe('KEY_STATE');
    expect(await codeOf(client.encryption.keys.rotate(kem.id))).toBe('KEY_STATE');
    expect((await client.encryption.keys.reactivate(kem.id)).state).toBe('Active');
    expect((await client.encryption.encrypt('x', { keyId: kem.id })).keyVersion).toBe(1);
  });

  test('a key pending deletion refuses everything, can be cancelled, and is gone after its grace period', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const client = memoryClient({ now: () => now });
    const kem = await client.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    const dsa = await client.encryption.keys.create({ algorithm: 'ML-DSA-65' });
    const { payload } = await client.encryption.encrypt('x', { keyId: kem.id });
    const sig = await client.encryption.sign('x', { keyId: dsa.id });
    const scheduled = await client.encryption.keys.scheduleDeletion(kem.id, { gracePeriodDays: 7 });
    await client.encryption.keys.scheduleDeletion(dsa.id, { gracePeriodDays: 7 });
    expect(scheduled.state).toBe('PendingDeletion');
    expect(scheduled.deletionDate).toBe('2026-01-08T00:00:00.000Z');
    for (const p of [
      client.encryption.encrypt('x', { keyId: kem.id }),
      client.encryption.decrypt(payload),
      client.encryption.sign('x', { keyId: dsa.id }),
      client.encryption.verify({ data: 'x', signature: sig.signature, keyId: dsa.id }),
      client.encryption.keys.rotate(kem.id),
    ]) {
      expect(await codeOf(p)).toBe('KEY_STATE');
    }
    expect((await client.encryption.keys.cancelDeletion(dsa.id)).state).toBe('Active');
    now = new Date('2026-01-08T00:00:01Z');
    expect(await codeOf(client.encryption.keys.get(kem.id))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(client.encryption.decrypt(payload))).toBe('KEY_NOT_FOUND');
    const ids: string[] = [];
    for await (const k of client.encryption.keys.list()) ids.push(k.id);
    expect(ids).toEqual([dsa.id]);
    expect(await codeOf(client.encryption.keys.scheduleDeletion(dsa.id, { gracePeriodDays: 0 }))).toBe('INVALID_INPUT');
  });

  test('lists page by page with continuation tokens and filters', async () => {
    const client = memoryClient();
    const created: KeyInfo[] = [];
    for (let i = 0; i < 7; i++) {
      created.push(await client.encryption.keys.create({ algorithm: i % 2 ? 'AES-256-GCM' : 'ML-KEM-768' }));
    }
    const pages: string[][] = [];
    for await (const page of client.encryption.keys.list().byPage({ pageSize: 3 }))
      pages.push(page.items.map((k) => k.id));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().sort()).toEqual(created.map((k) => k.id).sort());
    const aes: string[] = [];
    for await (const k of client.encryption.keys.list({ algorithm: 'AES-256-GCM', pageSize: 2 })) aes.push(k.algorithm);
    expect(aes).toEqual(['AES-256-GCM', 'AES-256-GCM', 'AES-256-GCM']);
  });

  test('exports public keys as AKP JWKs with RFC 7638 thumbprint kids', async () => {
    const client = memoryClient();
    const dsa = await client.encryption.keys.create({ algorithm: 'ML-DSA-65' });
    const jwk = await client.encryption.keys.exportPublicKey(dsa.id);
    expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65' });
    expect(jwk.kid).toBe(akpThumbprint({ alg: 'ML-DSA-65', pub: jwk.pub as string }));
    expect(Object.keys(jwk)).not.toContain('priv');
    const kem = await client.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    expect(await client.encryption.keys.exportPublicKey(kem.id)).toMatchObject({ kty: 'AKP', alg: 'ML-KEM-768' });
    const aes = await client.encryption.keys.create({ algorithm: 'AES-256-GCM' });
    expect(await codeOf(client.encryption.keys.exportPublicKey(aes.id))).toBe('KEY_USAGE');
    await client.encryption.keys.rotate(dsa.id);
    const v1 = await client.encryption.keys.exportPublicKey(dsa.id, { version: 1 });
    expect(v1.kid).toBe(jwk.kid);
    expect((await client.encryption.keys.exportPublicKey(dsa.id)).kid).not.toBe(jwk.kid);
  });

  test('unknown ids and bad options are typed errors', async () => {
    const client = memoryClient();
    expect(await codeOf(client.encryption.keys.get('00000000-0000-4000-8000-000000000000'))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(client.encryption.keys.create({ algorithm: 'RSA-2048' as never }))).toBe('INVALID_INPUT');
    expect(await codeOf(client.encryption.sign('x', { context: 'c'.repeat(256) }))).toBe('INVALID_INPUT');
    expect(await codeOf(client.encryption.encrypt(42 as never))).toBe('INVALID_INPUT');
    expect(KeyStateError.name).toBe('KeyStateError');
  });
});

describe('batch, data keys, wrap', () => {
  test('batch encrypt/decrypt gives per-item results', async () => {
    const client = memoryClient();
    const enc = await client.encryption.encryptBatch([
      { plaintext: 'one' },
      { plaintext: new Uint8Array([2]) },
      { plaintext: 'three', aad: 'a' },
      { plaintext: 'x', keyId: '00000000-0000-4000-8000-000000000000' },
    ]);
    expect(enc.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(enc[3]).toMatchObject({ ok: false, error: { code: 'KEY_NOT_FOUND' } });
    const payloads = enc.flatMap((r) => (r.ok ? [r.value.payload] : []));
    const dec = await client.encryption.decryptBatch([
      { payload: payloads[0] as string },
      { payload: payloads[1] as string },
      { payload: payloads[2] as string, aad: 'a' },
      { payload: payloads[2] as string, aad: 'b' },
      { payload: 'garbage' },
    ]);
    expect(dec.map((r) => (r.ok ? r.value.plaintext : r.error.code))).toEqual([
      'one',
      new Uint8Array([2]),
      'three',
      'DECRYPTION_FAILED',
      'INVALID_CIPHERTEXT',
    ]);
  });

  test('generateDataKey returns a fresh key and its wrapped form; wrap/unwrap round-trip', async () => {
    const client = memoryClient();
    const a = await client.encryption.generateDataKey();
    const b = await client.encryption.generateDataKey({ length: 16 });
    expect(a.plaintextKey).toHaveLength(32);
    expect(b.plaintextKey).toHaveLength(16);
    expect(a.plaintextKey).not.toEqual(b.plaintextKey);
    expect(await client.encryption.unwrapKey(a.wrappedKey)).toEqual(a.plaintextKey);
    const raw = crypto.getRandomValues(new Uint8Array(48));
    const w = await client.encryption.wrapKey(raw);
    expect(await client.encryption.unwrapKey(w.wrappedKey)).toEqual(raw);
  });

  test('strings decrypt to strings, bytes to bytes', async () => {
    const client = memoryClient();
    const s = await client.encryption.encrypt('héllo ✓');
    const b = await client.encryption.encrypt(new TextEncoder().encode('héllo ✓'));
    expect(await client.encryption.decrypt(s.payload)).toMatchObject({ encoding: 'utf8', plaintext: 'héllo ✓' });
    expect(await client.encryption.decrypt(b.payload)).toMatchObject({ encoding: 'base64' });
    expect(await codeOf(client.encryption.decryptString(b.payload))).toBe('INVALID_INPUT');
    expect(new TextDecoder().decode(await client.encryption.decryptBytes(s.payload))).toBe('héllo ✓');
    const empty = await client.encryption.encrypt('');
    expect(await client.encryption.decryptString(empty.payload)).toBe('');
  });
});
