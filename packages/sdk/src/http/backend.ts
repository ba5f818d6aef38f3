/**
 * The http backend: the Backend contract over the QuantumAPI REST API (or a self-hosted
 * `@quantumapi/server`). Bytes travel as standard Base64 in camelCase JSON; responses are validated
 * with zod (wire.ts) and errors come back as the same typed errors the local engine throws.
 */
import { z } from 'zod';
import type {
  Backend,
  BatchItemResult,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptionBackend,
  EncryptOutput,
  KeyInfo,
  PublicJwk,
} from '../backend/types.js';
import { toBase64 } from '../crypto/bytes.js';
import { InvalidOptionsError, InvalidResponseError } from '../errors.js';
import { parseOptions } from '../client/validation.js';
import { HttpCertificatesBackend } from './certificates.js';
import { b64, bytes } from './codec.js';
import { HttpIdentityBackend } from './identity.js';
import { ROUTES } from './routes.js';
import { type RetryPolicy, Transport } from './transport.js';
import { HttpVaultBackend } from './vault.js';
import {
  batchSchema,
  dataKeySchema,
  decryptSchema,
  encryptSchema,
  jwkSchema,
  keyInfoSchema,
  keyPageSchema,
  signSchema,
  unwrapSchema,
  verifySchema,
  wrapSchema,
} from './wire.js';

export const DEFAULT_BASE_URL = 'https://api.quantumapi.eu/api/v1';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY: RetryPolicy = { limit: 3, baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };

export interface HttpBackendOptions {
  /** `QUANTUMAPI_KEY`, then `QAPI_API_KEY` when omitted. */
  readonly apiKey?: string;
  /** `QUANTUMAPI_BASE_URL`, then https://api.quantumapi.eu/api/v1 when omitted. */
  readonly baseUrl?: string;
  /** `x-api-key` (default) sends `X-Api-Key`; `bearer` sends `Authorization: Bearer`. */
  readonly authScheme?: 'x-api-key' | 'bearer';
  /** Per attempt, covering the whole response. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy> | false;
  /** A fetch implementation (proxies, instrumentation). */
  readonly fetch?: typeof fetch;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const optionsSchema = z.strictObject({
  apiKey: z.string().min(8).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  authScheme: z.enum(['x-api-key', 'bearer']).optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  retry: z
    .union([
      z.literal(false),
      z.strictObject({
        limit: z.number().int().min(0).max(10).optional(),
        baseDelayMs: z.number().int().min(0).max(60_000).optional(),
        maxDelayMs: z.number().int().min(0).max(300_000).optional(),
        maxRetryAfterMs: z.number().int().min(0).max(600_000).optional(),
      }),
    ])
    .optional(),
  fetch: z.custom<typeof fetch>((v) => typeof v === 'function').optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
});

const env = (): Readonly<Record<string, string | undefined>> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

const keyInfo = (k: z.output<typeof keyInfoSchema>): KeyInfo => k as KeyInfo;

export class HttpEncryptionBackend implements EncryptionBackend {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  createKey: EncryptionBackend['createKey'] = async (input) =>
    keyInfo(await this.#t.call('createKey', ROUTES.createKey, keyInfoSchema, { body: input }));

  listKeys: EncryptionBackend['listKeys'] = async (input = {}) => {
    const page = await this.#t.call('listKeys', ROUTES.listKeys, keyPageSchema, {
      query: {
        pageSize: input.pageSize,
        continuationToken: input.continuationToken,
        algorithm: input.algorithm,
        state: input.state,
      },
    });
    return { items: page.items.map(keyInfo), continuationToken: page.continuationToken };
  };

