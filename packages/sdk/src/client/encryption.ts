/**
 * `client.encryption`: ergonomics and validation over the backend. No crypto happens here.
 */
import { z } from 'zod';
import { KEY_ALGORITHMS } from '../crypto/algorithms.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../crypto/bytes.js';
import type {
  BatchItemResult,
  EncryptionBackend,
  KeyInfo,
  KeyState,
  PayloadEncoding,
  PublicJwk,
} from '../backend/types.js';
import { InvalidInputError, SignatureInvalidError } from '../errors.js';
import { paged, type PagedAsyncIterable } from './paging.js';
import { parseInput } from './validation.js';

export type BinaryLike = Uint8Array | ArrayBuffer;
/** Strings are UTF-8 encoded; bytes are taken as they are. */
export type Plaintext = string | BinaryLike;
/** Associated data bound to a ciphertext or signature context; a string is UTF-8 encoded. */
export type AssociatedData = string | BinaryLike;

const bytesSchema = z.union([z.instanceof(Uint8Array), z.instanceof(ArrayBuffer)]);
const plaintextSchema = z.union([z.string(), bytesSchema]);
const keyIdSchema = z.string().min(1).max(64).optional();
const MAX_PLAINTEXT = 64 * 1024 * 1024;

const toBytes = (v: string | BinaryLike): Uint8Array =>
  typeof v === 'string' ? utf8(v) : v instanceof Uint8Array ? v : new Uint8Array(v);
const optionalBytes = (v: AssociatedData | undefined): Uint8Array | undefined =>
  v === undefined ? undefined : toBytes(v);

export interface EncryptOptions {
  /** Key to encrypt to; the tenant's default encryption key when omitted. */
  readonly keyId?: string;
  /** Associated data: must be given again, identical, to decrypt. */
  readonly aad?: AssociatedData;
}

export interface EncryptResult {
  /** The EaaS payload (Base64 JSON, docs/formats.md). Safe to store and log. */
  readonly payload: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export type DecryptResult =
  | { readonly encoding: 'utf8'; readonly plaintext: string; readonly keyId: string; readonly keyVersion: number }
  | {
      readonly encoding: 'base64';
      readonly plaintext: Uint8Array;
      readonly keyId: string;
      readonly keyVersion: number;
    };

export interface SignOptions {
  readonly keyId?: string;
  /** ML-DSA / SLH-DSA context string (at most 255 bytes). */
  readonly context?: AssociatedData;
}

export interface SignResult {
  /** Standard Base64 signature. */
  readonly signature: string;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly algorithm: KeyInfo['algorithm'];
}

export interface VerifyRequest {
  readonly data: Plaintext;
  /** Standard Base64 (as returned by sign) or raw bytes. */
  readonly signature: string | BinaryLike;
  readonly keyId: string;
  readonly keyVersion?: number;
  readonly context?: AssociatedData;
}

export interface VerifiedSignature {
  readonly keyId: string;
  readonly keyVersion: number;
  readonly algorithm: KeyInfo['algorithm'];
}

export interface DataKeyResult {
  /** Keep in memory only; never log or persist. */
  readonly plaintextKey: Uint8Array;
  readonly wrappedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export type BatchResult<T> = BatchItemResult<T>;

const encryptOptionsSchema = z.strictObject({ keyId: keyIdSchema, aad: plaintextSchema.optional() }).optional();
const contextSchema = plaintextSchema
  .optional()
  .refine((c) => c === undefined || toBytes(c).length <= 255, 'context must be at most 255 bytes');

const createKeySchema = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHMS).default('ML-KEM-768'),
  name: z.string().min(1).max(128).optional(),
  labels: z.record(z.string().min(1).max(64), z.string().max(256)).optional(),
  setAsDefault: z.boolean().optional(),
});
export type CreateKeyOptions = z.input<typeof createKeySchema>;

const listKeysSchema = z
  .strictObject({
    pageSize: z.number().int().min(1).max(100).optional(),
    algorithm: z.enum(KEY_ALGORITHMS).optional(),
    state: z.enum(['Active', 'Deprecated', 'PendingDeletion']).optional(),
  })
  .optional();
export interface ListKeysOptions {
  readonly pageSize?: number;
  readonly algorithm?: KeyInfo['algorithm'];
  readonly state?: KeyState;
}

const idSchema = z.string().min(1).max(64);

/** `client.encryption.keys`: key lifecycle. */
export class KeysNamespace {
  readonly #b: EncryptionBackend;
  constructor(backend: EncryptionBackend) {
    this.#b = backend;
  }

  async create(options: CreateKeyOptions = {}): Promise<KeyInfo> {
    return this.#b.createKey(parseInput(createKeySchema, options, 'key options'));
  }

  async get(keyId: string): Promise<KeyInfo> {
    return this.#b.getKey(parseInput(idSchema, keyId, 'key id'));
  }

