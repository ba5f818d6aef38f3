/**
 * The field engine: typed values in, compact field ciphertexts out, and blind indexes, all on
 * cached data keys. Every ORM adapter sits on this, so the bytes are identical across ORMs.
 *
 * Hot path: after one await for the key, each field is one AEAD call (and one MAC per index);
 * bulk calls take one key for the whole batch.
 */
import { defaultProviders } from '#runtime';
import { z } from 'zod';
import type { AeadProvider, BlockCipherProvider, MacProvider, RandomSource } from '../crypto/providers.js';
import {
  DecryptionFailedError,
  InvalidCiphertextError,
  InvalidInputError,
  InvalidOptionsError,
  KeyStateError,
} from '../errors.js';
import { BatchGcm, BatchOpenError } from '../crypto/batch-gcm.js';
import {
  type BlindIndexDefinition,
  computeIndex,
  type HmacSha3_256,
  type KeyedHmacSha3_256,
  previousIndexDefinitions,
  type ResolvedIndex,
  resolveIndex,
  validateIndexDefinition,
} from './blind-index.js';
import {
  type CachedKey,
  DataKeyCache,
  type DataKeyCachePolicy,
  type DataKeyCacheStats,
  DEFAULT_CACHE_POLICY,
  type FieldKeyBackend,
} from './data-key-cache.js';
import { type DataKeyDirectory, INDEX_ROOT_ID } from './data-key-directory.js';
import {
  decodeFieldBodyInto,
  FIELD_NONCE_LENGTH,
  FIELD_SUITE_AES256GCM,
  FIELD_TAG_LENGTH,
  FIELD_VERSION,
  type FieldLocation,
  fieldAad,
  fieldBodyLength,
  fieldHeader,
  looksLikeFieldCiphertext,
  type ParsedField,
  parseField,
  serializeField,
  serializeFieldBody,
} from './format.js';
import {
  decodeValue,
  decodeValueAs,
  decodeValueAt,
  encodeSimpleInto,
  encodeValue,
  type FieldValue,
  type FieldValueOf,
  type FieldValueType,
  simpleEncodedSize,
} from './value-codec.js';

/**
 * `accept-plaintext`: while a column is being migrated, values that are not field ciphertexts
 * (no `qf1.` prefix) are returned as they are. Anything that looks like a ciphertext still has to
 * decrypt. Named explicitly so that it is never on by accident.
 */
export type MigrationMode = 'accept-plaintext';

export interface FieldEngineOptions {
  /** Only generateDataKey and unwrapKey are used: any backend (local or http) fits. */
  readonly backend: FieldKeyBackend;
  readonly directory: DataKeyDirectory;
  /** Bound into blind-index keys and directory records. Default "default". */
  readonly tenant?: string;
  /** Backend key that wraps data keys; the backend's default encryption key when absent. */
  readonly keyId?: string;
  readonly cache?: Partial<DataKeyCachePolicy>;
  /**
   * Crypto seams; default: the runtime's set (node:crypto in Node, noble elsewhere). A set given
   * here is used as it is, so that no AES or MAC bypasses an injected provider: without
   * `blockCipher`, bulk calls run `aead` field by field; without `mac`, blind indexes use noble.
   */
  readonly providers?: {
    readonly aead: AeadProvider;
    readonly random: RandomSource;
    readonly blockCipher?: BlockCipherProvider;
    readonly mac?: MacProvider;
  };
  /**
   * An HMAC-SHA3-256 function; overrides the MAC provider. Kept for callers that predate the
   * `mac` provider seam (the runtime default is already native in Node).
   */
  readonly hmacSha3_256?: HmacSha3_256;
  readonly now?: () => number;
}

export interface FieldSealer {
  readonly remaining: number;
  encrypt(value: FieldValue, location: FieldLocation): string;
}

export interface DecryptOptions {
  readonly migration?: MigrationMode;
}

export interface EncryptItem {
  readonly value: FieldValue;
  readonly location: FieldLocation;
}

export interface DecryptItem<T extends FieldValueType = FieldValueType> {
  readonly ciphertext: string;
  readonly location: FieldLocation;
  readonly type: T;
}