  getKey: EncryptionBackend['getKey'] = async (id) =>
    keyInfo(await this.#t.call('getKey', ROUTES.getKey, keyInfoSchema, { id }));
  rotateKey: EncryptionBackend['rotateKey'] = async (id) =>
    keyInfo(await this.#t.call('rotateKey', ROUTES.rotateKey, keyInfoSchema, { id, body: {} }));
  deprecateKey: EncryptionBackend['deprecateKey'] = async (id) =>
    keyInfo(await this.#t.call('deprecateKey', ROUTES.deprecateKey, keyInfoSchema, { id, body: {} }));
  reactivateKey: EncryptionBackend['reactivateKey'] = async (id) =>
    keyInfo(await this.#t.call('reactivateKey', ROUTES.reactivateKey, keyInfoSchema, { id, body: {} }));
  scheduleKeyDeletion: EncryptionBackend['scheduleKeyDeletion'] = async (id, input = {}) =>
    keyInfo(await this.#t.call('scheduleKeyDeletion', ROUTES.scheduleKeyDeletion, keyInfoSchema, { id, body: input }));
  cancelKeyDeletion: EncryptionBackend['cancelKeyDeletion'] = async (id) =>
    keyInfo(await this.#t.call('cancelKeyDeletion', ROUTES.cancelKeyDeletion, keyInfoSchema, { id, body: {} }));
  setDefaultKey: EncryptionBackend['setDefaultKey'] = async (id) =>
    keyInfo(await this.#t.call('setDefaultKey', ROUTES.setDefaultKey, keyInfoSchema, { id, body: {} }));

  exportPublicKey = async (id: string, version?: number): Promise<PublicJwk> =>
    (await this.#t.call('exportPublicKey', ROUTES.exportPublicKey, jwkSchema, { id, query: { version } })) as PublicJwk;

  encrypt = async (input: EncryptInput): Promise<EncryptOutput> =>
    this.#t.call('encrypt', ROUTES.encrypt, encryptSchema, { body: encryptBody(input) });

  decrypt = async (input: DecryptInput): Promise<DecryptOutput> =>
    decryptOut(await this.#t.call('decrypt', ROUTES.decrypt, decryptSchema, { body: decryptBody(input) }));

  encryptBatch = async (items: readonly EncryptInput[]): Promise<BatchItemResult<EncryptOutput>[]> => {
    const r = await this.#t.call('encryptBatch', ROUTES.encryptBatch, batchSchema(encryptSchema), {
      body: { items: items.map(encryptBody) },
    });
    return sameLength('encryptBatch', items, r.results) as BatchItemResult<EncryptOutput>[];
  };

  decryptBatch = async (items: readonly DecryptInput[]): Promise<BatchItemResult<DecryptOutput>[]> => {
    const r = await this.#t.call('decryptBatch', ROUTES.decryptBatch, batchSchema(decryptSchema), {
      body: { items: items.map(decryptBody) },
    });
    return sameLength('decryptBatch', items, r.results).map((x) =>
      x.ok ? { ok: true as const, value: decryptOut(x.value) } : { ok: false as const, error: x.error },
    );
  };

  sign: EncryptionBackend['sign'] = async (input) => {
    const r = await this.#t.call('sign', ROUTES.sign, signSchema, {
      body: { data: toBase64(input.data), keyId: input.keyId, context: b64(input.context) },
    });
    return { ...r, signature: bytes('sign', r.signature) };
  };

  verify: EncryptionBackend['verify'] = async (input) =>
    this.#t.call('verify', ROUTES.verify, verifySchema, {
      body: {
        data: toBase64(input.data),
        signature: toBase64(input.signature),
        keyId: input.keyId,
        keyVersion: input.keyVersion,
        context: b64(input.context),
      },
    });

  generateDataKey: EncryptionBackend['generateDataKey'] = async (input = {}) => {
    const r = await this.#t.call('generateDataKey', ROUTES.generateDataKey, dataKeySchema, { body: input });
    return { ...r, plaintextKey: bytes('generateDataKey', r.plaintextKey) };
  };

  wrapKey: EncryptionBackend['wrapKey'] = async (input) =>
    this.#t.call('wrapKey', ROUTES.wrapKey, wrapSchema, { body: { key: toBase64(input.key), keyId: input.keyId } });

  unwrapKey = async (wrappedKey: string): Promise<Uint8Array> =>
    bytes('unwrapKey', (await this.#t.call('unwrapKey', ROUTES.unwrapKey, unwrapSchema, { body: { wrappedKey } })).key);
}

const encryptBody = (i: EncryptInput) => ({
  plaintext: toBase64(i.plaintext),
  encoding: i.encoding,
  keyId: i.keyId,
  aad: b64(i.aad),
});

const decryptBody = (i: DecryptInput) => ({ payload: i.payload, aad: b64(i.aad) });

const decryptOut = (r: z.output<typeof decryptSchema>): DecryptOutput => ({
  ...r,
  plaintext: bytes('decrypt', r.plaintext),
});

const sameLength = <T>(operation: string, items: readonly unknown[], results: T[]): T[] => {
  if (results.length !== items.length) {
    throw new InvalidResponseError(`${operation}: ${results.length} results for ${items.length} items`);
  }
  return results;
};

export interface HttpBackend extends Backend {
  readonly kind: 'http';
  readonly baseUrl: string;
}

export const createHttpBackend = (options: HttpBackendOptions = {}): HttpBackend => {
  const o = parseOptions(optionsSchema, options, 'http backend options') as HttpBackendOptions;
  const e = o.env ?? env();
  const apiKey = o.apiKey ?? (e['QUANTUMAPI_KEY'] || undefined) ?? (e['QAPI_API_KEY'] || undefined);
  if (!apiKey) {
    throw new InvalidOptionsError(
      'the http backend needs an API key: pass apiKey or set QUANTUMAPI_KEY / QAPI_API_KEY',
    );
  }
  const baseUrl = o.baseUrl ?? (e['QUANTUMAPI_BASE_URL'] || undefined) ?? DEFAULT_BASE_URL;
  parseOptions(z.url({ protocol: /^https?$/ }), baseUrl, 'QUANTUMAPI_BASE_URL');
  const retry: RetryPolicy =
    o.retry === false ? { ...DEFAULT_RETRY, limit: 0 } : { ...DEFAULT_RETRY, ...(o.retry ?? {}) };
  const transport = new Transport({
    baseUrl,
    apiKey,
    authScheme: o.authScheme ?? 'x-api-key',
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const health = z.looseObject({ status: z.string() });
  return {
    kind: 'http',
    baseUrl,
    encryption: new HttpEncryptionBackend(transport),
    vault: new HttpVaultBackend(transport),
    identity: new HttpIdentityBackend(transport),
    certificates: new HttpCertificatesBackend(transport),
    // Readiness of the remote service: fails fast on a wrong URL; the key is checked on first use.
    ready: async () => {
      await transport.call('ready', ROUTES.ready, health);
    },
    close: async () => {},
  };
};