  /** All keys, newest API style: `for await (const key of keys.list())` or `.byPage()`. */
  list(options?: ListKeysOptions): PagedAsyncIterable<KeyInfo> {
    const o = parseInput(listKeysSchema, options, 'list options') ?? {};
    return paged(
      (continuationToken, pageSize) =>
        this.#b.listKeys({
          ...o,
          ...(pageSize !== undefined ? { pageSize } : {}),
          ...(continuationToken !== undefined ? { continuationToken } : {}),
        }),
      o.pageSize,
    );
  }

  /** New version; older versions become Deprecated (decrypt/verify only). */
  async rotate(keyId: string): Promise<KeyInfo> {
    return this.#b.rotateKey(parseInput(idSchema, keyId, 'key id'));
  }

  async deprecate(keyId: string): Promise<KeyInfo> {
    return this.#b.deprecateKey(parseInput(idSchema, keyId, 'key id'));
  }

  async reactivate(keyId: string): Promise<KeyInfo> {
    return this.#b.reactivateKey(parseInput(idSchema, keyId, 'key id'));
  }

  /** PendingDeletion refuses every operation at once; the key is purged after the grace period. */
  async scheduleDeletion(keyId: string, options: { gracePeriodDays?: number } = {}): Promise<KeyInfo> {
    const o = parseInput(
      z.strictObject({ gracePeriodDays: z.number().int().min(1).max(365).optional() }),
      options,
      'deletion options',
    );
    return this.#b.scheduleKeyDeletion(parseInput(idSchema, keyId, 'key id'), o);
  }

  async cancelDeletion(keyId: string): Promise<KeyInfo> {
    return this.#b.cancelKeyDeletion(parseInput(idSchema, keyId, 'key id'));
  }

  async setDefault(keyId: string): Promise<KeyInfo> {
    return this.#b.setDefaultKey(parseInput(idSchema, keyId, 'key id'));
  }

  /** The public key as a JWK: AKP (`pub`, `kid` = RFC 7638 thumbprint) for ML-DSA, ML-KEM, SLH-DSA. */
  async exportPublicKey(keyId: string, options: { version?: number } = {}): Promise<PublicJwk> {
    const o = parseInput(z.strictObject({ version: z.number().int().min(1).optional() }), options, 'export options');
    return this.#b.exportPublicKey(parseInput(idSchema, keyId, 'key id'), o.version);
  }
}

export class EncryptionNamespace {
  readonly keys: KeysNamespace;
  readonly #b: EncryptionBackend;

  constructor(backend: EncryptionBackend) {
    this.#b = backend;
    this.keys = new KeysNamespace(backend);
  }

