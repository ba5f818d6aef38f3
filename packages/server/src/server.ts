/** Wires config -> store -> engine -> app, and serves it. */
import { serve } from '@hono/node-server';
import { createLocalBackend, defaultProviders, MemoryStore, PostgresStore, type RecordStore } from '@quantumapi/sdk';
import { ApiKeyService } from './api-keys.js';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { jsonLogger, type Logger } from './log.js';
import { issuerUrl } from './oidc-routes.js';
import { publicCaIssuersUrl, publicCrlUrl } from './pki-routes.js';
import { RateLimiter } from './rate-limit.js';
import { TenantBackends, type TenantUrls } from './tenants.js';

export const openStore = async (config: ServerConfig): Promise<RecordStore> => {
  const store: RecordStore =
    config.store === 'memory'
      ? new MemoryStore()
      : new PostgresStore({
          connectionString: config.databaseUrl as string,
          schema: config.dbSchema,
          maxConnections: config.poolSize,
        });
  await store.open();
  return store;
};

/** Fails start-up on a master key that does not match the store, before any request is served. */
const checkMasterKey = async (store: RecordStore, config: ServerConfig): Promise<void> => {
  const probe = createLocalBackend({
    store,
    masterKey: config.masterKey,
    providers: defaultProviders,
    tenant: 'qapi-server',
    ownsStore: false,
  });
  await probe.ready();
  await probe.close();
};

/** A wildcard bind address is not somewhere a client can go: advertise loopback (set QAPI_PUBLIC_URL). */
const advertisedHost = (host: string): string => {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
};

/**
 * What each tenant publishes under this server's public URL: its OIDC issuer always, and with the
 * public PKI routes on, the CRL and CA certificate its issued certificates point to. The URL is a
 * getter: it is known only once the server listens.
 */
export const tenantUrls = (publicUrl: () => string, basePath: string, publicPki: boolean): TenantUrls => ({
  issuer: (tenant) => issuerUrl(publicUrl(), basePath, tenant),
  ...(publicPki
    ? {
        crl: (tenant) => publicCrlUrl(publicUrl(), basePath, tenant),
        caIssuers: (tenant) => publicCaIssuersUrl(publicUrl(), basePath, tenant),
      }
    : {}),
});

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export const startServer = async (config: ServerConfig, logger: Logger = jsonLogger()): Promise<RunningServer> => {
  const store = await openStore(config);
  await checkMasterKey(store, config);
  // The bound port is known only after listen (PORT=0): the URL is read when a request needs it.
  let publicUrl = config.publicUrl;
  const getPublicUrl = (): string => publicUrl ?? `http://${config.host}:${config.port}`;
  const tenants = new TenantBackends(
    store,
    config.masterKey,
    defaultProviders,
    tenantUrls(getPublicUrl, config.basePath, config.publicPki),
  );
  const app = createApp({
    store,
    apiKeys: new ApiKeyService(store, config.pepper),
    tenants,
    limiter: new RateLimiter(config.rateLimit),
    anonymousLimiter: new RateLimiter(config.anonymousRateLimit),
    authFailureLimiter: new RateLimiter(config.authFailureRateLimit),
    ...(config.trustedProxies ? { trustedProxies: config.trustedProxies } : {}),
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    basePath: config.basePath,
    oidc: {
      publicUrl: getPublicUrl,
      tokenTtlSeconds: config.tokenTtlSeconds,
      cacheTtlSeconds: config.oidcCacheSeconds,
    },
    ...(config.publicPki ? { pki: { cacheTtlSeconds: config.pkiCacheSeconds } } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  publicUrl ??= `http://${advertisedHost(config.host)}:${port}`;
  logger.log('info', 'listening', { port, store: store.kind });
  return {
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tenants.close();
      await store.close();
    },
  };
};
