/**
 * `client.vault`: validation, string/bytes ergonomics, paging iterators, redacted values and the
 * start-up `resolve`. No crypto here: the backend seals and opens values.
 */
import { z } from 'zod';
import type { PayloadEncoding } from '../backend/types.js';
import { type PagedAsyncIterable, paged } from '../client/paging.js';
import { utf8 } from '../crypto/bytes.js';
import { QuantumApiError } from '../errors.js';
import type { SecretInfo, SecretState, SecretVersionInfo, VaultBackend } from './backend.js';
import { SecretsUnresolvedError } from './errors.js';
import { SecretValue } from './secret-value.js';
import {
  contentTypeSchema,
  descriptionSchema,
  labelsSchema,
  MAX_SECRET_BYTES,
  pageSizeSchema,
  parseInput,
  secretNameSchema,
  secretRefSchema,
  versionSchema,
} from './validation.js';

export type SecretInput = string | Uint8Array;

export interface CreateSecretOptions {
  readonly name: string;
  readonly value: SecretInput;
  readonly description?: string;
  readonly contentType?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface UpdateSecretOptions {
  /** A new value creates a new version. */
  readonly value?: SecretInput;
  readonly description?: string | null;
  readonly contentType?: string | null;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ListSecretsOptions {
  /** Only secrets carrying every one of these labels. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly pageSize?: number;
  /** `Active` (default), `Deleted`, or `all`. */
  readonly state?: SecretState | 'all';
}

/** A secret with its (redacted) value: safe to log or serialize as a whole. */
export interface Secret extends SecretInfo {
  readonly version: number;
  readonly value: SecretValue;
}

/**
 * Items when iterated directly; whole pages (with their continuation tokens) through `byPage()`,
 * which can resume from a token: `byPage({ continuationToken })`.
 */
export type SecretList = PagedAsyncIterable<SecretInfo>;

export interface ResolveOptions {
  /**
   * Re-read cached entries older than this. Without it, a value resolved once is kept for the life
   * of this namespace (the process, for a long-lived client).
   */
  readonly ttlMs?: number;
}

export interface VaultNamespaceOptions {
  /** Clock for resolve-cache ages (tests). */
  readonly now?: () => number;
}

const secretInputSchema = z.union([
  z.string().refine((s) => utf8(s).length <= MAX_SECRET_BYTES, `value exceeds ${MAX_SECRET_BYTES} bytes`),
  z.instanceof(Uint8Array).refine((b) => b.length <= MAX_SECRET_BYTES, `value exceeds ${MAX_SECRET_BYTES} bytes`),
]);

const createSchema = z.object({
  name: secretNameSchema,
  value: secretInputSchema,
  description: descriptionSchema.optional(),
  contentType: contentTypeSchema.optional(),
  labels: labelsSchema.optional(),
});

const updateSchema = z
  .object({
    value: secretInputSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    contentType: contentTypeSchema.nullable().optional(),
    labels: labelsSchema.optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), 'nothing to update');

const listSchema = z.object({
  labels: labelsSchema.optional(),
  pageSize: pageSizeSchema.optional(),
  state: z.enum(['Active', 'Deleted', 'all']).optional(),
});

const getSchema = z.object({ version: versionSchema.optional() });
const resolveMapSchema = z
  .record(z.string().min(1).max(256), secretRefSchema)
  .refine((m) => Object.keys(m).length > 0, 'at least one entry');
const resolveOptionsSchema = z.object({ ttlMs: z.number().int().positive().optional() });

const encode = (value: SecretInput): { bytes: Uint8Array; encoding: PayloadEncoding } =>
  typeof value === 'string' ? { bytes: utf8(value), encoding: 'utf8' } : { bytes: value.slice(), encoding: 'base64' };

interface CacheEntry {
  readonly value: Promise<SecretValue>;
  readonly fetchedAt: number;
}

export class VaultNamespace {
  readonly #backend: VaultBackend;
  readonly #now: () => number;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(backend: VaultBackend, options: VaultNamespaceOptions = {}) {
    this.#backend = backend;
    this.#now = options.now ?? Date.now;
  }

  async create(options: CreateSecretOptions): Promise<SecretInfo> {
    const o = parseInput(createSchema, options, 'create options');
    const { bytes, encoding } = encode(o.value);
    return this.#backend.createSecret({
      name: o.name,
      value: bytes,
      encoding,
      ...(o.description !== undefined ? { description: o.description } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
      ...(o.labels !== undefined ? { labels: o.labels } : {}),
    });
  }