  /** ML-KEM + AES-256-GCM. A string decrypts back to a string, bytes to bytes. */
  async encrypt(plaintext: Plaintext, options?: EncryptOptions): Promise<EncryptResult> {
    parseInput(plaintextSchema, plaintext, 'plaintext');
    const o = parseInput(encryptOptionsSchema, options, 'encrypt options') ?? {};
    const bytes = toBytes(plaintext);
    if (bytes.length > MAX_PLAINTEXT) throw new InvalidInputError('plaintext is larger than 64 MiB');
    const aad = optionalBytes(o.aad);
    return this.#b.encrypt({
      plaintext: bytes,
      encoding: typeof plaintext === 'string' ? 'utf8' : 'base64',
      ...(o.keyId ? { keyId: o.keyId } : {}),
      ...(aad ? { aad } : {}),
    });
  }

  async decrypt(payload: string, options: { aad?: AssociatedData } = {}): Promise<DecryptResult> {
    parseInput(z.string().min(1), payload, 'payload');
    const o = parseInput(z.strictObject({ aad: plaintextSchema.optional() }), options, 'decrypt options');
    const aad = optionalBytes(o.aad);
    const r = await this.#b.decrypt({ payload, ...(aad ? { aad } : {}) });
    return decoded(r.encoding, r.plaintext, r.keyId, r.keyVersion);
  }

  /** Decrypts a payload made from a string. Throws InvalidInputError for a bytes payload. */
  async decryptString(payload: string, options: { aad?: AssociatedData } = {}): Promise<string> {
    const r = await this.decrypt(payload, options);
    if (r.encoding !== 'utf8') throw new InvalidInputError('payload holds bytes, not a string: use decryptBytes');
    return r.plaintext;
  }

  /** Decrypts any payload to its bytes (strings as UTF-8). */
  async decryptBytes(payload: string, options: { aad?: AssociatedData } = {}): Promise<Uint8Array> {
    const r = await this.decrypt(payload, options);
    return typeof r.plaintext === 'string' ? utf8(r.plaintext) : r.plaintext;
  }

  /** One backend call for the whole batch; each item succeeds or fails on its own. */
  async encryptBatch(
    items: readonly ({ plaintext: Plaintext } & EncryptOptions)[],
  ): Promise<BatchResult<EncryptResult>[]> {
    parseInput(
      z
        .array(z.object({ plaintext: plaintextSchema }))
        .min(1)
        .max(1000),
      items,
      'batch',
    );
    return this.#b.encryptBatch(
      items.map((i) => {
        const o = parseInput(encryptOptionsSchema, { keyId: i.keyId, aad: i.aad }, 'batch item options') ?? {};
        const aad = optionalBytes(o.aad);
        return {
          plaintext: toBytes(i.plaintext),
          encoding: (typeof i.plaintext === 'string' ? 'utf8' : 'base64') as PayloadEncoding,
          ...(o.keyId ? { keyId: o.keyId } : {}),
          ...(aad ? { aad } : {}),
        };
      }),
    );
  }

  async decryptBatch(
    items: readonly { payload: string; aad?: AssociatedData }[],
  ): Promise<BatchResult<DecryptResult>[]> {
    parseInput(
      z
        .array(z.strictObject({ payload: z.string().min(1), aad: plaintextSchema.optional() }))
        .min(1)
        .max(1000),
      items,
      'batch',
    );
    const results = await this.#b.decryptBatch(
      items.map((i) => {
        const aad = optionalBytes(i.aad);
        return { payload: i.payload, ...(aad ? { aad } : {}) };
      }),
    );
    return results.map((r) => {
      if (!r.ok) return r;
      try {
        return { ok: true, value: decoded(r.value.encoding, r.value.plaintext, r.value.keyId, r.value.keyVersion) };
      } catch (e) {
        const err = e as InvalidInputError;
        return { ok: false, error: { code: err.code, message: err.message } };
      }
    });
  }

  async sign(data: Plaintext, options: SignOptions = {}): Promise<SignResult> {
    parseInput(plaintextSchema, data, 'data');
    const o = parseInput(z.strictObject({ keyId: keyIdSchema, context: contextSchema }), options, 'sign options');
    const context = optionalBytes(o.context);
    const r = await this.#b.sign({
      data: toBytes(data),
      ...(o.keyId ? { keyId: o.keyId } : {}),
      ...(context ? { context } : {}),
    });
    return { signature: toBase64(r.signature), keyId: r.keyId, keyVersion: r.keyVersion, algorithm: r.algorithm };
  }

  /**
   * Resolves when the signature is valid; otherwise throws SignatureInvalidError. There is no
   * boolean to forget to check.
   */
  async verify(request: VerifyRequest): Promise<VerifiedSignature> {
    const o = parseInput(
      z.strictObject({
        data: plaintextSchema,
        signature: z.union([z.string().min(1), bytesSchema]),
        keyId: z.string().min(1).max(64),
        keyVersion: z.number().int().min(1).optional(),
        context: contextSchema,
      }),
      request,
      'verify request',
    );
    let signature: Uint8Array;
    try {
      signature = typeof o.signature === 'string' ? fromBase64(o.signature) : toBytes(o.signature);
    } catch {
      throw new SignatureInvalidError('signature is not canonical Base64', { details: { keyId: o.keyId } });
    }
    const context = optionalBytes(o.context);
    const r = await this.#b.verify({
      data: toBytes(o.data),
      signature,
      keyId: o.keyId,
      ...(o.keyVersion !== undefined ? { keyVersion: o.keyVersion } : {}),
      ...(context ? { context } : {}),
    });
    if (!r.valid || r.keyVersion === undefined) {
      throw new SignatureInvalidError(`signature does not verify with key ${r.keyId}`, {
        details: { keyId: r.keyId, ...(o.keyVersion !== undefined ? { keyVersion: o.keyVersion } : {}) },
      });
    }
    return { keyId: r.keyId, keyVersion: r.keyVersion, algorithm: r.algorithm };
  }

  /** A fresh data key: the plaintext for local use, the wrapped form to store beside the data. */
  async generateDataKey(options: { keyId?: string; length?: number } = {}): Promise<DataKeyResult> {
    const o = parseInput(
      z.strictObject({ keyId: keyIdSchema, length: z.number().int().min(16).max(64).optional() }),
      options,
      'data key options',
    );
    return this.#b.generateDataKey({
      ...(o.keyId ? { keyId: o.keyId } : {}),
      ...(o.length !== undefined ? { length: o.length } : {}),
    });
  }

  async wrapKey(
    key: BinaryLike,
    options: { keyId?: string } = {},
  ): Promise<{ wrappedKey: string; keyId: string; keyVersion: number }> {
    parseInput(bytesSchema, key, 'key');
    const o = parseInput(z.strictObject({ keyId: keyIdSchema }), options, 'wrap options');
    return this.#b.wrapKey({ key: toBytes(key), ...(o.keyId ? { keyId: o.keyId } : {}) });
  }

  async unwrapKey(wrappedKey: string): Promise<Uint8Array> {
    return this.#b.unwrapKey(parseInput(z.string().min(1), wrappedKey, 'wrapped key'));
  }
}

const decoded = (encoding: PayloadEncoding, plaintext: Uint8Array, keyId: string, keyVersion: number): DecryptResult =>
  encoding === 'utf8'
    ? { encoding, plaintext: fromUtf8(plaintext), keyId, keyVersion }
    : { encoding, plaintext, keyId, keyVersion };