const optionsSchema = z.object({
  backend: z.custom<FieldKeyBackend>(
    (b) =>
      typeof b === 'object' &&
      b !== null &&
      typeof (b as FieldKeyBackend).generateDataKey === 'function' &&
      typeof (b as FieldKeyBackend).unwrapKey === 'function',
    { message: 'backend must offer generateDataKey and unwrapKey' },
  ),
  directory: z.custom<DataKeyDirectory>(
    (d) =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as DataKeyDirectory).get === 'function' &&
      typeof (d as DataKeyDirectory).put === 'function',
    { message: 'directory must offer get and put' },
  ),
  tenant: z.string().min(1).max(200).optional(),
  keyId: z.string().min(1).optional(),
  cache: z
    .object({
      maxAgeMs: z.number().int().positive().optional(),
      // 2^32 random 96-bit nonces is the NIST SP 800-38D bound; stay well below it.
      maxUses: z
        .number()
        .int()
        .positive()
        .max(2 ** 31)
        .optional(),
      maxEntries: z.number().int().positive().optional(),
    })
    .optional(),
  providers: z
    .object({
      aead: z.custom<AeadProvider>(),
      random: z.custom<RandomSource>(),
      blockCipher: z.custom<BlockCipherProvider>().optional(),
      mac: z.custom<MacProvider>().optional(),
    })
    .optional(),
  hmacSha3_256: z.custom<HmacSha3_256>((f) => typeof f === 'function').optional(),
  now: z.custom<() => number>((f) => typeof f === 'function').optional(),
});

const MAX_GCM_CONTEXTS = 32;

/**
 * Every blind-index value an equality lookup must match, for one value (or one tuple of a compound
 * index): the current version's first, then one per previous version, without repeats.
 */
export type IndexLookup = (values: FieldValue | readonly FieldValue[]) => string[];

const asValues = (v: FieldValue | readonly FieldValue[]): readonly FieldValue[] =>
  Array.isArray(v) ? (v as readonly FieldValue[]) : [v as FieldValue];

// Hot path: a hand-written check rather than zod (it runs once per field).
const checkLocation = (loc: FieldLocation): void => {
  if (
    typeof loc !== 'object' ||
    loc === null ||
    typeof loc.table !== 'string' ||
    loc.table.length === 0 ||
    typeof loc.column !== 'string' ||
    loc.column.length === 0 ||
    (loc.rowKey !== undefined && typeof loc.rowKey !== 'string')
  ) {
    throw new InvalidInputError('field location needs table and column');
  }
};

export class FieldEngine {
  readonly tenant: string;
  readonly policy: DataKeyCachePolicy;
  readonly #keys: DataKeyCache;
  readonly #aead: AeadProvider;
  readonly #random: RandomSource;
  readonly #backend: FieldKeyBackend;
  readonly #directory: DataKeyDirectory;
  readonly #hmac: KeyedHmacSha3_256 | undefined;
  readonly #blockCipher: BlockCipherProvider | undefined;
  // Batched-GCM contexts (a 64 KiB GHASH table each) for the most recently used data keys:
  // bounded, so an engine reading under many old keys does not grow without limit.
  readonly #gcms = new Map<CachedKey, BatchGcm>();
  readonly #now: () => number;
  #root: Promise<Uint8Array> | undefined;
  #rootKey: Uint8Array | undefined;
  readonly #indexes = new Map<string, ResolvedIndex>();
  // Per definition object and list of previous versions: a lookup asked for on every query (the
  // migration API's indexLookupValues) must not derive its keys again each time.
  #lookups = new WeakMap<BlindIndexDefinition, Map<string, Promise<IndexLookup>>>();

