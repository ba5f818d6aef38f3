/**
 * API keys: `qapi_` + 32 random bytes (base64url). Only a hash is stored: HMAC-SHA-256 under the
 * server pepper when one is configured (a stolen table alone then cannot even be brute-forced
 * offline), else SHA-256 (the key has 256 bits of entropy, so a plain hash is not guessable).
 * Every request looks its key up in the store: revocation and scope changes take effect on the
 * next request, in every process.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { RecordStore } from '@quantumapi/sdk';

/**
 * Every scope, and the default set of a new key (`bootstrap` without --scopes). A key keeps the
 * scopes it was issued with: keys issued before a scope existed do not gain it.
 */
export const SCOPES = [
  'encryption:write',
  'encryption:read',
  'keys:read',
  'keys:write',
  'secrets:read',
  'secrets:write',
  'certificates:read',
  'certificates:write',
  'identity:write',
] as const;
export type Scope = (typeof SCOPES)[number];

const SYSTEM = '_system';
const BY_HASH = 'api_keys';
const BY_ID = 'api_key_ids';
/** Tenants that have been issued a key here: what the unauthenticated OIDC endpoints may name. */
const TENANTS = 'tenants';
const KEY_RE = /^qapi_[A-Za-z0-9_-]{43}$/;
export const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface ApiKeyRecord {
  readonly v: 1;
  readonly keyId: string;
  readonly tenant: string;
  readonly scopes: readonly Scope[];
  readonly name?: string;
  readonly createdAt: string;
  /** When `updateScopes` last changed the scopes. */
  readonly scopesUpdatedAt?: string;
  readonly revokedAt?: string;
}

export type ApiKeyErrorCode = 'API_KEY_NOT_FOUND' | 'API_KEY_REVOKED' | 'UNKNOWN_SCOPE' | 'INVALID_SCOPE_CHANGE';

