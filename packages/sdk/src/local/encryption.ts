/** The local engine's `EncryptionBackend`: every operation runs in-process over LocalKeyService. */
import { isKemAlgorithm } from '../crypto/algorithms.js';
import { utf8 } from '../crypto/bytes.js';
import { eaasOpen, eaasSeal, type EaasOpener } from '../crypto/eaas.js';
import { decodeEaasPayload, encodeEaasPayload } from '../crypto/eaas-payload.js';
import { toAkpPublicJwk } from '../crypto/jwk.js';
import type {
  BatchItemResult,
  DataKey,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptionBackend,
  EncryptOutput,
  PublicJwk,
  SignOutput,
  VerifyOutput,
} from '../backend/types.js';
import { InvalidInputError, KeyNotFoundError, KeyUsageError, QuantumApiError } from '../errors.js';
import type { LocalContext } from './context.js';
import { type KeyMaterial, LocalKeyService, type ResolvedKeyVersion, publicKeyBytes } from './keys.js';

/** Domain separation: a wrapped key is not a decryptable message and vice versa. */
const WRAP_AAD = utf8('QuantumAPI-WrappedKey-v1');
const MAX_BATCH = 1000;

const toBatch = async <T>(fn: () => Promise<T>): Promise<BatchItemResult<T>> => {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof QuantumApiError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
};

const checkBatch = (items: readonly unknown[]): void => {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH) {
    throw new InvalidInputError(`a batch holds 1 to ${MAX_BATCH} items`);
  }
};

export class LocalEncryptionBackend implements EncryptionBackend {
  readonly keys: LocalKeyService;
  readonly #ctx: LocalContext;

  constructor(ctx: LocalContext, keys: LocalKeyService = new LocalKeyService(ctx)) {
    this.#ctx = ctx;
    this.keys = keys;
  }

  createKey: EncryptionBackend['createKey'] = async (input) => this.keys.info(await this.keys.create(input));
  getKey: EncryptionBackend['getKey'] = async (id) => this.keys.info(await this.keys.get(id));
  rotateKey: EncryptionBackend['rotateKey'] = async (id) => this.keys.info(await this.keys.rotate(id));
  deprecateKey: EncryptionBackend['deprecateKey'] = async (id) => this.keys.info(await this.keys.deprecate(id));
  reactivateKey: EncryptionBackend['reactivateKey'] = async (id) => this.keys.info(await this.keys.reactivate(id));
  cancelKeyDeletion: EncryptionBackend['cancelKeyDeletion'] = async (id) =>
    this.keys.info(await this.keys.cancelDeletion(id));
  setDefaultKey: EncryptionBackend['setDefaultKey'] = async (id) => this.keys.info(await this.keys.setDefault(id));
  scheduleKeyDeletion: EncryptionBackend['scheduleKeyDeletion'] = async (id, input) =>
    this.keys.info(await this.keys.scheduleDeletion(id, input?.gracePeriodDays));

  listKeys: EncryptionBackend['listKeys'] = async (input) => {
    const page = await this.keys.list(input);
    return {
      items: await Promise.all(page.items.map((k) => this.keys.info(k))),
      continuationToken: page.continuationToken,
    };
  };

  exportPublicKey = async (id: string, version?: number): Promise<PublicJwk> => {
    const k = await this.keys.get(id);
    const v = k.versions.find((x) => x.version === (version ?? k.currentVersion));
    if (!v) throw new KeyNotFoundError(`key ${id} has no version ${version}`, { details: { keyId: id } });
    const pub = publicKeyBytes(v);
    if (!pub) throw new KeyUsageError(`key ${id} is symmetric: it has no public key`, { details: { keyId: id } });
    return toAkpPublicJwk(k.algorithm, pub);
  };

