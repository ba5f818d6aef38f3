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
 */
export type HttpMethod = 'GET' | 'POST';

export interface Route {
  readonly method: HttpMethod;
  /** Relative to the base URL; `{id}` is replaced by the URL-encoded key id. */
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
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof ROUTES;

export const routePath = (route: Route, id?: string): string =>
  id === undefined ? route.path : route.path.replace('{id}', encodeURIComponent(id));
