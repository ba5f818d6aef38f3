/**
 * Every route the http backend calls, in one table (docs/http-api.md documents each body).
 *
 * `repeatSafe`: the operation may be sent again after a network error, a timeout or a 502/503/504
 * without changing the outcome: reads, and operations whose only effect is their response
 * (encrypt, sign, data keys, wrap: a repeated call returns a different but equally valid result,
 * and at most creates the tenant's default key, which is itself idempotent). Creating and rotating
 * keys, scheduling and cancelling deletion are not: a lost response followed by a retry would
 * create a second key, rotate twice, or fail with a state error for work that succeeded.
 * A 429 is retried for every operation: the server refuses before doing anything.
 *
 * Vault: reads are repeat-safe; creating, updating (a new value is a new version), deleting,
 * restoring and purging are not (a retry after a lost response would add a version, or fail with
 * SECRET_STATE / SECRET_NOT_FOUND / CONFLICT for work that succeeded).
 * Identity: issuing a token only produces its response (like sign), so it is repeat-safe.
 * Certificates: issuing (a second certificate for the same CSR) and revoking are not; reads are.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** Relative to the base URL; `{id}` is replaced by the URL-encoded id (key id, secret ref, serial, CA id). */
  readonly path: string;
  readonly repeatSafe: boolean;
}

export const ROUTES = {
  health: { method: 'GET', path: '/health', repeatSafe: true },
  ready: { method: 'GET', path: '/ready', repeatSafe: true },
  encrypt: { method: 'POST', path: '/encrypt', repeatSafe: true },
  decrypt: { method: 'POST', path: '/decrypt', repeatSafe: true },
  encryptBatch: { method: 'POST', path: '/encrypt/batch', repeatSafe: true },
  decryptBatch: { method: 'POST', path: '/decrypt/batch', repeatSafe: true },
  sign: { method: 'POST', path: '/sign', repeatSafe: true },
  verify: { method: 'POST', path: '/verify', repeatSafe: true },
  generateDataKey: { method: 'POST', path: '/data-keys', repeatSafe: true },
  wrapKey: { method: 'POST', path: '/keys/wrap', repeatSafe: true },
  unwrapKey: { method: 'POST', path: '/keys/unwrap', repeatSafe: true },
  listKeys: { method: 'GET', path: '/keys', repeatSafe: true },
  createKey: { method: 'POST', path: '/keys', repeatSafe: false },
  getKey: { method: 'GET', path: '/keys/{id}', repeatSafe: true },
  rotateKey: { method: 'POST', path: '/keys/{id}/rotate', repeatSafe: false },
  deprecateKey: { method: 'POST', path: '/keys/{id}/deprecate', repeatSafe: true },
  reactivateKey: { method: 'POST', path: '/keys/{id}/reactivate', repeatSafe: true },
  scheduleKeyDeletion: { method: 'POST', path: '/keys/{id}/schedule-deletion', repeatSafe: false },
  cancelKeyDeletion: { method: 'POST', path: '/keys/{id}/cancel-deletion', repeatSafe: false },
  setDefaultKey: { method: 'POST', path: '/keys/{id}/default', repeatSafe: true },
  exportPublicKey: { method: 'GET', path: '/keys/{id}/public', repeatSafe: true },

  listSecrets: { method: 'GET', path: '/secrets', repeatSafe: true },
  createSecret: { method: 'POST', path: '/secrets', repeatSafe: false },
  getSecret: { method: 'GET', path: '/secrets/{id}', repeatSafe: true },
  getSecretValue: { method: 'GET', path: '/secrets/{id}/value', repeatSafe: true },
  updateSecret: { method: 'PATCH', path: '/secrets/{id}', repeatSafe: false },
  listSecretVersions: { method: 'GET', path: '/secrets/{id}/versions', repeatSafe: true },
  deleteSecret: { method: 'DELETE', path: '/secrets/{id}', repeatSafe: false },
  restoreSecret: { method: 'POST', path: '/secrets/{id}/restore', repeatSafe: false },
  purgeSecret: { method: 'POST', path: '/secrets/{id}/purge', repeatSafe: false },

  identityIssuer: { method: 'GET', path: '/identity/issuer', repeatSafe: true },
  issueToken: { method: 'POST', path: '/identity/tokens', repeatSafe: true },
  identityJwks: { method: 'GET', path: '/identity/jwks', repeatSafe: true },

  issueCertificate: { method: 'POST', path: '/certificates', repeatSafe: false },
  listCertificates: { method: 'GET', path: '/certificates', repeatSafe: true },
  getCertificate: { method: 'GET', path: '/certificates/{id}', repeatSafe: true },
  revokeCertificate: { method: 'POST', path: '/certificates/{id}/revoke', repeatSafe: false },
  caCertificate: { method: 'GET', path: '/cas/{id}', repeatSafe: true },
  crl: { method: 'GET', path: '/cas/{id}/crl', repeatSafe: true },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

/** The CA the certificates section talks to: a tenant has one issuing CA on our server. */
export const DEFAULT_CA_ID = 'default';

export const routePath = (route: Route, id?: string): string =>
  id === undefined ? route.path : route.path.replace('{id}', encodeURIComponent(id));
