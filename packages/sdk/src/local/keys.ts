/**
 * Key lifecycle in the local engine: records, versions, states, defaults, and the in-memory cache
 * of expanded key material. Seeds are the only key material that reaches the store, sealed under
 * the tenant data key and bound to `key:<id>:v<version>`.
 */
import {
  isKemAlgorithm,
  isSignatureAlgorithm,
  type KeyAlgorithm,
  KEY_ALGORITHMS,
  type KemAlgorithm,
  SEED_LENGTH,
  type SignatureAlgorithm,
} from '../crypto/algorithms.js';
import { fromBase64, toBase64 } from '../crypto/bytes.js';
import type { KeyPair } from '../crypto/providers.js';
import { createSignatureSuites, type SignatureSuite } from '../crypto/sig/suites.js';
import type {
  CreateKeyInput,
  KeyInfo,
  KeyState,
  KeyVersionInfo,
  KeyVersionState,
  ListKeysInput,
  Page,
} from '../backend/types.js';
import { ConflictError, InvalidInputError, KeyNotFoundError, KeyStateError, KeyUsageError } from '../errors.js';
import type { LocalContext } from './context.js';

const KEYS = 'keys';
const SETTINGS = '_settings';
const DEFAULTS_ID = 'default-keys';
const MAX_CONFLICT_RETRIES = 16;

interface KeyVersionRecord {
  readonly version: number;
  readonly state: KeyVersionState;
  readonly createdAt: string;
  readonly sealedSeed: string;
  readonly publicKey?: string;
}

export interface KeyRecord {
  readonly v: 1;
  readonly id: string;
  readonly name?: string;
  readonly algorithm: KeyAlgorithm;
  readonly state: KeyState;
  readonly stateBeforeDeletion?: 'Active' | 'Deprecated';
  readonly currentVersion: number;
  readonly versions: readonly KeyVersionRecord[];
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletionDate?: string;
}

interface DefaultsRecord {
  encryption?: string;
  signing?: string;
}

export type KeyPurpose = 'encryption' | 'signing';
export const purposeOf = (alg: KeyAlgorithm): KeyPurpose => (isSignatureAlgorithm(alg) ? 'signing' : 'encryption');

/** Expanded key material for one version, kept in memory only. */
export type KeyMaterial =
  | { readonly kind: 'kem'; readonly algorithm: KemAlgorithm; readonly keyPair: KeyPair }
  | {
      readonly kind: 'signature';
      readonly algorithm: SignatureAlgorithm;
      readonly suite: SignatureSuite;
      readonly keyPair: KeyPair;
    }
  | { readonly kind: 'aes'; readonly algorithm: 'AES-256-GCM'; readonly secretKey: Uint8Array };

export interface ResolvedKeyVersion {
  readonly record: KeyRecord;
  readonly version: KeyVersionRecord;
}

const MATERIAL_CACHE_LIMIT = 1024;
const MIN_GRACE_DAYS = 1;
const MAX_GRACE_DAYS = 365;
const DEFAULT_GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

export class LocalKeyService {
  readonly #ctx: LocalContext;
  readonly #material = new Map<string, KeyMaterial>();
  readonly #suites: ReturnType<typeof createSignatureSuites>;

  constructor(ctx: LocalContext) {
    this.#ctx = ctx;
    // ML-DSA runs on the context's provider (native node:crypto where available).
    this.#suites = createSignatureSuites(ctx.providers.signature);
  }

  // ---------- material ----------

