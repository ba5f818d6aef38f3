/**
 * The encryption routes (docs/http-api.md): JSON in, engine call, JSON out. Each route names the
 * scope it needs; bodies are validated with zod before the tenant's engine sees them.
 */
import type { BatchItemResult, DecryptOutput, EncryptionBackend, KeyInfo } from '@quantumapi/sdk';
import { fromBase64, toBase64 } from '@quantumapi/sdk/crypto';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Scope } from './api-keys.js';
import type { AppEnv } from './app.js';
import { id, router } from './routing.js';
import * as s from './schemas.js';
import type { TenantBackends } from './tenants.js';

const bytes = (v: string | undefined): Uint8Array | undefined => (v === undefined ? undefined : fromBase64(v));

const decryptOut = (r: DecryptOutput) => ({
  plaintext: toBase64(r.plaintext),
  encoding: r.encoding,
  keyId: r.keyId,
  keyVersion: r.keyVersion,
});

const encryptIn = (i: z.output<typeof s.encryptRequest>) => ({
  plaintext: fromBase64(i.plaintext),
  encoding: i.encoding,
  ...(i.keyId ? { keyId: i.keyId } : {}),
  ...(i.aad !== undefined ? { aad: fromBase64(i.aad) } : {}),
});

const decryptIn = (i: z.output<typeof s.decryptRequest>) => ({
  payload: i.payload,
  ...(i.aad !== undefined ? { aad: fromBase64(i.aad) } : {}),
});

export const registerEncryptionRoutes = (api: Hono<AppEnv>, tenants: TenantBackends): void => {
  const r = router(api, tenants);
  type H<S extends z.ZodType> = (enc: EncryptionBackend, input: z.output<S>, c: Context<AppEnv>) => Promise<unknown>;
  const post = <S extends z.ZodType>(path: string, scope: Scope, schema: S, h: H<S>) =>
    r.post(path, scope, schema, (b, i, c) => h(b.encryption, i, c));
  const get = <S extends z.ZodType>(path: string, scope: Scope, schema: S, h: H<S>) =>
    r.get(path, scope, schema, (b, i, c) => h(b.encryption, i, c));

  post('/encrypt', 'encryption:write', s.encryptRequest, (enc, i) => enc.encrypt(encryptIn(i)));
  post('/decrypt', 'encryption:read', s.decryptRequest, async (enc, i) => decryptOut(await enc.decrypt(decryptIn(i))));
  post('/encrypt/batch', 'encryption:write', s.batchRequest(s.encryptRequest), async (enc, i) => ({
    results: await enc.encryptBatch(i.items.map(encryptIn)),
  }));
  post('/decrypt/batch', 'encryption:read', s.batchRequest(s.decryptRequest), async (enc, i) => ({
    results: (await enc.decryptBatch(i.items.map(decryptIn))).map((r: BatchItemResult<DecryptOutput>) =>
      r.ok ? { ok: true, value: decryptOut(r.value) } : r,
    ),
  }));
  post('/sign', 'encryption:write', s.signRequest, async (enc, i) => {
    const r = await enc.sign({
      data: fromBase64(i.data),
      ...(i.keyId ? { keyId: i.keyId } : {}),
      ...(i.context !== undefined ? { context: fromBase64(i.context) } : {}),
    });
    return { ...r, signature: toBase64(r.signature) };
  });
  post('/verify', 'encryption:read', s.verifyRequest, (enc, i) =>
    enc.verify({
      data: fromBase64(i.data),
      signature: fromBase64(i.signature),
      keyId: i.keyId,
      ...(i.keyVersion !== undefined ? { keyVersion: i.keyVersion } : {}),
      ...(i.context !== undefined ? { context: bytes(i.context) } : {}),
    }),
  );
  post('/data-keys', 'encryption:write', s.dataKeyRequest, async (enc, i) => {
    const r = await enc.generateDataKey({
      ...(i.keyId ? { keyId: i.keyId } : {}),
      ...(i.length !== undefined ? { length: i.length } : {}),
    });
    return { ...r, plaintextKey: toBase64(r.plaintextKey) };
  });
  post('/keys/wrap', 'encryption:write', s.wrapRequest, (enc, i) =>
    enc.wrapKey({ key: fromBase64(i.key), ...(i.keyId ? { keyId: i.keyId } : {}) }),
  );
  post('/keys/unwrap', 'encryption:read', s.unwrapRequest, async (enc, i) => ({
    key: toBase64(await enc.unwrapKey(i.wrappedKey)),
  }));

  get('/keys', 'keys:read', s.listKeysQuery, (enc, i) => enc.listKeys(i));
  post('/keys', 'keys:write', s.createKeyRequest, (enc, i) => enc.createKey(i));
  get('/keys/:id', 'keys:read', s.versionQuery, (enc, _i, c) => enc.getKey(id(c)));
  get('/keys/:id/public', 'keys:read', s.versionQuery, (enc, i, c) => enc.exportPublicKey(id(c), i.version));
  const lifecycle: [string, (enc: EncryptionBackend, id: string) => Promise<KeyInfo>][] = [
    ['rotate', (enc, k) => enc.rotateKey(k)],
    ['deprecate', (enc, k) => enc.deprecateKey(k)],
    ['reactivate', (enc, k) => enc.reactivateKey(k)],
    ['cancel-deletion', (enc, k) => enc.cancelKeyDeletion(k)],
    ['default', (enc, k) => enc.setDefaultKey(k)],
  ];
  for (const [action, run] of lifecycle)
    post(`/keys/:id/${action}`, 'keys:write', s.emptyRequest, (enc, _i, c) => run(enc, id(c)));
  post('/keys/:id/schedule-deletion', 'keys:write', s.scheduleDeletionRequest, (enc, i, c) =>
    enc.scheduleKeyDeletion(id(c), i.gracePeriodDays === undefined ? {} : { gracePeriodDays: i.gracePeriodDays }),
  );
};
