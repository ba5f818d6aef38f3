/** Request bodies (camelCase; bytes as standard Base64), validated before the engine sees them. */
import { KEY_ALGORITHMS } from '@quantumapi/sdk';
import { z } from 'zod';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard Base64');
const keyId = z.string().min(1).max(64);
export const MAX_BATCH = 1000;

export const encryptRequest = z.strictObject({
  plaintext: base64,
  encoding: z.enum(['utf8', 'base64']).default('base64'),
  keyId: keyId.optional(),
  aad: base64.optional(),
});

export const decryptRequest = z.strictObject({
  payload: z
    .string()
    .min(1)
    .max(100 * 1024 * 1024),
  aad: base64.optional(),
});

export const batchRequest = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item).min(1).max(MAX_BATCH) });

export const signRequest = z.strictObject({
  data: base64,
  keyId: keyId.optional(),
  context: base64.optional(),
});

export const verifyRequest = z.strictObject({
  data: base64,
  signature: base64,
  keyId,
  keyVersion: z.number().int().positive().optional(),
  context: base64.optional(),
});

export const dataKeyRequest = z.strictObject({
  keyId: keyId.optional(),
  length: z.number().int().optional(),
});

export const wrapRequest = z.strictObject({ key: base64, keyId: keyId.optional() });
export const unwrapRequest = z.strictObject({ wrappedKey: z.string().min(1) });

export const createKeyRequest = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHMS),
  name: z.string().min(1).max(128).optional(),
  labels: z.record(z.string().min(1).max(64), z.string().max(256)).optional(),
  setAsDefault: z.boolean().optional(),
});

export const listKeysQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(100).optional(),
  continuationToken: z.string().min(1).max(128).optional(),
  algorithm: z.enum(KEY_ALGORITHMS).optional(),
  state: z.enum(['Active', 'Deprecated', 'PendingDeletion']).optional(),
});

export const scheduleDeletionRequest = z.strictObject({ gracePeriodDays: z.number().int().optional() });
export const emptyRequest = z.object({});
export const versionQuery = z.object({ version: z.coerce.number().int().positive().optional() });
