/**
 * The server's app over a memory store, answered in process (`app.request`), as the route tests
 * use it: one place that knows how the pieces are wired, so each test says only what differs.
 */
import { randomBytes } from 'node:crypto';
import { defaultProviders, MemoryStore } from '@quantumapi/sdk';
import { ApiKeyService } from '../src/api-keys.js';
import { type AppDeps, createApp } from '../src/app.js';
import { jsonLogger } from '../src/log.js';
import type { OidcOptions } from '../src/oidc-routes.js';
import type { PkiOptions } from '../src/pki-routes.js';
import { RateLimiter } from '../src/rate-limit.js';
import { TenantBackends } from '../src/tenants.js';
import { tenantUrls } from '../src/server.js';
import { parseTrustedProxies } from '../src/client-address.js';

/** The public URL the in-process issuer names itself by, and where the API is mounted. */
export const PUBLIC = 'http://127.0.0.1:9999';
export const BASE = '/api/v1';

export interface InProcessOptions<S extends MemoryStore> {
  readonly store?: S;
  /** Overrides of the OIDC options (public URL and a 600 s token lifetime by default). */
  readonly oidc?: Partial<OidcOptions>;
  readonly anonymousLimiter?: RateLimiter;
  readonly authFailureLimiter?: RateLimiter;
  /** Addresses and CIDR ranges whose X-Forwarded-For is believed (QAPI_TRUSTED_PROXIES). */
  readonly trustedProxies?: readonly string[];
  /** Serve the public CA chain and CRL with these options; omitted: switched off (the default). */
  readonly pki?: PkiOptions;
}

export const inProcessApp = <S extends MemoryStore = MemoryStore>(options: InProcessOptions<S> = {}) => {
  const store = options.store ?? (new MemoryStore() as S);
  /** Every log line the app wrote, as JSON text. */
  const lines: string[] = [];
  const apiKeys = new ApiKeyService(store);
  const masterKey = randomBytes(32);
  // As the server wires it (tenantUrls): with public PKI on, certificates name the public CRL and CA.
  const tenants = new TenantBackends(
    store,
    masterKey,
    defaultProviders,
    tenantUrls(() => PUBLIC, BASE, !!options.pki),
  );
  const deps: AppDeps = {
    store,
    apiKeys,
    tenants,
    limiter: new RateLimiter({ ratePerSecond: 1000, burst: 1000 }),
    ...(options.anonymousLimiter ? { anonymousLimiter: options.anonymousLimiter } : {}),
    ...(options.authFailureLimiter ? { authFailureLimiter: options.authFailureLimiter } : {}),
    ...(options.trustedProxies ? { trustedProxies: parseTrustedProxies(options.trustedProxies) } : {}),
    logger: jsonLogger((l) => lines.push(l)),
    bodyLimitBytes: 64 * 1024,
    oidc: { publicUrl: () => PUBLIC, tokenTtlSeconds: 600, ...options.oidc },
    ...(options.pki ? { pki: options.pki } : {}),
  };
  /** `masterKey` lets a test open a second TenantBackends over the store, as another process would. */
  return { app: createApp(deps), store, apiKeys, tenants, lines, masterKey };
};

/** What @hono/node-server passes as the connection: the request comes from `address`. */
export const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

/** A client_credentials token request (client_secret_post) to the tenant's issuer, from `address` when given. */
export const requestToken = (
  app: ReturnType<typeof inProcessApp>['app'],
  tenant: string,
  clientId: string,
  secret: string,
  address?: string,
) =>
  app.request(
    `${BASE}/oidc/${tenant}/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      }).toString(),
    },
    address ? fromAddress(address) : undefined,
  );