  /** The secret (by id or name) with its value: the current version unless `version` is given. */
  async get(ref: string, options: { readonly version?: number } = {}): Promise<Secret> {
    const r = parseInput(secretRefSchema, ref, 'secret reference');
    const o = parseInput(getSchema, options, 'get options');
    const out = await this.#backend.getSecretValue(r, o.version);
    return { ...out.info, version: out.version, value: new SecretValue(out.value, out.encoding) };
  }

  /** Metadata only (also for soft-deleted secrets). */
  async describe(ref: string): Promise<SecretInfo> {
    return this.#backend.getSecret(parseInput(secretRefSchema, ref, 'secret reference'));
  }

  list(options: ListSecretsOptions = {}): SecretList {
    const o = parseInput(listSchema, options, 'list options');
    return paged(
      (token, pageSize) =>
        this.#backend.listSecrets({
          ...(o.labels !== undefined ? { labels: o.labels } : {}),
          ...(o.state !== undefined ? { state: o.state } : {}),
          ...(pageSize !== undefined ? { pageSize: parseInput(pageSizeSchema, pageSize, 'page size') } : {}),
          ...(token !== undefined ? { continuationToken: token } : {}),
        }),
      o.pageSize,
    );
  }

  async update(ref: string, options: UpdateSecretOptions): Promise<SecretInfo> {
    const r = parseInput(secretRefSchema, ref, 'secret reference');
    const o = parseInput(updateSchema, options, 'update options');
    return this.#backend.updateSecret(r, {
      ...(o.value !== undefined ? { value: encode(o.value) } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
      ...(o.labels !== undefined ? { labels: o.labels } : {}),
    });
  }

  async versions(ref: string): Promise<SecretVersionInfo[]> {
    return this.#backend.listSecretVersions(parseInput(secretRefSchema, ref, 'secret reference'));
  }

  async delete(ref: string): Promise<SecretInfo> {
    return this.#backend.deleteSecret(parseInput(secretRefSchema, ref, 'secret reference'));
  }

  async restore(ref: string): Promise<SecretInfo> {
    return this.#backend.restoreSecret(parseInput(secretRefSchema, ref, 'secret reference'));
  }

  async purge(ref: string): Promise<void> {
    const r = parseInput(secretRefSchema, ref, 'secret reference');
    await this.#backend.purgeSecret(r);
    this.#cache.delete(r);
  }

  /**
   * Resolve many secrets at start-up, in parallel: `{ DATABASE_URL: 'db-url', ... }` →
   * `{ DATABASE_URL: SecretValue, ... }`. If anything fails, ONE SecretsUnresolvedError names every
   * entry that failed (variable names and refs, never values). Results are cached by ref.
   */
  async resolve<K extends string>(
    refs: Readonly<Record<K, string>>,
    options: ResolveOptions = {},
  ): Promise<Record<K, SecretValue>> {
    const map = parseInput(resolveMapSchema, refs, 'resolve map') as Record<K, string>;
    const { ttlMs } = parseInput(resolveOptionsSchema, options, 'resolve options');
    const names = Object.keys(map) as K[];
    const settled = await Promise.allSettled(names.map((n) => this.#cached(map[n], ttlMs)));
    const missing: { name: string; ref: string; code: string }[] = [];
    const out = {} as Record<K, SecretValue>;
    settled.forEach((r, i) => {
      const name = names[i] as K;
      if (r.status === 'fulfilled') out[name] = r.value;
      else
        missing.push({ name, ref: map[name], code: r.reason instanceof QuantumApiError ? r.reason.code : 'UNKNOWN' });
    });
    if (missing.length > 0) {
      const first = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      throw new SecretsUnresolvedError(missing, { cause: first.reason });
    }
    return out;
  }

  /** Forget resolved values (all, or one ref) so the next resolve reads the backend again. */
  clearResolveCache(ref?: string): void {
    if (ref === undefined) this.#cache.clear();
    else this.#cache.delete(ref);
  }

  #cached(ref: string, ttlMs: number | undefined): Promise<SecretValue> {
    const now = this.#now();
    const hit = this.#cache.get(ref);
    if (hit && (ttlMs === undefined || now - hit.fetchedAt < ttlMs)) return hit.value;
    const value = this.#backend.getSecretValue(ref).then((o) => new SecretValue(o.value, o.encoding));
    const entry: CacheEntry = { value, fetchedAt: now };
    this.#cache.set(ref, entry);
    // Failures are not cached: the next resolve tries again.
    value.catch(() => {
      if (this.#cache.get(ref) === entry) this.#cache.delete(ref);
    });
    return value;
  }
}