  #expand(algorithm: KeyAlgorithm, seed: Uint8Array): KeyMaterial {
    const p = this.#ctx.providers;
    if (isKemAlgorithm(algorithm)) return { kind: 'kem', algorithm, keyPair: p.kem.keyPairFromSeed(algorithm, seed) };
    if (isSignatureAlgorithm(algorithm)) {
      const suite = this.#suites[algorithm];
      return { kind: 'signature', algorithm, suite, keyPair: suite.keyPairFromSeed(seed) };
    }
    return { kind: 'aes', algorithm, secretKey: seed };
  }

  #publicKeyOf(m: KeyMaterial): Uint8Array | undefined {
    return m.kind === 'aes' ? undefined : m.keyPair.publicKey;
  }

  material(r: ResolvedKeyVersion): KeyMaterial {
    const cacheKey = `${r.record.id}:${r.version.version}`;
    const hit = this.#material.get(cacheKey);
    if (hit) return hit;
    const seed = this.#ctx.keyring.open(`key:${r.record.id}:v${r.version.version}`, r.version.sealedSeed);
    const m = this.#expand(r.record.algorithm, seed);
    if (this.#material.size >= MATERIAL_CACHE_LIMIT) {
      const oldest = this.#material.keys().next().value;
      if (oldest !== undefined) this.#material.delete(oldest);
    }
    this.#material.set(cacheKey, m);
    return m;
  }

  #newVersion(id: string, algorithm: KeyAlgorithm, version: number, createdAt: string): KeyVersionRecord {
    const seed = this.#ctx.providers.random.randomBytes(SEED_LENGTH[algorithm]);
    const m = this.#expand(algorithm, seed);
    this.#material.set(`${id}:${version}`, m);
    const pub = this.#publicKeyOf(m);
    return {
      version,
      state: 'Active',
      createdAt,
      sealedSeed: this.#ctx.keyring.seal(`key:${id}:v${version}`, seed),
      ...(pub ? { publicKey: toBase64(pub) } : {}),
    };
  }

  // ---------- records ----------

  #now(): Date {
    return this.#ctx.now();
  }

  async #load(id: string): Promise<{ record: KeyRecord; revision: number }> {
    const { store, tenant } = this.#ctx;
    const r = typeof id === 'string' && id.length <= 64 ? await store.get<KeyRecord>(tenant, KEYS, id) : undefined;
    if (!r) throw new KeyNotFoundError(`key ${id} not found`, { details: { keyId: id } });
    if (this.#isExpired(r.data)) {
      await this.#purge(r.data.id, r.revision);
      throw new KeyNotFoundError(`key ${id} not found`, { details: { keyId: id } });
    }
    return { record: r.data, revision: r.revision };
  }

  #isExpired(k: KeyRecord): boolean {
    return (
      k.state === 'PendingDeletion' &&
      k.deletionDate !== undefined &&
      Date.parse(k.deletionDate) <= this.#now().getTime()
    );
  }

  async #purge(id: string, revision: number): Promise<void> {
    const { store, tenant } = this.#ctx;
    await store.delete(tenant, KEYS, id, revision).catch((e) => {
      if (!(e instanceof ConflictError)) throw e;
    });
    for (const k of [...this.#material.keys()]) if (k.startsWith(`${id}:`)) this.#material.delete(k);
    const d = await store.get<DefaultsRecord>(tenant, SETTINGS, DEFAULTS_ID);
    if (d && (d.data.encryption === id || d.data.signing === id)) {
      const next: DefaultsRecord = { ...d.data };
      if (next.encryption === id) delete next.encryption;
      if (next.signing === id) delete next.signing;
      await store.put(tenant, SETTINGS, DEFAULTS_ID, next, d.revision).catch(() => undefined);
    }
  }

  /** Read-modify-write with compare-and-set; retried on conflict so concurrent rotations never lose a version. */
  async #update(id: string, change: (k: KeyRecord) => KeyRecord): Promise<KeyRecord> {
    for (let attempt = 0; ; attempt++) {
      const { record, revision } = await this.#load(id);
      const next = change(record);
      try {
        await this.#ctx.store.put(this.#ctx.tenant, KEYS, id, next, revision);
        return next;
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw e;
      }
    }
  }

  async #defaults(): Promise<{ data: DefaultsRecord; revision: number }> {
    const r = await this.#ctx.store.get<DefaultsRecord>(this.#ctx.tenant, SETTINGS, DEFAULTS_ID);
    return r ? { data: r.data, revision: r.revision } : { data: {}, revision: 0 };
  }

  async #setDefault(purpose: KeyPurpose, id: string, onlyIfUnset: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const { data, revision } = await this.#defaults();
      if (onlyIfUnset && data[purpose]) return;
      try {
        await this.#ctx.store.put(this.#ctx.tenant, SETTINGS, DEFAULTS_ID, { ...data, [purpose]: id }, revision);
        return;
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw e;
      }
    }
  }

  async info(k: KeyRecord): Promise<KeyInfo> {
    const { data } = await this.#defaults();
    return toInfo(k, data[purposeOf(k.algorithm)] === k.id);
  }

  // ---------- lifecycle ----------

  async create(input: CreateKeyInput): Promise<KeyRecord> {
    if (!(KEY_ALGORITHMS as readonly string[]).includes(input.algorithm)) {
      throw new InvalidInputError(`unsupported key algorithm "${String(input.algorithm)}"`);
    }
    const id = crypto.randomUUID();
    const now = this.#now().toISOString();
    const record: KeyRecord = {
      v: 1,
      id,
      ...(input.name !== undefined ? { name: input.name } : {}),
      algorithm: input.algorithm,
      state: 'Active',
      currentVersion: 1,
      versions: [this.#newVersion(id, input.algorithm, 1, now)],
      labels: { ...(input.labels ?? {}) },
      createdAt: now,
      updatedAt: now,
    };
    await this.#ctx.store.put(this.#ctx.tenant, KEYS, id, record, 0);
    await this.#setDefault(purposeOf(input.algorithm), id, input.setAsDefault !== true);
    return record;
  }

  async get(id: string): Promise<KeyRecord> {
    return (await this.#load(id)).record;
  }

  async list(input: ListKeysInput = {}): Promise<Page<KeyRecord>> {
    const pageSize = input.pageSize ?? 50;
    const items: KeyRecord[] = [];
    let after = input.continuationToken;
    for (;;) {
      const batch = await this.#ctx.store.list<KeyRecord>(this.#ctx.tenant, KEYS, {
        ...(after !== undefined ? { after } : {}),
        limit: pageSize,
      });
      for (const r of batch) {
        after = r.id;
        if (this.#isExpired(r.data)) {
          await this.#purge(r.id, r.revision);
          continue;
        }
        if (input.algorithm && r.data.algorithm !== input.algorithm) continue;
        if (input.state && r.data.state !== input.state) continue;
        items.push(r.data);
        if (items.length === pageSize) {
          const more = await this.#ctx.store.list(this.#ctx.tenant, KEYS, { after: r.id, limit: 1 });
          return { items, continuationToken: more.length > 0 ? r.id : undefined };
        }
      }
      if (batch.length < pageSize) return { items, continuationToken: undefined };
    }
  }

  async rotate(id: string): Promise<KeyRecord> {
    return this.#update(id, (k) => {
      assertState(k, ['Active'], 'rotate');
      const now = this.#now().toISOString();
      const version = k.currentVersion + 1;
      return {
        ...k,
        currentVersion: version,
        versions: [
          ...k.versions.map((v) => ({ ...v, state: 'Deprecated' as const })),
          this.#newVersion(k.id, k.algorithm, version, now),
        ],
        updatedAt: now,
      };
    });
  }

  async deprecate(id: string): Promise<KeyRecord> {
    return this.#update(id, (k) => {
      assertState(k, ['Active', 'Deprecated'], 'deprecate');
      return { ...k, state: 'Deprecated', updatedAt: this.#now().toISOString() };
    });
  }

  async reactivate(id: string): Promise<KeyRecord> {
    return this.#update(id, (k) => {
      assertState(k, ['Active', 'Deprecated'], 'reactivate');
      return { ...k, state: 'Active', updatedAt: this.#now().toISOString() };
    });
  }

  async scheduleDeletion(id: string, gracePeriodDays = DEFAULT_GRACE_DAYS): Promise<KeyRecord> {
    if (!Number.isInteger(gracePeriodDays) || gracePeriodDays < MIN_GRACE_DAYS || gracePeriodDays > MAX_GRACE_DAYS) {
      throw new InvalidInputError(`gracePeriodDays must be an integer from ${MIN_GRACE_DAYS} to ${MAX_GRACE_DAYS}`);
    }
    return this.#update(id, (k) => {
      assertState(k, ['Active', 'Deprecated'], 'schedule deletion of');
      const now = this.#now();
      return {
        ...k,
        state: 'PendingDeletion',
        stateBeforeDeletion: k.state as 'Active' | 'Deprecated',
        deletionDate: new Date(now.getTime() + gracePeriodDays * DAY_MS).toISOString(),
        updatedAt: now.toISOString(),
      };
    });
  }

  async cancelDeletion(id: string): Promise<KeyRecord> {
    return this.#update(id, (k) => {
      assertState(k, ['PendingDeletion'], 'cancel deletion of');
      const { deletionDate: _d, stateBeforeDeletion, ...rest } = k;
      return { ...rest, state: stateBeforeDeletion ?? 'Deprecated', updatedAt: this.#now().toISOString() };
    });
  }

  async setDefault(id: string): Promise<KeyRecord> {
    const k = await this.get(id);
    assertState(k, ['Active'], 'make default');
    await this.#setDefault(purposeOf(k.algorithm), id, false);
    return k;
  }

  /**
   * The key and version an operation uses. Encrypt/sign (`use`) need an Active key and use its
   * current version; decrypt/verify (`read`) accept Deprecated keys and versions. PendingDeletion
   * refuses everything. Without an id, the tenant default for the purpose is used, created on first
   * use so that the embedded engine needs no setup.
   */
  async resolve(
    keyId: string | undefined,
    purpose: KeyPurpose,
    access: 'use' | 'read',
    version?: number,
  ): Promise<ResolvedKeyVersion> {
    let record: KeyRecord;
    if (keyId === undefined) {
      const id = (await this.#defaults()).data[purpose];
      record = id
        ? await this.get(id)
        : await this.create({
            algorithm: purpose === 'encryption' ? 'ML-KEM-768' : 'ML-DSA-65',
            name: `default-${purpose}`,
          });
    } else {
      record = await this.get(keyId);
    }
    if (purposeOf(record.algorithm) !== purpose) {
      throw new KeyUsageError(`key ${record.id} (${record.algorithm}) cannot be used for ${purpose}`, {
        details: { keyId: record.id, algorithm: record.algorithm },
      });
    }
    assertState(
      record,
      access === 'use' ? ['Active'] : ['Active', 'Deprecated'],
      access === 'use' ? purposeVerb(purpose) : 'read with',
    );
    const v = record.versions.find((x) => x.version === (version ?? record.currentVersion));
    if (!v) {
      throw new KeyNotFoundError(`key ${record.id} has no version ${version}`, {
        details: { keyId: record.id, keyVersion: version },
      });
    }
    if (access === 'use' && v.state !== 'Active') {
      throw new KeyStateError(`key ${record.id} version ${v.version} is Deprecated: decrypt/verify only`, {
        details: { keyId: record.id, keyVersion: v.version, state: v.state },
      });
    }
    return { record, version: v };
  }
}

