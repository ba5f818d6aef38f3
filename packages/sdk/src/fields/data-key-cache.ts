/**
 * Data keys in memory under an explicit policy. Encryption uses one current key until it reaches
 * `maxAgeMs` or `maxUses`; decryption keeps unwrapped keys by id (LRU, `maxEntries`, `maxAgeMs`).
 * Concurrent misses share one backend call (single flight), so the backend sees one
 * generateDataKey per rotation and one unwrapKey per data key, never one per field.
 */
import type { DataKey, EncryptionBackend } from '../backend/types.js';
import { InvalidInputError, KeyNotFoundError } from '../errors.js';
import { checkRecord, type DataKeyDirectory, type DataKeyRecord, dataKeyIdOf } from './data-key-directory.js';

export interface DataKeyCachePolicy {
  /** A data key stops encrypting, and its unwrapped copy is dropped, after this long. */
  readonly maxAgeMs: number;
  /** Encryptions per data key before a new one is generated (random 96-bit nonces: keep far below 2^32). */
  readonly maxUses: number;
  /** Unwrapped keys kept for decryption. */
  readonly maxEntries: number;
}

export const DEFAULT_CACHE_POLICY: DataKeyCachePolicy = Object.freeze({
  maxAgeMs: 15 * 60_000,
  maxUses: 1_000_000,
  maxEntries: 1_000,
});

export type FieldKeyBackend = Pick<EncryptionBackend, 'generateDataKey' | 'unwrapKey'>;

export interface CachedKey {
  readonly id: string;
  readonly key: Uint8Array;
  readonly loadedAt: number;
  /** Set when the bytes were zeroed: holders (sealers) must stop using the key. */
  wiped?: boolean;
}

const wipe = (k: CachedKey): void => {
  k.key.fill(0);
  k.wiped = true;
};

interface CurrentKey extends CachedKey {
  uses: number;
}

export interface DataKeyCacheOptions {
  readonly backend: FieldKeyBackend;
  readonly directory: DataKeyDirectory;
  readonly tenant: string;
  readonly keyId: string | undefined;
  readonly policy: DataKeyCachePolicy;
  readonly now: () => number;
}

export interface DataKeyCacheStats {
  generated: number;
  unwrapped: number;
  hits: number;
}

export class DataKeyCache {
  readonly #o: DataKeyCacheOptions;
  #current: CurrentKey | undefined;
  #rotating: Promise<CurrentKey> | undefined;
  readonly #byId = new Map<string, CachedKey>();
  readonly #loading = new Map<string, Promise<CachedKey>>();
  readonly stats: DataKeyCacheStats = { generated: 0, unwrapped: 0, hits: 0 };

  constructor(options: DataKeyCacheOptions) {
    this.#o = options;
  }

  #fresh(k: CachedKey): boolean {
    return this.#o.now() - k.loadedAt < this.#o.policy.maxAgeMs;
  }

  /**
   * A key for `count` encryptions (at most maxUses). Uses are reserved synchronously once the key
   * is in hand, so concurrent callers never push a key past its budget.
   */
  async reserve(count: number): Promise<CachedKey> {
    if (!Number.isInteger(count) || count < 1 || count > this.#o.policy.maxUses) {
      throw new InvalidInputError('data key reservation must be between 1 and maxUses');
    }
    for (;;) {
      const cur = this.#current;
      if (cur && this.#fresh(cur) && cur.uses + count <= this.#o.policy.maxUses) {
        cur.uses += count;
        this.stats.hits++;
        return cur;
      }
      if (!this.#rotating) {
        const p = this.#generate();
        this.#rotating = p;
        p.then(
          () => {
            if (this.#rotating === p) this.#rotating = undefined;
          },
          () => {
            if (this.#rotating === p) this.#rotating = undefined;
          },
        );
      }
      await this.#rotating;
    }
  }

  async #generate(): Promise<CurrentKey> {
    const o = this.#o;
    const dk: DataKey = await o.backend.generateDataKey({ length: 32, ...(o.keyId ? { keyId: o.keyId } : {}) });
    this.stats.generated++;
    const id = dataKeyIdOf(dk.wrappedKey);
    const record: DataKeyRecord = {
      tenant: o.tenant,
      id,
      purpose: 'field',
      wrappedKey: dk.wrappedKey,
      keyId: dk.keyId,
      keyVersion: dk.keyVersion,
      createdAt: new Date(o.now()).toISOString(),
    };
    // Durable before first use: a ciphertext must never name a key the directory cannot return.
    await o.directory.put(record);
    const cur: CurrentKey = { id, key: dk.plaintextKey, loadedAt: o.now(), uses: 0 };
    const previous = this.#current;
    this.#current = cur;
    if (previous && this.#byId.get(previous.id) !== previous) wipe(previous);
    this.#remember(cur);
    return cur;
  }

  #remember(k: CachedKey): void {
    this.#byId.delete(k.id);
    this.#byId.set(k.id, k);
    while (this.#byId.size > this.#o.policy.maxEntries) {
      const oldest = this.#byId.keys().next().value as string;
      this.#evict(oldest);
    }
  }

  #evict(id: string): void {
    const k = this.#byId.get(id);
    this.#byId.delete(id);
    // The current encryption key keeps its bytes until rotation; everything else is wiped.
    if (k && k !== this.#current) wipe(k);
  }

  /** The unwrapped key for a data-key id; asks the directory and the backend once per id. */
  async forDecrypt(id: string): Promise<CachedKey> {
    const hit = this.#byId.get(id);
    if (hit && this.#fresh(hit)) {
      this.stats.hits++;
      return hit;
    }
    if (hit) this.#evict(id);
    let p = this.#loading.get(id);
    if (!p) {
      p = this.#load(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, p);
    }
    return p;
  }

  /** Synchronous probe for bulk paths that resolved their keys up front. */
  peek(id: string): CachedKey | undefined {
    return this.#byId.get(id);
  }

  async #load(id: string): Promise<CachedKey> {
    const o = this.#o;
    const record = await o.directory.get(o.tenant, id);
    if (!record) throw new KeyNotFoundError('unknown field data key id', { details: { dataKeyId: id } });
    checkRecord(record, o.tenant, id);
    const key = await o.backend.unwrapKey(record.wrappedKey);
    this.stats.unwrapped++;
    const k: CachedKey = { id, key, loadedAt: o.now() };
    this.#remember(k);
    return k;
  }

  /** Forget and wipe every key (engine shutdown). */
  clear(): void {
    for (const k of this.#byId.values()) wipe(k);
    if (this.#current) wipe(this.#current);
    this.#byId.clear();
    this.#current = undefined;
  }
}