/** Refusals of the key administration (the CLI prints `message`: it never holds a key or hash). */
export class ApiKeyError extends Error {
  override readonly name = 'ApiKeyError';
  readonly code: ApiKeyErrorCode;
  constructor(code: ApiKeyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export interface ScopeChange {
  readonly add?: readonly string[];
  readonly remove?: readonly string[];
}

export interface IssuedApiKey {
  /** Shown once; never stored. */
  readonly apiKey: string;
  readonly keyId: string;
  readonly tenant: string;
  readonly scopes: readonly Scope[];
}

export class ApiKeyService {
  readonly #store: RecordStore;
  readonly #pepper: Uint8Array | undefined;

  constructor(store: RecordStore, pepper?: Uint8Array) {
    this.#store = store;
    this.#pepper = pepper;
  }

  hash(apiKey: string): string {
    return this.#pepper
      ? createHmac('sha256', this.#pepper).update(apiKey).digest('hex')
      : createHash('sha256').update(apiKey).digest('hex');
  }

  async issue(tenant: string, scopes: readonly Scope[] = SCOPES, name?: string): Promise<IssuedApiKey> {
    if (!TENANT_RE.test(tenant)) throw new RangeError('tenant must be 1-64 characters of [A-Za-z0-9_.-]');
    const apiKey = `qapi_${randomBytes(32).toString('base64url')}`;
    const keyId = randomUUID();
    const hash = this.hash(apiKey);
    const record: ApiKeyRecord = {
      v: 1,
      keyId,
      tenant,
      scopes: [...scopes],
      ...(name ? { name } : {}),
      createdAt: new Date().toISOString(),
    };
    await this.#store.put(SYSTEM, BY_HASH, hash, record, 0);
    await this.#store.put(SYSTEM, BY_ID, keyId, { hash }, 0);
    await this.#store.put(SYSTEM, TENANTS, tenant, { createdAt: record.createdAt }, 0).catch((e: unknown) => {
      // Insert-if-absent: the tenant already has keys.
      if ((e as { code?: string }).code !== 'CONFLICT') throw e;
    });
    return { apiKey, keyId, tenant, scopes: record.scopes };
  }

  /** Whether any key was ever issued to the tenant (keys issued before this registry existed are not counted). */
  async tenantKnown(tenant: string): Promise<boolean> {
    return (await this.#store.get(SYSTEM, TENANTS, tenant)) !== undefined;
  }

  /** The active record for a presented key, or undefined. Store failures propagate (fail closed). */
  async authenticate(apiKey: string): Promise<ApiKeyRecord | undefined> {
    if (!KEY_RE.test(apiKey)) return undefined;
    const r = await this.#store.get<ApiKeyRecord>(SYSTEM, BY_HASH, this.hash(apiKey));
    if (!r || r.data.revokedAt !== undefined) return undefined;
    return r.data;
  }

  /** The record of a key by its id (the OAuth client_id), revoked or not. */
  async byId(keyId: string): Promise<ApiKeyRecord | undefined> {
    const ref = await this.#store.get<{ hash: string }>(SYSTEM, BY_ID, keyId);
    if (!ref) return undefined;
    return (await this.#store.get<ApiKeyRecord>(SYSTEM, BY_HASH, ref.data.hash))?.data;
  }

  /**
   * Adds and removes scopes of an active key (compare-and-set, so a concurrent revocation or change
   * is never overwritten). Every name must be a known scope, none both added and removed, and the
   * key must keep at least one (revoke it instead). Tokens already issued keep their `scope`
   * claim, but introspection reports only what the key still holds.
   */
  async updateScopes(keyId: string, change: ScopeChange): Promise<ApiKeyRecord> {
    const add = [...new Set(change.add ?? [])];
    const remove = [...new Set(change.remove ?? [])];
    for (const s of [...add, ...remove]) {
      if (!isScope(s)) throw new ApiKeyError('UNKNOWN_SCOPE', `unknown scope "${s}" (known: ${SCOPES.join(', ')})`);
    }
    if (add.length + remove.length === 0) throw new ApiKeyError('INVALID_SCOPE_CHANGE', 'nothing to add or remove');
    const both = add.find((s) => remove.includes(s));
    if (both) throw new ApiKeyError('INVALID_SCOPE_CHANGE', `scope "${both}" is both added and removed`);
    const ref = await this.#store.get<{ hash: string }>(SYSTEM, BY_ID, keyId);
    if (!ref) throw new ApiKeyError('API_KEY_NOT_FOUND', 'no API key with this id');
    for (;;) {
      const r = await this.#store.get<ApiKeyRecord>(SYSTEM, BY_HASH, ref.data.hash);
      if (!r) throw new ApiKeyError('API_KEY_NOT_FOUND', 'no API key with this id');
      if (r.data.revokedAt !== undefined) throw new ApiKeyError('API_KEY_REVOKED', 'the API key is revoked');
      const held = new Set<string>(r.data.scopes);
      for (const s of add) held.add(s);
      for (const s of remove) held.delete(s);
      // Stored in the canonical order, whatever order they were given in.
      const scopes = SCOPES.filter((s) => held.has(s));
      if (scopes.length === 0) {
        throw new ApiKeyError('INVALID_SCOPE_CHANGE', 'a key needs at least one scope (revoke it instead)');
      }
      if (scopes.length === r.data.scopes.length && scopes.every((s) => r.data.scopes.includes(s))) return r.data;
      const next: ApiKeyRecord = { ...r.data, scopes, scopesUpdatedAt: new Date().toISOString() };
      try {
        await this.#store.put(SYSTEM, BY_HASH, ref.data.hash, next, r.revision);
        return next;
      } catch (e) {
        if ((e as { code?: string }).code !== 'CONFLICT') throw e;
      }
    }
  }

  async revoke(keyId: string): Promise<boolean> {
    const ref = await this.#store.get<{ hash: string }>(SYSTEM, BY_ID, keyId);
    if (!ref) return false;
    for (;;) {
      const r = await this.#store.get<ApiKeyRecord>(SYSTEM, BY_HASH, ref.data.hash);
      if (!r) return false;
      if (r.data.revokedAt) return true;
      try {
        await this.#store.put(
          SYSTEM,
          BY_HASH,
          ref.data.hash,
          { ...r.data, revokedAt: new Date().toISOString() },
          r.revision,
        );
        return true;
      } catch (e) {
        if ((e as { code?: string }).code !== 'CONFLICT') throw e;
      }
    }
  }
}