const purposeVerb = (p: KeyPurpose): string => (p === 'encryption' ? 'encrypt with' : 'sign with');

const assertState = (k: KeyRecord, allowed: readonly KeyState[], verb: string): void => {
  if (!allowed.includes(k.state)) {
    throw new KeyStateError(`cannot ${verb} key ${k.id}: it is ${k.state}`, {
      details: { keyId: k.id, state: k.state },
    });
  }
};

export const toInfo = (k: KeyRecord, isDefault: boolean): KeyInfo => ({
  id: k.id,
  name: k.name,
  algorithm: k.algorithm,
  state: k.state,
  currentVersion: k.currentVersion,
  versions: k.versions.map(
    (v): KeyVersionInfo => ({
      version: v.version,
      state: k.state === 'Active' ? v.state : 'Deprecated',
      createdAt: v.createdAt,
      ...(v.publicKey ? { publicKey: v.publicKey } : {}),
    }),
  ),
  isDefault,
  labels: { ...k.labels },
  createdAt: k.createdAt,
  updatedAt: k.updatedAt,
  ...(k.deletionDate ? { deletionDate: k.deletionDate } : {}),
});

export const publicKeyBytes = (v: KeyVersionRecord): Uint8Array | undefined =>
  v.publicKey ? fromBase64(v.publicKey) : undefined;
