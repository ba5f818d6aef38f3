/**
 * The vault section of the backend contract (attached as `Backend.vault`). Bytes in, bytes out:
 * the namespace owns string/bytes ergonomics, validation, caching and redaction.
 *
 * A secret is addressed by a `ref`: its id (a UUID) or its name. Names may not be UUID-shaped, so a
 * ref is never ambiguous.
 */
import type { Page, PayloadEncoding } from '../backend/types.js';

export type SecretState = 'Active' | 'Deleted';

export interface SecretVersionInfo {
  readonly version: number;
  readonly createdAt: string;
}

/** Secret metadata: everything except the value. Safe to log. */
export interface SecretInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  /** Free-form hint for consumers (e.g. `application/json`, `text/x-pem`); never interpreted. */
  readonly contentType: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: SecretState;
  readonly currentVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the secret was soft-deleted; absent while Active. */
  readonly deletedAt?: string;
}

export interface SecretValueOutput {
  readonly info: SecretInfo;
  readonly version: number;
  readonly value: Uint8Array;
  /** `utf8`: created from a string and read back as one; `base64`: raw bytes. */
  readonly encoding: PayloadEncoding;
}

export interface CreateSecretInput {
  readonly name: string;
  readonly value: Uint8Array;
  readonly encoding: PayloadEncoding;
  readonly description?: string;
  readonly contentType?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface UpdateSecretInput {
  /** A new value makes a new version; metadata-only updates do not. */
  readonly value?: { readonly bytes: Uint8Array; readonly encoding: PayloadEncoding };
  /** `null` clears the field. */
  readonly description?: string | null;
  readonly contentType?: string | null;
  /** Replaces the whole label set. */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ListSecretsInput {
  readonly pageSize?: number;
  readonly continuationToken?: string;
  /** Every given label must match exactly. */
  readonly labels?: Readonly<Record<string, string>>;
  /** `Active` (default), `Deleted`, or `all`. */
  readonly state?: SecretState | 'all';
}

export interface VaultBackend {
  createSecret(input: CreateSecretInput): Promise<SecretInfo>;
  /** Metadata of an Active or Deleted secret. */
  getSecret(ref: string): Promise<SecretInfo>;
  /** The value of an Active secret: the current version unless `version` is given. */
  getSecretValue(ref: string, version?: number): Promise<SecretValueOutput>;
  listSecrets(input?: ListSecretsInput): Promise<Page<SecretInfo>>;
  updateSecret(ref: string, input: UpdateSecretInput): Promise<SecretInfo>;
  listSecretVersions(ref: string): Promise<SecretVersionInfo[]>;
  /** Soft delete: the secret keeps its name and versions and can be restored until purged. */
  deleteSecret(ref: string): Promise<SecretInfo>;
  restoreSecret(ref: string): Promise<SecretInfo>;
  /** Permanently remove a soft-deleted secret (SECRET_STATE if it is still Active). */
  purgeSecret(ref: string): Promise<void>;
}
