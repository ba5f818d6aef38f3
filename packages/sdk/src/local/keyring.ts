/**
 * The local key hierarchy: master key -> per-tenant data key -> sealed records (key seeds, secret
 * values, CA keys). Only sealed bytes reach the store.
 *
 * Sealed blob: `s1.<b64url nonce>.<b64url ciphertext||tag>`, AES-256-GCM, AAD = LP(label) || LP(tenant) || LP(purpose).
 */
import { fromBase64Url, lengthPrefixed, toBase64Url, utf8 } from '../crypto/bytes.js';
import type { CryptoProviders } from '../crypto/providers.js';
import {
  ConflictError,
  DecryptionFailedError,
  InvalidCiphertextError,
  MasterKeyInvalidError,
  StoreCorruptError,
} from '../errors.js';
import type { TenantKeyring } from './context.js';
import type { RecordStore } from './stores/types.js';

const SEAL_LABEL = utf8('QuantumAPI-Seal-v1');
const TENANT_KEY_LABEL = utf8('QuantumAPI-TenantKey-v1');
const CHECK_LABEL = utf8('QuantumAPI-MasterKeyCheck-v1');

export const SYSTEM_TENANT = '_system';
const META = '_meta';
const TENANT = '_tenant';

const seal = (p: CryptoProviders, key: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): string => {
  const nonce = p.random.randomBytes(12);
  return `s1.${toBase64Url(nonce)}.${toBase64Url(p.aead.seal(key, nonce, plaintext, aad))}`;
};

const open = (p: CryptoProviders, key: Uint8Array, aad: Uint8Array, sealed: string): Uint8Array => {
  const parts = typeof sealed === 'string' ? sealed.split('.') : [];
  if (parts.length !== 3 || parts[0] !== 's1') throw new InvalidCiphertextError('invalid sealed value');
  let nonce: Uint8Array;
  let body: Uint8Array;
  try {
    nonce = fromBase64Url(parts[1] as string);
    body = fromBase64Url(parts[2] as string);
  } catch (cause) {
    throw new InvalidCiphertextError('invalid sealed value', { cause });
  }
  if (nonce.length !== 12 || body.length < 16) throw new InvalidCiphertextError('invalid sealed value');
  return p.aead.open(key, nonce, body, aad);
};

export const createTenantKeyring = (p: CryptoProviders, tenant: string, dataKey: Uint8Array): TenantKeyring => ({
  seal: (purpose, plaintext) => seal(p, dataKey, lengthPrefixed(SEAL_LABEL, utf8(tenant), utf8(purpose)), plaintext),
  open: (purpose, sealed) => open(p, dataKey, lengthPrefixed(SEAL_LABEL, utf8(tenant), utf8(purpose)), sealed),
});

interface CheckRecord {
  readonly v: 1;
  readonly check: string;
}

interface TenantKeyRecord {
  readonly v: 1;
  readonly wrappedKey: string;
  readonly createdAt: string;
}

/**
 * Proves the master key is the one the store was created with, before anything is read or written:
 * a wrong key must stop start-up, not surface later as "every record is corrupt".
 */
export const checkMasterKey = async (p: CryptoProviders, store: RecordStore, masterKey: Uint8Array): Promise<void> => {
  const rec = await store.get<CheckRecord>(SYSTEM_TENANT, META, 'master-key-check');
  if (!rec) {
    const check = seal(p, masterKey, CHECK_LABEL, CHECK_LABEL);
    try {
      await store.put<CheckRecord>(SYSTEM_TENANT, META, 'master-key-check', { v: 1, check }, 0);
      return;
    } catch (e) {
      // Another process initialised the store first: verify against its record.
      if (e instanceof ConflictError) return checkMasterKey(p, store, masterKey);
      throw e;
    }
  }
  try {
    open(p, masterKey, CHECK_LABEL, rec.data.check);
  } catch (cause) {
    if (cause instanceof DecryptionFailedError) {
      throw new MasterKeyInvalidError(
        `the master key does not match this ${store.kind} store (it was created with a different QAPI_MASTER_KEY)`,
      );
    }
    throw new StoreCorruptError('the master key check record is corrupt', { cause });
  }
};

/** Loads the tenant's data key, creating it on first use. */
export const loadTenantKeyring = async (
  p: CryptoProviders,
  store: RecordStore,
  masterKey: Uint8Array,
  tenant: string,
  now: () => Date,
): Promise<TenantKeyring> => {
  const aad = lengthPrefixed(TENANT_KEY_LABEL, utf8(tenant));
  const rec = await store.get<TenantKeyRecord>(tenant, TENANT, 'data-key');
  if (rec) {
    try {
      return createTenantKeyring(p, tenant, open(p, masterKey, aad, rec.data.wrappedKey));
    } catch (cause) {
      throw new MasterKeyInvalidError(`cannot unwrap the data key of tenant "${tenant}" with this master key`, {
        cause,
      });
    }
  }
  const dataKey = p.random.randomBytes(32);
  const data: TenantKeyRecord = { v: 1, wrappedKey: seal(p, masterKey, aad, dataKey), createdAt: now().toISOString() };
  try {
    await store.put(tenant, TENANT, 'data-key', data, 0);
  } catch (e) {
    if (e instanceof ConflictError) return loadTenantKeyring(p, store, masterKey, tenant, now);
    throw e;
  }
  return createTenantKeyring(p, tenant, dataKey);
};
