/**
 * What the local engine hands to each of its services (keys, vault, certificates, identity):
 * one tenant's view of the store, that tenant's keyring, the crypto providers and a clock.
 */
import type { CryptoProviders } from '../crypto/providers.js';
import type { RecordStore } from './stores/types.js';

/**
 * Envelope encryption under the tenant's data key (itself wrapped by the master key).
 * `purpose` is bound as AEAD associated data: name the record and field, e.g. `key:<id>:v<n>`,
 * so a sealed blob copied onto another record fails to open.
 */
export interface TenantKeyring {
  seal(purpose: string, plaintext: Uint8Array): string;
  /** Throws DecryptionFailedError (tampered, wrong purpose) or InvalidCiphertextError (malformed). */
  open(purpose: string, sealed: string): Uint8Array;
}

export interface LocalContext {
  readonly tenant: string;
  readonly store: RecordStore;
  readonly keyring: TenantKeyring;
  readonly providers: CryptoProviders;
  readonly now: () => Date;
}