  constructor(options: FieldEngineOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new InvalidOptionsError(
        `invalid field engine options: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    }
    this.tenant = options.tenant ?? 'default';
    this.policy = Object.freeze({ ...DEFAULT_CACHE_POLICY, ...(options.cache ?? {}) });
    this.#aead = options.providers?.aead ?? defaultProviders.aead;
    this.#random = options.providers?.random ?? defaultProviders.random;
    this.#backend = options.backend;
    this.#directory = options.directory;
    const legacyHmac = options.hmacSha3_256;
    const mac = options.providers ? options.providers.mac : defaultProviders.mac;
    this.#hmac = legacyHmac
      ? (key) => (message) => legacyHmac(key, message)
      : mac
        ? (key) => mac.hmacSha3_256(key)
        : undefined;
    this.#blockCipher = options.providers ? options.providers.blockCipher : defaultProviders.blockCipher;
    this.#now = options.now ?? Date.now;
    this.#keys = new DataKeyCache({
      backend: options.backend,
      directory: options.directory,
      tenant: this.tenant,
      keyId: options.keyId,
      policy: this.policy,
      now: this.#now,
    });
  }

  /** Backend traffic so far: one generate per rotation, one unwrap per foreign data key. */
  get stats(): Readonly<DataKeyCacheStats> {
    return { ...this.#keys.stats };
  }

  // Nonces come from one CSPRNG draw per 256 fields: a per-call draw costs more than the AES itself.
  #noncePool: Uint8Array = new Uint8Array(0);
  #nonceOffset = 0;
  #nonce(): Uint8Array {
    if (this.#nonceOffset + FIELD_NONCE_LENGTH > this.#noncePool.length) {
      this.#noncePool = this.#random.randomBytes(FIELD_NONCE_LENGTH * 256);
      this.#nonceOffset = 0;
    }
    const n = this.#noncePool.subarray(this.#nonceOffset, this.#nonceOffset + FIELD_NONCE_LENGTH);
    this.#nonceOffset += FIELD_NONCE_LENGTH;
    return n;
  }

  // AAD depends only on (data key, table, column) when there is no row key: built once, found by
  // table, column and key id without building a string key or touching the location object (bulk
  // calls pass 30 000 locations; per-object memos or concatenated keys were a large share of the
  // garbage they made).
  readonly #aads = new Map<string, Map<string, Map<string, Uint8Array>>>();
  #aadCount = 0;
  #aad(dataKeyId: string, loc: FieldLocation): Uint8Array {
    if (loc.rowKey !== undefined) return fieldAad(dataKeyId, loc);
    let byColumn = this.#aads.get(loc.table);
    let byKey = byColumn?.get(loc.column);
    const hit = byKey?.get(dataKeyId);
    if (hit) return hit;
    if (this.#aadCount >= 10_000) {
      this.#aads.clear();
      this.#aadCount = 0;
      byColumn = undefined;
      byKey = undefined;
    }
    if (!byColumn) {
      byColumn = new Map();
      this.#aads.set(loc.table, byColumn);
    }
    if (!byKey) {
      byKey = new Map();
      byColumn.set(loc.column, byKey);
    }
    const aad = fieldAad(dataKeyId, loc);
    byKey.set(dataKeyId, aad);
    this.#aadCount++;
    return aad;
  }

  #seal(key: CachedKey, value: FieldValue, loc: FieldLocation): string {
    const nonce = this.#nonce();
    const sealed = this.#aead.seal(key.key, nonce, encodeValue(value), this.#aad(key.id, loc));
    return serializeField(key.id, nonce, sealed);
  }

  async encrypt(value: FieldValue, location: FieldLocation): Promise<string> {
    checkLocation(location);
    encodeValue(value); // validate before spending a nonce budget
    const key = await this.#keys.reserve(1);
    return this.#seal(key, value, location);
  }

  /** Many fields with one key lookup per `maxUses` values. */
  async encryptMany(items: readonly EncryptItem[]): Promise<string[]> {
    for (const it of items) checkLocation(it.location);
    const out: string[] = new Array(items.length);
    for (let start = 0; start < items.length; start += this.policy.maxUses) {
      const end = Math.min(items.length, start + this.policy.maxUses);
      const key = await this.#keys.reserve(end - start);
      const gcm = this.#gcm(key);
      if (!gcm) {
        for (let i = start; i < end; i++) {
          const it = items[i]!;
          out[i] = this.#seal(key, it.value, it.location);
        }
        continue;
      }
      this.#sealBatch(gcm, key.id, items, start, end, out);
    }
    return out;
  }

  /**
   * Seals items [from, to) into `out` through one record buffer: values are encoded first (a bad
   * value throws before any nonce is drawn), nonces come from one CSPRNG draw, one GCM pass.
   */
  #sealBatch(
    gcm: BatchGcm,
    dataKeyId: string,
    items: readonly EncryptItem[],
    from: number,
    to: number,
    out: string[],
  ): void {
    const n = to - from;
    // Short ASCII strings, numbers and dates are written straight into the record buffer; only
    // other values get an encoded copy first (kept sparse: most batches have none).
    const encoded: (Uint8Array | undefined)[] = [];
    const aads = new Array<Uint8Array>(n);
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    let total = 0;
    for (let j = 0; j < n; j++) {
      const it = items[from + j]!;
      let size = simpleEncodedSize(it.value);
      if (size < 0) {
        const pt = encodeValue(it.value);
        encoded[j] = pt;
        size = pt.length;
      }
      aads[j] = this.#aad(dataKeyId, it.location);
      starts[j] = total;
      total += FIELD_NONCE_LENGTH + size + FIELD_TAG_LENGTH;
      ends[j] = total;
    }
    const buf = new Uint8Array(total);
    const nonces = this.#random.randomBytes(FIELD_NONCE_LENGTH * n);
    for (let j = 0; j < n; j++) {
      const s0 = starts[j] as number;
      for (let b = 0; b < FIELD_NONCE_LENGTH; b++) buf[s0 + b] = nonces[j * FIELD_NONCE_LENGTH + b] as number;
      const pt = encoded[j];
      if (pt === undefined) encodeSimpleInto(items[from + j]!.value, buf, s0 + FIELD_NONCE_LENGTH);
      else {
        buf.set(pt, s0 + FIELD_NONCE_LENGTH);
        pt.fill(0);
      }
    }
    try {
      gcm.sealInPlace({ buf, starts, ends, aads });
    } catch (e) {
      buf.fill(0);
      throw e;
    }
    for (let j = 0; j < n; j++)
      out[from + j] = serializeFieldBody(dataKeyId, buf, starts[j] as number, ends[j] as number);
  }

  /** The batched-GCM context of a data key (built on first use), or undefined without the seam. */
  #gcm(key: CachedKey): BatchGcm | undefined {
    if (!this.#blockCipher) return undefined;
    if (key.wiped) throw new KeyStateError('data key was wiped');
    let g = this.#gcms.get(key);
    if (g) {
      this.#gcms.delete(key); // re-insert: Map order is recency
    } else {
      g = new BatchGcm(this.#blockCipher, key.key);
      for (const [k, old] of this.#gcms) {
        if (this.#gcms.size < MAX_GCM_CONTEXTS && !k.wiped) break;
        old.destroy();
        this.#gcms.delete(k);
      }
    }
    this.#gcms.set(key, g);
    return g;
  }

  /**
   * A synchronous encrypter holding `count` reserved uses of one data key: for tight loops and
   * streaming bulk writes where one await per field is too much. Throws once the budget is spent
   * or the key was wiped (close(), eviction); take a new sealer then.
   */
  async sealer(count: number): Promise<FieldSealer> {
    const key = await this.#keys.reserve(count);
    let remaining = count;
    return {
      get remaining() {
        return remaining;
      },
      encrypt: (value, location) => {
        if (remaining <= 0 || key.wiped) throw new KeyStateError('field sealer is exhausted or its key was wiped');
        checkLocation(location);
        remaining--;
        return this.#seal(key, value, location);
      },
    };
  }

  /** A synchronous blind-index function for one definition (root loaded once, key derived once). */
  async indexer(def: BlindIndexDefinition): Promise<(values: FieldValue | readonly FieldValue[]) => string> {
    const idx = await this.#resolved(def);
    return (v) => computeIndex(idx, asValues(v));
  }

  /**
   * A synchronous equality lookup for one index while a re-index may be under way: the value under
   * `def` first, then under each of `previousVersions` (rows not re-indexed yet), without repeats.
   * The versions go through `previousIndexDefinitions`, so the adapters and the migration engine
   * refuse the same mistakes (sha3-compat has no versions; the current one must not be listed).
   * Keys are derived once; the same (definition object, versions) gets the same function back.
   */
  indexLookup(def: BlindIndexDefinition, previousVersions?: readonly number[]): Promise<IndexLookup> {
    const versions = previousVersions?.join(',') ?? '';
    let byVersions = this.#lookups.get(def);
    const hit = byVersions?.get(versions);
    if (hit) return hit;
    if (!byVersions) {
      byVersions = new Map();
      this.#lookups.set(def, byVersions);
    }
    const memo = byVersions;
    const p = this.#buildLookup(def, previousVersions);
    memo.set(versions, p);
    p.catch(() => {
      if (memo.get(versions) === p) memo.delete(versions);
    });
    return p;
  }

  async #buildLookup(def: BlindIndexDefinition, previousVersions: readonly number[] | undefined): Promise<IndexLookup> {
    const previous = previousIndexDefinitions(def, previousVersions);
    const current = await this.#resolved(def);
    if (previous.length === 0) return (v) => [computeIndex(current, asValues(v))];
    const all = [current];
    for (const d of previous) all.push(await this.#resolved(d));
    return (v) => {
      const values = asValues(v);
      const out = new Set<string>();
      for (const idx of all) out.add(computeIndex(idx, values));
      return [...out];
    };
  }

  #open(key: CachedKey, parsed: ReturnType<typeof parseField>, loc: FieldLocation): Uint8Array {
    try {
      return this.#aead.open(key.key, parsed.nonce, parsed.sealed, this.#aad(parsed.dataKeyId, loc));
    } catch (cause) {
      // Same error whatever went wrong inside the AEAD: no oracle on which byte was bad.
      throw new DecryptionFailedError('field ciphertext did not authenticate', {
        cause,
        details: { table: loc.table, column: loc.column },
      });
    }
  }

  /** Decrypts and checks the declared type; throws FieldTypeMismatchError when it differs. */
  async decrypt<T extends FieldValueType>(
    ciphertext: string,
    type: T,
    location: FieldLocation,
    options: DecryptOptions = {},
  ): Promise<FieldValueOf[T]> {
    checkLocation(location);
    const passthrough = this.#migrationPassthrough(ciphertext, options);
    if (passthrough.pass) return passthrough.value as FieldValueOf[T];
    const parsed = parseField(ciphertext);
    const key = await this.#keys.forDecrypt(parsed.dataKeyId);
    return decodeValueAs(this.#open(key, parsed, location), type, location.column);
  }

  /** Decrypts to whatever type was encrypted. */
  async decryptAny(ciphertext: string, location: FieldLocation): Promise<ReturnType<typeof decodeValue>> {
    checkLocation(location);
    const parsed = parseField(ciphertext);
    const key = await this.#keys.forDecrypt(parsed.dataKeyId);
    return decodeValue(this.#open(key, parsed, location));
  }

  /**
   * Many fields: one key lookup per distinct data key, each group decrypted right after its key
   * is in hand. Fails closed on the first bad item (throws; nothing partial is returned).
   */
  async decryptMany<T extends FieldValueType>(
    items: readonly DecryptItem<T>[],
    options: DecryptOptions = {},
  ): Promise<FieldValueOf[T][]> {
    const out: FieldValueOf[T][] = new Array(items.length);
    // Pass 1: headers only. Every body then decodes into one record buffer (no per-field arrays),
    // grouped by data key (nearly always one group: the last one is kept at hand).
    const starts = new Int32Array(items.length);
    const ends = new Int32Array(items.length);
    const slow = new Map<number, ParsedField>();
    // Data-key groups as numbers: group of each item (-1: passed through), and each group's id
    // and size. Index lists are laid out once at the end, in one array for all groups.
    const groupOf = new Int32Array(items.length);
    const groupIds = new Map<string, number>();
    const sizes: number[] = [];
    let lastId = '';
    let last = -1;
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      checkLocation(it.location);
      const c = it.ciphertext;
      if (!(typeof c === 'string' && looksLikeFieldCiphertext(c))) {
        const passthrough = this.#migrationPassthrough(c, options);
        if (passthrough.pass) {
          out[i] = passthrough.value as FieldValueOf[T];
          starts[i] = -1;
          groupOf[i] = -1;
          continue;
        }
      }
      // Same data key as the field before: no header object, no id string.
      let length = last >= 0 ? fieldBodyLength(c, lastId) : -1;
      if (length < 0) {
        let id: string;
        const header = fieldHeader(c);
        if (header) {
          id = header.dataKeyId;
          length = header.bodyLength;
        } else {
          const parsed = parseField(c); // throws the precise error for anything malformed
          slow.set(i, parsed);
          id = parsed.dataKeyId;
          length = parsed.nonce.length + parsed.sealed.length;
        }
        if (id !== lastId || last < 0) {
          let g = groupIds.get(id);
          if (g === undefined) {
            g = sizes.length;
            groupIds.set(id, g);
            sizes.push(0);
          }
          lastId = id;
          last = g;
        }
      }
      starts[i] = total;
      total += length;
      ends[i] = total;
      groupOf[i] = last;
      sizes[last] = (sizes[last] as number) + 1;
    }
    // Counting sort: group g's items are order[from[g], from[g] + sizes[g]), in item order.
    const from = new Int32Array(sizes.length + 1);
    for (let g = 0; g < sizes.length; g++) from[g + 1] = (from[g] as number) + (sizes[g] as number);
    const order = new Int32Array(from[sizes.length] as number);
    const next = from.slice(0, sizes.length);
    for (let i = 0; i < items.length; i++) {
      const g = groupOf[i] as number;
      if (g < 0) continue;
      const at = next[g] as number;
      order[at] = i;
      next[g] = at + 1;
    }
    const buf = new Uint8Array(total);
    try {
      for (let i = 0; i < items.length; i++) {
        const s0 = starts[i] as number;
        if (s0 < 0) continue;
        const p = slow.size === 0 ? undefined : slow.get(i);
        if (!p) decodeFieldBodyInto(items[i]!.ciphertext, buf, s0);
        else {
          buf.set(p.nonce, s0);
          buf.set(p.sealed, s0 + p.nonce.length);
        }
      }
      for (const [id, g] of groupIds) {
        const key = this.#keys.peek(id) ?? (await this.#keys.forDecrypt(id));
        this.#openGroup(key, order.subarray(from[g], from[g + 1]), items, buf, starts, ends, out);
      }
    } finally {
      buf.fill(0); // plaintext bytes never outlive the call
    }
    return out;
  }

  /** Opens one data key's records in `buf` and decodes them into `out`. */
  #openGroup<T extends FieldValueType>(
    key: CachedKey,
    g: Int32Array,
    items: readonly DecryptItem<T>[],
    buf: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    out: FieldValueOf[T][],
  ): void {
    const gcm = this.#gcm(key);
    if (!gcm) {
      for (const i of g) {
        const it = items[i]!;
        const s0 = starts[i] as number;
        const nonce = buf.subarray(s0, s0 + FIELD_NONCE_LENGTH);
        const sealed = buf.subarray(s0 + FIELD_NONCE_LENGTH, ends[i] as number);
        const parsed: ParsedField = {
          version: FIELD_VERSION,
          suite: FIELD_SUITE_AES256GCM,
          dataKeyId: key.id,
          nonce,
          sealed,
        };
        out[i] = decodeValueAs(this.#open(key, parsed, it.location), it.type, it.location.column);
      }
      return;
    }
    const gStarts = new Int32Array(g.length);
    const gEnds = new Int32Array(g.length);
    const aads = new Array<Uint8Array>(g.length);
    for (let j = 0; j < g.length; j++) {
      const i = g[j]!;
      gStarts[j] = starts[i] as number;
      gEnds[j] = ends[i] as number;
      aads[j] = this.#aad(key.id, items[i]!.location);
    }
    try {
      gcm.openInPlace({ buf, starts: gStarts, ends: gEnds, aads });
    } catch (cause) {
      if (!(cause instanceof BatchOpenError)) throw cause;
      const loc = items[g[cause.index]!]!.location;
      // Same error as the one-at-a-time path: no oracle on which byte was bad.
      throw new DecryptionFailedError('field ciphertext did not authenticate', {
        cause,
        details: { table: loc.table, column: loc.column },
      });
    }
    for (let j = 0; j < g.length; j++) {
      const it = items[g[j]!]!;
      const from = (gStarts[j] as number) + FIELD_NONCE_LENGTH;
      out[g[j]!] = decodeValueAt(buf, from, (gEnds[j] as number) - FIELD_TAG_LENGTH, it.type, it.location.column);
    }
  }

  #migrationPassthrough(value: unknown, options: DecryptOptions): { pass: boolean; value?: unknown } {
    if (typeof value === 'string' && looksLikeFieldCiphertext(value)) return { pass: false };
    if (options.migration === 'accept-plaintext') return { pass: true, value };
    if (typeof value !== 'string') throw new InvalidCiphertextError('field ciphertext must be a string');
    return { pass: false };
  }

  /** Loads the blind-index root (generating it once per tenant) and a first data key. */
  async prepare(): Promise<void> {
    await this.#indexRoot();
    await this.#keys.reserve(1);
  }

  #indexRoot(): Promise<Uint8Array> {
    if (!this.#root) {
      const p = this.#loadRoot();
      this.#root = p;
      p.catch(() => {
        if (this.#root === p) this.#root = undefined;
      });
    }
    return this.#root;
  }

  async #loadRoot(): Promise<Uint8Array> {
    const existing = await this.#directory.get(this.tenant, INDEX_ROOT_ID);
    if (existing) return this.#unwrapRoot(existing.wrappedKey);
    const dk = await this.#backend.generateDataKey({ length: 32 });
    const stored = await this.#directory.put({
      tenant: this.tenant,
      id: INDEX_ROOT_ID,
      purpose: 'index-root',
      wrappedKey: dk.wrappedKey,
      keyId: dk.keyId,
      keyVersion: dk.keyVersion,
      createdAt: new Date(this.#now()).toISOString(),
    });
    if (stored.wrappedKey === dk.wrappedKey) {
      this.#rootKey = dk.plaintextKey;
      return dk.plaintextKey;
    }
    dk.plaintextKey.fill(0); // another writer created the root first: use theirs
    return this.#unwrapRoot(stored.wrappedKey);
  }

  async #unwrapRoot(wrapped: string): Promise<Uint8Array> {
    const k = await this.#backend.unwrapKey(wrapped);
    this.#rootKey = k;
    return k;
  }

  async #resolved(def: BlindIndexDefinition): Promise<ResolvedIndex> {
    // The version is part of the key: during a re-index the current and previous definitions of one
    // index are both in use, and must not evict each other (each miss derives a key again).
    const cacheKey = `${def.table}\u0000${def.name}\u0000${def.version ?? 1}`;
    const hit = this.#indexes.get(cacheKey);
    if (hit && hit.definition === def) return hit;
    validateIndexDefinition(def);
    const root = (def.algorithm ?? 'hmac-sha3-256') === 'sha3-compat' ? undefined : await this.#indexRoot();
    const r = resolveIndex(def, root, this.tenant, this.#hmac);
    this.#indexes.set(cacheKey, r);
    return r;
  }

  /** Blind index of one value, or of a tuple for a compound index. Lowercase hex. */
  async blindIndex(def: BlindIndexDefinition, values: FieldValue | readonly FieldValue[]): Promise<string> {
    const idx = await this.#resolved(def);
    return computeIndex(idx, asValues(values));
  }

  async blindIndexMany(
    def: BlindIndexDefinition,
    rows: readonly (FieldValue | readonly FieldValue[])[],
  ): Promise<string[]> {
    const idx = await this.#resolved(def);
    return rows.map((v) => computeIndex(idx, asValues(v)));
  }

  /** Wipes every cached key. The engine can be used again; keys are then reloaded. */
  close(): void {
    this.#keys.clear();
    this.#rootKey?.fill(0);
    this.#rootKey = undefined;
    this.#root = undefined;
    this.#indexes.clear();
    this.#lookups = new WeakMap();
    for (const g of this.#gcms.values()) g.destroy();
    this.#gcms.clear();
  }
}

export const createFieldEngine = (options: FieldEngineOptions): FieldEngine => new FieldEngine(options);
