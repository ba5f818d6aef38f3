/** Request bodies (camelCase; bytes as standard Base64), validated before the engine sees them. */
import { KEY_ALGORITHMS, REVOCATION_REASONS } from '@quantumapi/sdk';
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

// ---------- vault ----------

const encoding = z.enum(['utf8', 'base64']);
const labels = z.record(z.string().min(1).max(64), z.string().max(256));
const pageSize = z.coerce.number().int().min(1).max(1000).optional();
const token = z.string().min(1).max(512).optional();

export const createSecretRequest = z.strictObject({
  name: z.string().min(1).max(128),
  value: base64,
  encoding: encoding.default('base64'),
  description: z.string().max(1024).optional(),
  contentType: z.string().min(1).max(255).optional(),
  labels: labels.optional(),
});

export const updateSecretRequest = z
  .strictObject({
    value: z.strictObject({ value: base64, encoding: encoding.default('base64') }).optional(),
    description: z.string().max(1024).nullable().optional(),
    contentType: z.string().min(1).max(255).nullable().optional(),
    labels: labels.optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), 'nothing to update');

/** `label.<key>=<value>` members filter by label; everything else is a named parameter. */
export const listSecretsQuery = z
  .record(z.string(), z.string())
  .transform((q, ctx) => {
    const out: { pageSize?: string; continuationToken?: string; state?: string; labels?: Record<string, string> } = {};
    for (const [k, v] of Object.entries(q)) {
      if (k.startsWith('label.') && k.length > 6) out.labels = { ...out.labels, [k.slice(6)]: v };
      else if (k === 'pageSize' || k === 'continuationToken' || k === 'state') out[k] = v;
      else ctx.addIssue({ code: 'custom', message: 'unknown query parameter', path: [k] });
    }
    return out;
  })
  .pipe(
    z.object({
      pageSize: z
        .string()
        .regex(/^[0-9]{1,4}$/)
        .transform(Number)
        .pipe(z.number().int().min(1).max(1000))
        .optional(),
      continuationToken: token,
      state: z.enum(['Active', 'Deleted', 'all']).optional(),
      labels: labels.optional(),
    }),
  );

// ---------- identity ----------

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
const audience = z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(16)]);

export const issueTokenRequest = z.strictObject({
  claims: z.record(z.string().min(1).max(128), jsonValue),
  expiresInSeconds: z.number().int().positive(),
  audience: audience.optional(),
  algorithm: z.enum(['ML-DSA-65', 'ES256']).optional(),
});

// ---------- certificates ----------

export const issueCertificateRequest = z.strictObject({
  csr: z
    .string()
    .min(1)
    .max(64 * 1024),
  ttlSeconds: z.number().int().positive().optional(),
  dnsNames: z.array(z.string().min(1).max(253)).max(100).optional(),
  uris: z.array(z.string().min(1).max(2048)).max(100).optional(),
});

export const listCertificatesQuery = z.object({ pageSize, continuationToken: token });

export const revokeRequest = z.strictObject({
  reason: z.enum(REVOCATION_REASONS).optional(),
});
