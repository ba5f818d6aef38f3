/**
 * The vault on the embedded engine. One record per secret (collection `secrets`, id = UUIDv7 so the
 * store's id order is creation order) holding metadata and every version, each version's value
 * sealed under the tenant data key with purpose `secret:<id>:v<n>`: the store never sees a value,
 * and a sealed value moved onto another secret or version fails to open.
 *
 * Versions live inline so that "append a version" is one compare-and-set on one record: concurrent
 * updates conflict and retry instead of losing a version. A second collection, `secret-names`, maps
 * each name to its secret id and makes names unique per tenant (insert-if-absent).
 */
import { z } from 'zod';
import type { Page, PayloadEncoding } from '../backend/types.js';
import { fromBase64Url, fromUtf8, toBase64Url, toHex, utf8 } from '../crypto/bytes.js';
import { ConflictError, InvalidInputError, QuantumApiError, StoreCorruptError } from '../errors.js';
import type { LocalContext } from '../local/context.js';
import type { StoredRecord } from '../local/stores/types.js';
import type {
  CreateSecretInput,
  ListSecretsInput,
  SecretInfo,
  SecretState,
  SecretValueOutput,
  SecretVersionInfo,
  UpdateSecretInput,
  VaultBackend,
} from './backend.js';
import { SecretNotFoundError, SecretStateError } from './errors.js';
import {
  contentTypeSchema,
  descriptionSchema,
  labelsSchema,
  MAX_SECRET_BYTES,
  pageSizeSchema,
  parseInput,
  secretNameSchema,
  UUID_RE,
  versionSchema,
} from './validation.js';

const SECRETS = 'secrets';
const NAMES = 'secret-names';
const DEFAULT_PAGE_SIZE = 50;
const SCAN_BATCH = 200;
/** Compare-and-set retries before a write gives up with CONFLICT. */
const MAX_CAS_ATTEMPTS = 16;

const storedVersionSchema = z.object({
  version: z.number().int().positive(),
  createdAt: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  sealed: z.string(),
});

const storedSecretSchema = z.object({
  v: z.literal(1),
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  contentType: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  state: z.enum(['Active', 'Deleted']),
  currentVersion: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
  versions: z.array(storedVersionSchema).min(1),
});
type StoredSecret = z.infer<typeof storedSecretSchema>;

const nameIndexSchema = z.object({ secretId: z.string() });
type NameIndex = z.infer<typeof nameIndexSchema>;

const tokenSchema = z.object({ v: z.literal(1), after: z.string().regex(UUID_RE) });

const isConflict = (e: unknown): boolean => e instanceof QuantumApiError && e.code === 'CONFLICT';

export const sealPurpose = (id: string, version: number): string => `secret:${id}:v${version}`;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms, a 12-bit sequence (method 1, monotonic within this process),
 * then random bits, so the store's id order is creation order.
 */
