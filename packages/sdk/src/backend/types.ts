/**
 * The backend contract: what every backend (embedded local engine, remote http service) offers the
 * namespaces. Bytes in, bytes out; namespaces own encodings, validation and ergonomics. Shapes here
 * are the public result types as well, so they are precise and JSON-friendly (ISO dates, numbers).
 */
import type { CertificatesBackend } from '../certificates/backend.js';
import type { KeyAlgorithm } from '../crypto/algorithms.js';
import type { IdentityBackend } from '../identity/backend.js';
import type { VaultBackend } from '../vault/backend.js';

export type KeyState = 'Active' | 'Deprecated' | 'PendingDeletion';
export type KeyVersionState = 'Active' | 'Deprecated';

export interface KeyVersionInfo {
  readonly version: number;
  /** The current version of an Active key is Active; older versions are Deprecated (decrypt/verify only). */
  readonly state: KeyVersionState;
  readonly createdAt: string;
  /** Standard Base64 public key; absent for symmetric keys. */
  readonly publicKey?: string;
}

export interface KeyInfo {
  readonly id: string;
  readonly name: string | undefined;
  readonly algorithm: KeyAlgorithm;
  readonly state: KeyState;
  readonly currentVersion: number;
  readonly versions: readonly KeyVersionInfo[];
  readonly isDefault: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a PendingDeletion key is purged. */
  readonly deletionDate?: string;
}

export interface CreateKeyInput {
  readonly algorithm: KeyAlgorithm;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Make this the tenant's default key for its purpose (encryption or signing). */
  readonly setAsDefault?: boolean;
}

export interface ListKeysInput {
  readonly pageSize?: number;
  readonly continuationToken?: string;
  readonly algorithm?: KeyAlgorithm;
  readonly state?: KeyState;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back to get the next page; undefined on the last page. */
  readonly continuationToken: string | undefined;
}

/** `utf8`: the plaintext was a string and decrypts to a string; `base64`: bytes. */
export type PayloadEncoding = 'utf8' | 'base64';

export interface EncryptInput {
  readonly plaintext: Uint8Array;
  readonly encoding: PayloadEncoding;
  readonly keyId?: string;
  readonly aad?: Uint8Array;
}

export interface EncryptOutput {
  /** The EaaS payload (docs/formats.md): Base64 of compact JSON. */
  readonly payload: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface DecryptInput {
  readonly payload: string;
  readonly aad?: Uint8Array;
}

export interface DecryptOutput {
  readonly plaintext: Uint8Array;
  readonly encoding: PayloadEncoding;
  readonly keyId: string;
  readonly keyVersion: number;
}

export type BatchItemResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export interface SignInput {
  readonly data: Uint8Array;
  readonly keyId?: string;
  readonly context?: Uint8Array;
}

export interface SignOutput {
  readonly signature: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly algorithm: KeyAlgorithm;
}

export interface VerifyInput {
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  readonly keyId: string;
  /** Defaults to the version that produced the signature when known, else every non-deleted version. */
  readonly keyVersion?: number;
  readonly context?: Uint8Array;
}

export interface VerifyOutput {
  readonly valid: boolean;
  readonly keyId: string;
  /** The version whose public key verified the signature, when valid. */
  readonly keyVersion: number | undefined;
  readonly algorithm: KeyAlgorithm;
}

export interface GenerateDataKeyInput {
  readonly keyId?: string;
  /** Bytes of key material; 32 (AES-256) by default. */
  readonly length?: number;
}

export interface DataKey {
  /** Plaintext data key: keep in memory only. */
  readonly plaintextKey: Uint8Array;
  /** The data key wrapped under the backend key (an EaaS payload). */
  readonly wrappedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface WrapKeyInput {
  readonly key: Uint8Array;
  readonly keyId?: string;
}

export interface WrapKeyOutput {
  readonly wrappedKey: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

/** A public key as a JWK (AKP for ML-DSA / ML-KEM). */
export interface PublicJwk {
  readonly kty: string;
  readonly alg: string;
  readonly kid: string;
  readonly pub?: string;
}

export interface EncryptionBackend {
  createKey(input: CreateKeyInput): Promise<KeyInfo>;
  listKeys(input?: ListKeysInput): Promise<Page<KeyInfo>>;
  getKey(keyId: string): Promise<KeyInfo>;
  rotateKey(keyId: string): Promise<KeyInfo>;
  /** Deprecate the whole key: decrypt/verify only from now on. */
  deprecateKey(keyId: string): Promise<KeyInfo>;
  /** Re-activate a Deprecated key. */
  reactivateKey(keyId: string): Promise<KeyInfo>;
  scheduleKeyDeletion(keyId: string, input?: { readonly gracePeriodDays?: number }): Promise<KeyInfo>;
  cancelKeyDeletion(keyId: string): Promise<KeyInfo>;
  setDefaultKey(keyId: string): Promise<KeyInfo>;
  exportPublicKey(keyId: string, version?: number): Promise<PublicJwk>;

  encrypt(input: EncryptInput): Promise<EncryptOutput>;
  decrypt(input: DecryptInput): Promise<DecryptOutput>;
  encryptBatch(items: readonly EncryptInput[]): Promise<BatchItemResult<EncryptOutput>[]>;
  decryptBatch(items: readonly DecryptInput[]): Promise<BatchItemResult<DecryptOutput>[]>;
  sign(input: SignInput): Promise<SignOutput>;
  verify(input: VerifyInput): Promise<VerifyOutput>;
  generateDataKey(input?: GenerateDataKeyInput): Promise<DataKey>;
  wrapKey(input: WrapKeyInput): Promise<WrapKeyOutput>;
  unwrapKey(wrappedKey: string): Promise<Uint8Array>;
}

/** A backend: one object per tenant connection, one section per namespace. */
export interface Backend {
  readonly kind: 'local' | 'http';
  readonly encryption: EncryptionBackend;
  readonly vault: VaultBackend;
  readonly identity: IdentityBackend;
  readonly certificates: CertificatesBackend;
  /** Resolves once the backend can serve (store opened, master key checked); rejects with a typed error. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
