/**
 * The encryption namespace, specified once and run against every backend (backends.ts). A feature
 * is done when this passes on all of them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/crypto/bytes.js';
import { BACKENDS, stopSharedServer } from './backends.js';
import { clientPerTest, errorOf } from './helpers.js';

afterAll(stopSharedServer);

const codeOf = async (p: Promise<unknown>): Promise<string> => (await errorOf(p)).code;

describe.each(BACKENDS)('encryption namespace on %s', (_name, make) => {
  const ctx = clientPerTest(make);

  describe('keys', () => {
    it('creates, gets and lists keys with their versions, labels and default flag', async () => {
      const k = await ctx.qapi.encryption.keys.create({ name: 'orders', labels: { Team: 'Payments' } });
      expect(k).toMatchObject({
        name: 'orders',
        algorithm: 'ML-KEM-768',
        state: 'Active',
        currentVersion: 1,
        isDefault: true,
      });
      expect(k.labels).toEqual({ Team: 'Payments' });
      expect(k.versions).toHaveLength(1);
      expect(fromBase64(k.versions[0]?.publicKey as string)).toHaveLength(1184);
      const signing = await ctx.qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
      const second = await ctx.qapi.encryption.keys.create({ name: 'second' });
      expect(second.isDefault).toBe(false);
      expect(await ctx.qapi.encryption.keys.get(k.id)).toEqual(k);

      const all = [];
      for await (const key of ctx.qapi.encryption.keys.list({ pageSize: 2 })) all.push(key.id);
      expect(all.sort()).toEqual([k.id, signing.id, second.id].sort());
      const pages = [];
      for await (const page of ctx.qapi.encryption.keys.list({ pageSize: 2 }).byPage()) pages.push(page.items.length);
      expect(pages).toEqual([2, 1]);
      const onlySigning = [];
      for await (const key of ctx.qapi.encryption.keys.list({ algorithm: 'ML-DSA-65' })) onlySigning.push(key.id);
      expect(onlySigning).toEqual([signing.id]);
    });

    it('rotates: new payloads use the new version, old payloads still decrypt', async () => {
      const k = await ctx.qapi.encryption.keys.create();
      const old = await ctx.qapi.encryption.encrypt('before', { keyId: k.id });
      const rotated = await ctx.qapi.encryption.keys.rotate(k.id);
      expect(rotated.currentVersion).toBe(2);
      expect(rotated.versions.map((v) => v.state)).toEqual(['Deprecated', 'Active']);
      const fresh = await ctx.qapi.encryption.encrypt('after', { keyId: k.id });
      expect(fresh.keyVersion).toBe(2);
      expect(await ctx.qapi.encryption.decryptString(old.payload)).toBe('before');
      expect((await ctx.qapi.encryption.decrypt(old.payload)).keyVersion).toBe(1);
    });

    it('a deprecated key decrypts and verifies but neither encrypts nor signs, until reactivated', async () => {
      const k = await ctx.qapi.encryption.keys.create();
      const s = await ctx.qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
      const p = await ctx.qapi.encryption.encrypt('kept', { keyId: k.id });
      const sig = await ctx.qapi.encryption.sign('doc', { keyId: s.id });
      expect((await ctx.qapi.encryption.keys.deprecate(k.id)).state).toBe('Deprecated');
      await ctx.qapi.encryption.keys.deprecate(s.id);
      expect(await codeOf(ctx.qapi.encryption.encrypt('no', { keyId: k.id }))).toBe('KEY_STATE');
      expect(await codeOf(ctx.qapi.encryption.sign('no', { keyId: s.id }))).toBe('KEY_STATE');
      expect(await ctx.qapi.encryption.decryptString(p.payload)).toBe('kept');
      await expect(
        ctx.qapi.encryption.verify({ data: 'doc', signature: sig.signature, keyId: s.id }),
      ).resolves.toMatchObject({
        keyId: s.id,
      });
      expect((await ctx.qapi.encryption.keys.reactivate(k.id)).state).toBe('Active');
      expect((await ctx.qapi.encryption.encrypt('yes', { keyId: k.id })).keyId).toBe(k.id);
    });

    it('a key pending deletion refuses everything until the deletion is cancelled', async () => {
      const k = await ctx.qapi.encryption.keys.create();
      const p = await ctx.qapi.encryption.encrypt('x', { keyId: k.id });
      const pending = await ctx.qapi.encryption.keys.scheduleDeletion(k.id, { gracePeriodDays: 7 });
      expect(pending.state).toBe('PendingDeletion');
      expect(Date.parse(pending.deletionDate as string)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      expect(await codeOf(ctx.qapi.encryption.encrypt('x', { keyId: k.id }))).toBe('KEY_STATE');
      expect(await codeOf(ctx.qapi.encryption.decrypt(p.payload))).toBe('KEY_STATE');
      expect(await codeOf(ctx.qapi.encryption.keys.rotate(k.id))).toBe('KEY_STATE');
      expect(await codeOf(ctx.qapi.encryption.keys.scheduleDeletion(k.id))).toBe('KEY_STATE');
      expect((await ctx.qapi.encryption.keys.cancelDeletion(k.id)).state).toBe('Active');
      expect(await ctx.qapi.encryption.decryptString(p.payload)).toBe('x');
    });

    it('switches the default key and exports public keys as JWKs', async () => {
      const a = await ctx.qapi.encryption.keys.create();
      const b = await ctx.qapi.encryption.keys.create();
      expect((await ctx.qapi.encryption.keys.setDefault(b.id)).id).toBe(b.id);
      expect((await ctx.qapi.encryption.keys.get(b.id)).isDefault).toBe(true);
      expect((await ctx.qapi.encryption.keys.get(a.id)).isDefault).toBe(false);
      expect((await ctx.qapi.encryption.encrypt('to default')).keyId).toBe(b.id);

      const s = await ctx.qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
      const jwk = await ctx.qapi.encryption.keys.exportPublicKey(s.id);
      expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65' });
      expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await ctx.qapi.encryption.keys.rotate(s.id);
      const v1 = await ctx.qapi.encryption.keys.exportPublicKey(s.id, { version: 1 });
      expect(v1).toEqual(jwk);
      expect((await ctx.qapi.encryption.keys.exportPublicKey(s.id)).kid).not.toBe(jwk.kid);
    });
  });

  describe('encrypt / decrypt', () => {
    it('round-trips strings as strings and bytes as bytes, with the default key created on first use', async () => {
      const text = 'héllo wörld — ✓ 🔐';
      const e = await ctx.qapi.encryption.encrypt(text);
      expect(e.keyVersion).toBe(1);
      const d = await ctx.qapi.encryption.decrypt(e.payload);
      expect(d).toEqual({ encoding: 'utf8', plaintext: text, keyId: e.keyId, keyVersion: 1 });
      const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
      const eb = await ctx.qapi.encryption.encrypt(bytes);
      expect(eb.keyId).toBe(e.keyId);
      const db = await ctx.qapi.encryption.decrypt(eb.payload);
      expect(db.encoding).toBe('base64');
      expect(db.plaintext).toEqual(bytes);
      expect(await codeOf(ctx.qapi.encryption.decryptString(eb.payload))).toBe('INVALID_INPUT');
      expect((await ctx.qapi.encryption.decryptBytes(e.payload)).length).toBeGreaterThan(0);
      expect((await ctx.qapi.encryption.decrypt((await ctx.qapi.encryption.encrypt('')).payload)).plaintext).toBe('');
    });

    it('binds AAD: the same AAD decrypts, any other refuses', async () => {
      const e = await ctx.qapi.encryption.encrypt('bound', { aad: 'order:42' });
      expect(await ctx.qapi.encryption.decryptString(e.payload, { aad: 'order:42' })).toBe('bound');
      expect(await codeOf(ctx.qapi.encryption.decrypt(e.payload, { aad: 'order:43' }))).toBe('DECRYPTION_FAILED');
      expect(await codeOf(ctx.qapi.encryption.decrypt(e.payload))).toBe('DECRYPTION_FAILED');
      const raw = await ctx.qapi.encryption.encrypt(new Uint8Array([1, 2, 3]), { aad: new Uint8Array([9]) });
      expect((await ctx.qapi.encryption.decrypt(raw.payload, { aad: new Uint8Array([9]) })).plaintext).toEqual(
        new Uint8Array([1, 2, 3]),
      );
    });

    it('refuses tampered and malformed payloads with typed errors', async () => {
      const e = await ctx.qapi.encryption.encrypt('tamper me');
      const json = JSON.parse(new TextDecoder().decode(fromBase64(e.payload))) as Record<string, string>;
      const c = fromBase64(json['c'] as string);
      c[0] = (c[0] as number) ^ 1;
      const tampered = toBase64(new TextEncoder().encode(JSON.stringify({ ...json, c: toBase64(c) })));
      expect(await codeOf(ctx.qapi.encryption.decrypt(tampered))).toBe('DECRYPTION_FAILED');
      expect(await codeOf(ctx.qapi.encryption.decrypt('not-a-payload'))).toBe('INVALID_CIPHERTEXT');
      const otherKey = toBase64(
        new TextEncoder().encode(JSON.stringify({ ...json, k: '00000000-0000-4000-8000-000000000000' })),
      );
      expect(await codeOf(ctx.qapi.encryption.decrypt(otherKey))).toBe('KEY_NOT_FOUND');
    });

    it('refuses unknown keys and keys of the wrong purpose', async () => {
      expect(await codeOf(ctx.qapi.encryption.encrypt('x', { keyId: 'no-such-key' }))).toBe('KEY_NOT_FOUND');
      expect(await codeOf(ctx.qapi.encryption.keys.get('no-such-key'))).toBe('KEY_NOT_FOUND');
      const s = await ctx.qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
      expect(await codeOf(ctx.qapi.encryption.encrypt('x', { keyId: s.id }))).toBe('KEY_USAGE');
      const k = await ctx.qapi.encryption.keys.create();
      expect(await codeOf(ctx.qapi.encryption.sign('x', { keyId: k.id }))).toBe('KEY_USAGE');
    });

    it('encrypts and decrypts batches item by item, in order, in one call', async () => {
      const k = await ctx.qapi.encryption.keys.create();
      const enc = await ctx.qapi.encryption.encryptBatch([
        { plaintext: 'a' },
        { plaintext: new Uint8Array([1]), aad: 'ctx' },
        { plaintext: 'c', keyId: 'missing-key' },
        { plaintext: 'd', keyId: k.id },
      ]);
      expect(enc.map((r) => r.ok)).toEqual([true, true, false, true]);
      expect(enc[2]).toMatchObject({ ok: false, error: { code: 'KEY_NOT_FOUND' } });
      const ok = enc.filter((r) => r.ok).map((r) => (r.ok ? r.value.payload : ''));
      const dec = await ctx.qapi.encryption.decryptBatch([
        { payload: ok[0] as string },
        { payload: ok[1] as string, aad: 'ctx' },
        { payload: ok[1] as string },
        { payload: ok[2] as string },
      ]);
      expect(dec.map((r) => r.ok)).toEqual([true, true, false, true]);
      expect(dec[0]).toMatchObject({ ok: true, value: { plaintext: 'a', encoding: 'utf8' } });
      expect(dec[1]).toMatchObject({ ok: true, value: { plaintext: new Uint8Array([1]), encoding: 'base64' } });
      expect(dec[2]).toMatchObject({ ok: false, error: { code: 'DECRYPTION_FAILED' } });
      expect(dec[3]).toMatchObject({ ok: true, value: { plaintext: 'd', keyId: k.id } });
    });
  });

  describe('sign / verify', () => {
    it('verifies its own signatures, across a rotation, and refuses forgeries', async () => {
      const s = await ctx.qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
      const sig = await ctx.qapi.encryption.sign('contract', { keyId: s.id, context: 'v1' });
      expect(sig).toMatchObject({ keyId: s.id, keyVersion: 1, algorithm: 'ML-DSA-65' });
      expect(fromBase64(sig.signature)).toHaveLength(3309);
      await expect(
        ctx.qapi.encryption.verify({ data: 'contract', signature: sig.signature, keyId: s.id, context: 'v1' }),
      ).resolves.toEqual({ keyId: s.id, keyVersion: 1, algorithm: 'ML-DSA-65' });
      await ctx.qapi.encryption.keys.rotate(s.id);
      const sig2 = await ctx.qapi.encryption.sign('contract', { keyId: s.id, context: 'v1' });
      expect(sig2.keyVersion).toBe(2);
      // Both versions verify after the rotation; without a version the signer's version is found.
      expect(
        (await ctx.qapi.encryption.verify({ data: 'contract', signature: sig.signature, keyId: s.id, context: 'v1' }))
          .keyVersion,
      ).toBe(1);
      expect(
        (await ctx.qapi.encryption.verify({ data: 'contract', signature: sig2.signature, keyId: s.id, context: 'v1' }))
          .keyVersion,
      ).toBe(2);
      expect(
        await codeOf(
          ctx.qapi.encryption.verify({
            data: 'contract',
            signature: sig.signature,
            keyId: s.id,
            keyVersion: 2,
            context: 'v1',
          }),
        ),
      ).toBe('SIGNATURE_INVALID');
      expect(
        await codeOf(
          ctx.qapi.encryption.verify({ data: 'contracT', signature: sig.signature, keyId: s.id, context: 'v1' }),
        ),
      ).toBe('SIGNATURE_INVALID');
      expect(
        await codeOf(ctx.qapi.encryption.verify({ data: 'contract', signature: sig.signature, keyId: s.id })),
      ).toBe('SIGNATURE_INVALID');
    });

    it('signs with the default signing key when none is named', async () => {
      const sig = await ctx.qapi.encryption.sign(new Uint8Array([1, 2, 3]));
      expect((await ctx.qapi.encryption.keys.get(sig.keyId)).algorithm).toBe('ML-DSA-65');
      await expect(
        ctx.qapi.encryption.verify({ data: new Uint8Array([1, 2, 3]), signature: sig.signature, keyId: sig.keyId }),
      ).resolves.toBeDefined();
    });
  });

  describe('data keys and key wrapping', () => {
    it('generates data keys whose wrapped form unwraps to the same bytes', async () => {
      const dk = await ctx.qapi.encryption.generateDataKey();
      expect(dk.plaintextKey).toHaveLength(32);
      expect(await ctx.qapi.encryption.unwrapKey(dk.wrappedKey)).toEqual(dk.plaintextKey);
      expect((await ctx.qapi.encryption.generateDataKey({ length: 16 })).plaintextKey).toHaveLength(16);
      expect(await codeOf(ctx.qapi.encryption.generateDataKey({ length: 8 }))).toBe('INVALID_INPUT');
    });

    it('wraps and unwraps keys, and keeps wrapped keys and payloads apart', async () => {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i);
      const w = await ctx.qapi.encryption.wrapKey(key);
      expect(await ctx.qapi.encryption.unwrapKey(w.wrappedKey)).toEqual(key);
      // A wrapped key is not a message and a message is not a wrapped key.
      expect(await codeOf(ctx.qapi.encryption.decrypt(w.wrappedKey))).toBe('DECRYPTION_FAILED');
      const p = await ctx.qapi.encryption.encrypt(key);
      expect(await codeOf(ctx.qapi.encryption.unwrapKey(p.payload))).toBe('DECRYPTION_FAILED');
      await ctx.qapi.encryption.keys.rotate(w.keyId);
      expect(await ctx.qapi.encryption.unwrapKey(w.wrappedKey)).toEqual(key);
    });
  });
});