  #sealTo(r: ResolvedKeyVersion, plaintext: Uint8Array, encoding: EncryptInput['encoding'], aad?: Uint8Array): string {
    const m = this.keys.material(r);
    const binding = { keyId: r.record.id, keyVersion: r.version.version, encoding, ...(aad ? { aad } : {}) };
    const recipient =
      m.kind === 'kem'
        ? { algorithm: m.algorithm, publicKey: m.keyPair.publicKey }
        : m.kind === 'aes'
          ? { algorithm: m.algorithm, secretKey: m.secretKey }
          : undefined;
    if (!recipient) throw new KeyUsageError(`key ${r.record.id} cannot encrypt`);
    return encodeEaasPayload(eaasSeal(this.#ctx.providers, recipient, binding, plaintext));
  }

  async #decrypt(input: DecryptInput, aad: Uint8Array | undefined): Promise<DecryptOutput> {
    const payload = decodeEaasPayload(input.payload);
    const r = await this.keys.resolve(payload.keyId, 'encryption', 'read', payload.keyVersion);
    const m = this.keys.material(r);
    const opener: EaasOpener | undefined =
      m.kind === 'kem' && isKemAlgorithm(m.algorithm)
        ? { algorithm: m.algorithm, privateKey: m.keyPair.privateKey }
        : m.kind === 'aes'
          ? { algorithm: m.algorithm, secretKey: m.secretKey }
          : undefined;
    if (!opener) throw new KeyUsageError(`key ${r.record.id} cannot decrypt`);
    const plaintext = eaasOpen(this.#ctx.providers, opener, payload, aad);
    return { plaintext, encoding: payload.encoding, keyId: payload.keyId, keyVersion: payload.keyVersion };
  }

  encrypt = async (input: EncryptInput): Promise<EncryptOutput> => {
    const r = await this.keys.resolve(input.keyId, 'encryption', 'use');
    return {
      payload: this.#sealTo(r, input.plaintext, input.encoding, input.aad),
      keyId: r.record.id,
      keyVersion: r.version.version,
    };
  };

  decrypt = async (input: DecryptInput): Promise<DecryptOutput> => this.#decrypt(input, input.aad);

  encryptBatch = async (items: readonly EncryptInput[]): Promise<BatchItemResult<EncryptOutput>[]> => {
    checkBatch(items);
    return Promise.all(items.map((i) => toBatch(() => this.encrypt(i))));
  };

  decryptBatch = async (items: readonly DecryptInput[]): Promise<BatchItemResult<DecryptOutput>[]> => {
    checkBatch(items);
    return Promise.all(items.map((i) => toBatch(() => this.decrypt(i))));
  };

  sign: EncryptionBackend['sign'] = async (input): Promise<SignOutput> => {
    const r = await this.keys.resolve(input.keyId, 'signing', 'use');
    const m = this.keys.material(r);
    return {
      signature: signWith(m, input.data, input.context),
      keyId: r.record.id,
      keyVersion: r.version.version,
      algorithm: r.record.algorithm,
    };
  };

  verify: EncryptionBackend['verify'] = async (input): Promise<VerifyOutput> => {
    const k = await this.keys.resolve(input.keyId, 'signing', 'read', input.keyVersion);
    // Without an explicit version, any version of the key may have signed: newest first.
    const candidates =
      input.keyVersion === undefined ? [...k.record.versions].sort((a, b) => b.version - a.version) : [k.version];
    for (const version of candidates) {
      const m = this.keys.material({ record: k.record, version });
      if (verifyWith(m, input.data, input.signature, input.context)) {
        return { valid: true, keyId: k.record.id, keyVersion: version.version, algorithm: k.record.algorithm };
      }
    }
    return { valid: false, keyId: k.record.id, keyVersion: undefined, algorithm: k.record.algorithm };
  };

  wrapKey: EncryptionBackend['wrapKey'] = async (input) => {
    if (!(input.key instanceof Uint8Array) || input.key.length === 0 || input.key.length > 1024) {
      throw new InvalidInputError('a wrapped key must be 1 to 1024 bytes');
    }
    const r = await this.keys.resolve(input.keyId, 'encryption', 'use');
    return {
      wrappedKey: this.#sealTo(r, input.key, 'base64', WRAP_AAD),
      keyId: r.record.id,
      keyVersion: r.version.version,
    };
  };

  unwrapKey = async (wrappedKey: string): Promise<Uint8Array> =>
    (await this.#decrypt({ payload: wrappedKey }, WRAP_AAD)).plaintext;

  generateDataKey: EncryptionBackend['generateDataKey'] = async (input): Promise<DataKey> => {
    const length = input?.length ?? 32;
    if (!Number.isInteger(length) || length < 16 || length > 64) {
      throw new InvalidInputError('data key length must be 16 to 64 bytes');
    }
    const plaintextKey = this.#ctx.providers.random.randomBytes(length);
    const w = await this.wrapKey({ key: plaintextKey, ...(input?.keyId ? { keyId: input.keyId } : {}) });
    return { plaintextKey, ...w };
  };
}

const signWith = (m: KeyMaterial, data: Uint8Array, context?: Uint8Array): Uint8Array => {
  if (m.kind !== 'signature') throw new KeyUsageError('key cannot sign');
  return m.suite.sign(m.keyPair.privateKey, data, context);
};

const verifyWith = (m: KeyMaterial, data: Uint8Array, sig: Uint8Array, context?: Uint8Array): boolean =>
  m.kind === 'signature' && m.suite.verify(m.keyPair.publicKey, data, sig, context);
