/**
 * Response schemas of the http backend. QuantumAPI answers partly in PascalCase (`KeyId`,
 * `Payload`): every object schema here matches its known property names case-insensitively and
 * renames them to camelCase before validating. Only known names are renamed, so user data such as
 * key labels keeps its exact keys.
 */
import { z } from 'zod';
import { REVOCATION_REASONS } from '../certificates/x509/crl.js';
import { KEY_ALGORITHMS } from '../crypto/algorithms.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object schema whose property names are matched case-insensitively. */
export const ciObject = <S extends z.ZodRawShape>(shape: S) => {
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  return z.preprocess((v) => {
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      const name = byLower.get(k.toLowerCase()) ?? k;
      // An exact-case match wins over a differently-cased duplicate.
      if (!(name in out) || k === name) out[name] = val;
    }
    return out;
  }, z.object(shape));
};

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be standard Base64');
const algorithm = z.enum(KEY_ALGORITHMS);
const nullish = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? undefined);

export const keyVersionSchema = ciObject({
  version: z.number().int().positive(),
  state: z.enum(['Active', 'Deprecated']),
  createdAt: z.string(),
  publicKey: nullish(base64),
});

export const keyInfoSchema = ciObject({
  id: z.string().min(1),
  name: nullish(z.string()),
  algorithm,
  state: z.enum(['Active', 'Deprecated', 'PendingDeletion']),
  currentVersion: z.number().int().positive(),
  versions: z.array(keyVersionSchema),
  isDefault: z.boolean().default(false),
  labels: nullish(z.record(z.string(), z.string())).transform((v) => v ?? {}),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletionDate: nullish(z.string()),
});

export const keyPageSchema = ciObject({
  items: z.array(keyInfoSchema),
  continuationToken: nullish(z.string()),
});

export const encryptSchema = ciObject({
  payload: z.string().min(1),
  keyId: z.string().min(1),
  keyVersion: z.number().int().positive(),
});

export const decryptSchema = ciObject({
  plaintext: base64,
  encoding: z.enum(['utf8', 'base64']),
  keyId: z.string().min(1),
  keyVersion: z.number().int().positive(),
});

const batchError = ciObject({ code: z.string(), message: z.string() });
export const batchSchema = <T extends z.ZodType>(value: T) =>
  ciObject({
    results: z.array(
      z.union([ciObject({ ok: z.literal(true), value }), ciObject({ ok: z.literal(false), error: batchError })]),
    ),
  });

export const signSchema = ciObject({
  signature: base64,
  keyId: z.string().min(1),
  keyVersion: z.number().int().positive(),
  algorithm,
});

export const verifySchema = ciObject({
  valid: z.boolean(),
  keyId: z.string().min(1),
  keyVersion: nullish(z.number().int().positive()),
  algorithm,
});

export const dataKeySchema = ciObject({
  plaintextKey: base64,
  wrappedKey: z.string().min(1),
  keyId: z.string().min(1),
  keyVersion: z.number().int().positive(),
});

export const wrapSchema = ciObject({
  wrappedKey: z.string().min(1),
  keyId: z.string().min(1),
  keyVersion: z.number().int().positive(),
});

export const unwrapSchema = ciObject({ key: base64 });

export const jwkSchema = z.looseObject({
  kty: z.string(),
  alg: z.string(),
  kid: z.string(),
  pub: z.string().optional(),
});

/** The error body: `{ code, message, requestId, details? }`, flat or under `error`. */
export const errorBodySchema = ciObject({
  code: nullish(z.string()),
  error: z.unknown().optional(),
  message: nullish(z.string()),
  title: nullish(z.string()),
  requestId: nullish(z.string()),
  details: nullish(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
});

// ---------- vault ----------

const labels = nullish(z.record(z.string(), z.string())).transform((v) => v ?? {});

export const secretInfoSchema = ciObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: nullish(z.string()),
  contentType: nullish(z.string()),
  labels,
  state: z.enum(['Active', 'Deleted']),
  currentVersion: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: nullish(z.string()),
});

export const secretPageSchema = ciObject({
  items: z.array(secretInfoSchema),
  continuationToken: nullish(z.string()),
});

export const secretValueSchema = ciObject({
  info: secretInfoSchema,
  version: z.number().int().positive(),
  value: base64,
  encoding: z.enum(['utf8', 'base64']),
});

export const secretVersionsSchema = ciObject({
  items: z.array(ciObject({ version: z.number().int().positive(), createdAt: z.string() })),
});

export const purgeSchema = ciObject({ purged: z.literal(true) });

// ---------- identity ----------

export const issuerSchema = ciObject({ issuer: z.string().min(1) });

export const issuedTokenSchema = ciObject({
  token: z.string().min(1),
  algorithm: z.enum(['ML-DSA-65', 'ES256']),
  kid: z.string().min(1),
  issuedAt: z.string(),
  expiresAt: z.string(),
});

/** JWK members are case-sensitive (RFC 7517): a JWKS is validated as is, and private members refused. */
export const jwksSchema = z.object({
  keys: z.array(
    z
      .looseObject({ kty: z.string(), alg: z.string(), kid: z.string(), use: z.string().optional() })
      .refine((k) => !('priv' in k) && !('d' in k), 'a published JWK must not hold private members'),
  ),
});

// ---------- certificates ----------

const pem = z.string().regex(/^-----BEGIN [A-Z0-9 ]+-----/, 'must be PEM');
const mlDsa = z.enum(['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']);

const issuedShape = {
  certificate: pem,
  chain: z.array(pem),
  serialNumber: z.string().regex(/^[0-9a-fA-F]+$/),
  subject: z.string(),
  dnsNames: nullish(z.array(z.string())).transform((v) => v ?? []),
  uris: nullish(z.array(z.string())).transform((v) => v ?? []),
  notBefore: z.string(),
  notAfter: z.string(),
};

export const issuedCertificateSchema = ciObject(issuedShape);

const revocationReason = z.enum(REVOCATION_REASONS);

export const certificateRecordSchema = ciObject({
  ...issuedShape,
  issuedAt: z.string(),
  revokedAt: nullish(z.string()),
  revocationReason: nullish(revocationReason),
});

export const certificatePageSchema = ciObject({
  items: z.array(certificateRecordSchema),
  continuationToken: nullish(z.string()),
});

export const revocationSchema = ciObject({
  serialNumber: z.string().min(1),
  revokedAt: z.string(),
  reason: revocationReason,
});

export const crlInfoSchema = ciObject({
  crl: pem,
  crlNumber: z.number().int().nonnegative(),
  thisUpdate: z.string(),
  nextUpdate: z.string(),
  issuerCrls: nullish(z.array(pem)).transform((v) => v ?? []),
});

export const caInfoSchema = ciObject({
  certificate: pem,
  root: pem,
  chain: z.array(pem).min(1),
  algorithm: mlDsa,
  rootAlgorithm: mlDsa,
});
