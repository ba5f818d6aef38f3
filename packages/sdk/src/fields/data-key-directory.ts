/**
 * Where wrapped data keys live, found by the short id each field ciphertext carries
 * (docs/decisions/0005-field-keys.md). The id is derived from the wrapped key itself, so a
 * directory can be shared by many writers without coordination and a swapped entry is detected.
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { lengthPrefixed, toBase64Url, utf8 } from '../crypto/bytes.js';
import { StoreCorruptError } from '../errors.js';

export type DataKeyPurpose = 'field' | 'index-root';

export interface DataKeyRecord {
  readonly tenant: string;
  /** `dataKeyIdOf(wrappedKey)` for field keys; `INDEX_ROOT_ID` for the blind-index root. */
  readonly id: string;
  readonly purpose: DataKeyPurpose;
  /** The backend's wrapped form (an EaaS payload): never the plaintext key. */
  readonly wrappedKey: string;
  /** Backend key (and version) that wrapped it: tells operators what a key rotation must re-wrap. */
  readonly keyId: string;
  readonly keyVersion: number;
  readonly createdAt: string;
}

export interface DataKeyDirectory {
  /**
   * Insert if absent, atomically; returns the record that is stored afterwards (the existing one
   * when another writer won the race). Must be durable before it resolves: ciphertexts that name
   * the id are written only after.
   */
  put(record: DataKeyRecord): Promise<DataKeyRecord>;
  get(tenant: string, id: string): Promise<DataKeyRecord | undefined>;
}

export const INDEX_ROOT_ID = 'index-root.v1';

const ID_LABEL = utf8('quantumapi/field-data-key-id/v1');

/** 96 bits of SHA3-256 over the wrapped key, as 16 base64url characters. */
export const dataKeyIdOf = (wrappedKey: string): string =>
  toBase64Url(sha3_256(lengthPrefixed(ID_LABEL, utf8(wrappedKey))).subarray(0, 12));

/** Rejects a directory entry whose content does not match the id it was found under. */
export const checkRecord = (record: DataKeyRecord, tenant: string, id: string): DataKeyRecord => {
  const expectedPurpose: DataKeyPurpose = id === INDEX_ROOT_ID ? 'index-root' : 'field';
  if (record.tenant !== tenant || record.id !== id || record.purpose !== expectedPurpose) {
    throw new StoreCorruptError('data key directory returned a record for another id', { details: { id } });
  }
  if (expectedPurpose === 'field' && dataKeyIdOf(record.wrappedKey) !== id) {
    throw new StoreCorruptError('data key directory entry does not match its id', { details: { id } });
  }
  return record;
};

/** Process-local directory: tests, and apps whose ciphertexts never outlive the process. */
export class MemoryDataKeyDirectory implements DataKeyDirectory {
  readonly #records = new Map<string, DataKeyRecord>();

  async put(record: DataKeyRecord): Promise<DataKeyRecord> {
    const k = `${record.tenant}\u0000${record.id}`;
    const existing = this.#records.get(k);
    if (existing) return existing;
    const copy = Object.freeze({ ...record });
    this.#records.set(k, copy);
    return copy;
  }

  async get(tenant: string, id: string): Promise<DataKeyRecord | undefined> {
    return this.#records.get(`${tenant}\u0000${id}`);
  }

  get size(): number {
    return this.#records.size;
  }
}

/** SQL dialects the ORM adapters and the migration engine share the directory table in. */
export type DataKeyTableDialect = 'postgres' | 'sqlite' | 'mysql';

/**
 * The one directory table every ORM adapter and the migration engine use, so a row written through
 * any of them finds its data key through the others. MySQL needs bounded key columns in a primary key.
 */
export const dataKeysTableSql = (dialect: DataKeyTableDialect, table = 'quantumapi_data_keys'): string => {
  const key = dialect === 'mysql' ? 'VARCHAR(255)' : 'TEXT';
  return `CREATE TABLE IF NOT EXISTS ${table} (
  tenant      ${key.padEnd(7)} NOT NULL,
  id          ${key.padEnd(7)} NOT NULL,
  purpose     TEXT    NOT NULL,
  wrapped_key TEXT    NOT NULL,
  key_id      TEXT    NOT NULL,
  key_version INTEGER NOT NULL,
  created_at  TEXT    NOT NULL,
  PRIMARY KEY (tenant, id)
)`;
};

/** A directory row as SQL drivers return it (integers may come back as strings or bigints). */
export interface DataKeyRow {
  readonly tenant: string;
  readonly id: string;
  readonly purpose: string;
  readonly wrapped_key: string;
  readonly key_id: string;
  readonly key_version: number | string | bigint;
  readonly created_at: string;
}

export const dataKeyRecordFromRow = (r: DataKeyRow): DataKeyRecord => ({
  tenant: r.tenant,
  id: r.id,
  purpose: r.purpose as DataKeyPurpose,
  wrappedKey: r.wrapped_key,
  keyId: r.key_id,
  keyVersion: Number(r.key_version),
  createdAt: r.created_at,
});