const uuidV7Generator = (ctx: LocalContext): (() => string) => {
  let lastMs = -1;
  let seq = 0;
  return () => {
    let ms = ctx.now().getTime();
    if (ms <= lastMs) {
      ms = lastMs;
      seq++;
      if (seq > 0xfff) {
        ms++;
        seq = 0;
      }
    } else {
      seq = 0;
    }
    lastMs = ms;
    const b = ctx.providers.random.randomBytes(16);
    for (let i = 5; i >= 0; i--) {
      b[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    b[6] = 0x70 | (seq >> 8);
    b[7] = seq & 0xff;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const h = toHex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
};

// Hex keeps names safe as record ids in every store (file names, SQL keys); 96-char names stay under 200.
const nameKey = (name: string): string => toHex(utf8(name));

const toInfo = (s: StoredSecret): SecretInfo => ({
  id: s.id,
  name: s.name,
  description: s.description,
  contentType: s.contentType,
  labels: { ...s.labels },
  state: s.state,
  currentVersion: s.currentVersion,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  ...(s.deletedAt !== undefined ? { deletedAt: s.deletedAt } : {}),
});

const checkValue = (value: Uint8Array, encoding: PayloadEncoding): void => {
  if (!(value instanceof Uint8Array)) throw new InvalidInputError('secret value must be bytes');
  if (value.length > MAX_SECRET_BYTES) throw new InvalidInputError(`secret value exceeds ${MAX_SECRET_BYTES} bytes`);
  if (encoding !== 'utf8' && encoding !== 'base64') throw new InvalidInputError('encoding must be utf8 or base64');
  // A utf8 secret must round-trip to a string; checked here so a bad value fails on write, not read.
  if (encoding === 'utf8') fromUtf8(value);
};

export const encodeContinuationToken = (after: string): string => toBase64Url(utf8(JSON.stringify({ v: 1, after })));

const decodeContinuationToken = (token: string): string => {
  try {
    return tokenSchema.parse(JSON.parse(fromUtf8(fromBase64Url(token)))).after;
  } catch (cause) {
    throw new InvalidInputError('invalid continuation token', { cause });
  }
};

export const createLocalVault = (ctx: LocalContext): VaultBackend => {
  const { store, tenant, keyring } = ctx;
  const nowIso = (): string => ctx.now().toISOString();
  const newId = uuidV7Generator(ctx);

  const parseSecret = (rec: StoredRecord<unknown>): StoredSecret => {
    const r = storedSecretSchema.safeParse(rec.data);
    if (!r.success || r.data.id !== rec.id) {
      throw new StoreCorruptError('stored secret record is malformed', { details: { id: rec.id } });
    }
    return r.data;
  };

  const loadById = async (id: string): Promise<{ secret: StoredSecret; revision: number } | undefined> => {
    const rec = await store.get<unknown>(tenant, SECRETS, id);
    return rec ? { secret: parseSecret(rec), revision: rec.revision } : undefined;
  };

  const loadNameIndex = async (name: string): Promise<{ index: NameIndex; revision: number } | undefined> => {
    const rec = await store.get<unknown>(tenant, NAMES, nameKey(name));
    if (!rec) return undefined;
    const r = nameIndexSchema.safeParse(rec.data);
    if (!r.success) throw new StoreCorruptError('stored secret name index is malformed');
    return { index: r.data, revision: rec.revision };
  };

  const load = async (ref: string): Promise<{ secret: StoredSecret; revision: number }> => {
    if (typeof ref !== 'string' || ref.length === 0) throw new InvalidInputError('secret reference is required');
    let found: { secret: StoredSecret; revision: number } | undefined;
    if (UUID_RE.test(ref)) {
      found = await loadById(ref.toLowerCase());
    } else {
      const idx = await loadNameIndex(ref);
      if (idx) {
        found = await loadById(idx.index.secretId);
        // A dangling index entry (crash between writes) or a stale one: treat as absent.
        if (found && found.secret.name !== ref) found = undefined;
      }
    }
    if (!found) throw new SecretNotFoundError('secret not found', { details: { ref } });
    return found;
  };

  /** Read-modify-write with compare-and-set; `change` may throw to abort. */
  const mutate = async (ref: string, change: (s: StoredSecret) => StoredSecret): Promise<StoredSecret> => {
    for (let attempt = 1; ; attempt++) {
      const { secret, revision } = await load(ref);
      const next = change(secret);
      try {
        await store.put(tenant, SECRETS, secret.id, next, revision);
        return next;
      } catch (e) {
        if (!isConflict(e) || attempt >= MAX_CAS_ATTEMPTS) throw e;
      }
    }
  };

  const claimName = async (name: string, id: string): Promise<void> => {
    const existing = await loadNameIndex(name);
    const entry: NameIndex = { secretId: id };
    if (existing) {
      const owner = await loadById(existing.index.secretId);
      if (owner && owner.secret.name === name) {
        throw new ConflictError('a secret with this name already exists', {
          details: { name, state: owner.secret.state },
        });
      }
      await store.put(tenant, NAMES, nameKey(name), entry, existing.revision);
      return;
    }
    try {
      await store.put(tenant, NAMES, nameKey(name), entry, 0);
    } catch (e) {
      if (isConflict(e)) throw new ConflictError('a secret with this name already exists', { details: { name } });
      throw e;
    }
  };

  const matches = (s: StoredSecret, input: ListSecretsInput): boolean => {
    const state = input.state ?? 'Active';
    if (state !== 'all' && s.state !== state) return false;
    for (const [k, v] of Object.entries(input.labels ?? {})) if (s.labels[k] !== v) return false;
    return true;
  };

  return {
    async createSecret(input: CreateSecretInput): Promise<SecretInfo> {
      const name = parseInput(secretNameSchema, input.name, 'secret name');
      const labels = parseInput(labelsSchema, input.labels ?? {}, 'labels');
      const description =
        input.description === undefined ? undefined : parseInput(descriptionSchema, input.description, 'description');
      const contentType =
        input.contentType === undefined ? undefined : parseInput(contentTypeSchema, input.contentType, 'content type');
      checkValue(input.value, input.encoding);

      const id = newId();
      const at = nowIso();
      const secret: StoredSecret = {
        v: 1,
        id,
        name,
        ...(description !== undefined ? { description } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
        labels,
        state: 'Active',
        currentVersion: 1,
        createdAt: at,
        updatedAt: at,
        versions: [
          {
            version: 1,
            createdAt: at,
            encoding: input.encoding,
            sealed: keyring.seal(sealPurpose(id, 1), input.value),
          },
        ],
      };
      await claimName(name, id);
      try {
        await store.put(tenant, SECRETS, id, secret, 0);
      } catch (e) {
        await store.delete(tenant, NAMES, nameKey(name)).catch(() => false);
        throw e;
      }
      return toInfo(secret);
    },

    async getSecret(ref) {
      return toInfo((await load(ref)).secret);
    },

    async getSecretValue(ref, version) {
      if (version !== undefined) parseInput(versionSchema, version, 'version');
      const { secret } = await load(ref);
      if (secret.state !== 'Active') {
        throw new SecretStateError('secret is deleted; restore it to read its value', {
          details: { id: secret.id, name: secret.name },
        });
      }
      const wanted = version ?? secret.currentVersion;
      const v = secret.versions.find((x) => x.version === wanted);
      if (!v)
        throw new SecretNotFoundError('secret version not found', { details: { id: secret.id, version: wanted } });
      const value = keyring.open(sealPurpose(secret.id, v.version), v.sealed);
      const out: SecretValueOutput = { info: toInfo(secret), version: v.version, value, encoding: v.encoding };
      return out;
    },

    async listSecrets(input: ListSecretsInput = {}): Promise<Page<SecretInfo>> {
      const pageSize =
        input.pageSize === undefined ? DEFAULT_PAGE_SIZE : parseInput(pageSizeSchema, input.pageSize, 'page size');
      if (input.labels !== undefined) parseInput(labelsSchema, input.labels, 'labels');
      let cursor = input.continuationToken === undefined ? undefined : decodeContinuationToken(input.continuationToken);
      const items: SecretInfo[] = [];
      for (;;) {
        const batch = await store.list<unknown>(tenant, SECRETS, {
          ...(cursor !== undefined ? { after: cursor } : {}),
          limit: SCAN_BATCH,
        });
        for (const rec of batch) {
          // Full page and more records follow: hand back a token (the next page may turn out empty).
          if (items.length === pageSize) return { items, continuationToken: encodeContinuationToken(cursor as string) };
          const s = parseSecret(rec);
          cursor = rec.id;
          if (matches(s, input)) items.push(toInfo(s));
        }
        if (batch.length < SCAN_BATCH) return { items, continuationToken: undefined };
      }
    },

    async updateSecret(ref, input: UpdateSecretInput) {
      const labels = input.labels === undefined ? undefined : parseInput(labelsSchema, input.labels, 'labels');
      if (typeof input.description === 'string') parseInput(descriptionSchema, input.description, 'description');
      if (typeof input.contentType === 'string') parseInput(contentTypeSchema, input.contentType, 'content type');
      if (input.value) checkValue(input.value.bytes, input.value.encoding);
      const next = await mutate(ref, (s) => {
        if (s.state !== 'Active') {
          throw new SecretStateError('secret is deleted; restore it before updating', { details: { id: s.id } });
        }
        const at = nowIso();
        const out: StoredSecret = { ...s, updatedAt: at };
        if (labels !== undefined) out.labels = labels;
        if (input.description === null) delete out.description;
        else if (input.description !== undefined) out.description = input.description;
        if (input.contentType === null) delete out.contentType;
        else if (input.contentType !== undefined) out.contentType = input.contentType;
        if (input.value) {
          const version = s.currentVersion + 1;
          out.currentVersion = version;
          out.versions = [
            ...s.versions,
            {
              version,
              createdAt: at,
              encoding: input.value.encoding,
              sealed: keyring.seal(sealPurpose(s.id, version), input.value.bytes),
            },
          ];
        }
        return out;
      });
      return toInfo(next);
    },

    async listSecretVersions(ref): Promise<SecretVersionInfo[]> {
      const { secret } = await load(ref);
      return secret.versions.map((v) => ({ version: v.version, createdAt: v.createdAt }));
    },

    async deleteSecret(ref) {
      const next = await mutate(ref, (s) => {
        if (s.state === 'Deleted') throw new SecretStateError('secret is already deleted', { details: { id: s.id } });
        const at = nowIso();
        return { ...s, state: 'Deleted' as SecretState, deletedAt: at, updatedAt: at };
      });
      return toInfo(next);
    },

    async restoreSecret(ref) {
      const next = await mutate(ref, (s) => {
        if (s.state !== 'Deleted') throw new SecretStateError('secret is not deleted', { details: { id: s.id } });
        const { deletedAt: _dropped, ...rest } = s;
        return { ...rest, state: 'Active' as SecretState, updatedAt: nowIso() };
      });
      return toInfo(next);
    },

    async purgeSecret(ref) {
      const { secret, revision } = await load(ref);
      if (secret.state !== 'Deleted') {
        throw new SecretStateError('only a soft-deleted secret can be purged', { details: { id: secret.id } });
      }
      const removed = await store.delete(tenant, SECRETS, secret.id, revision);
      if (!removed) throw new SecretNotFoundError('secret not found', { details: { ref } });
      const idx = await loadNameIndex(secret.name);
      if (idx && idx.index.secretId === secret.id) {
        await store.delete(tenant, NAMES, nameKey(secret.name), idx.revision).catch((e: unknown) => {
          if (!isConflict(e)) throw e;
        });
      }
    },
  };
};
