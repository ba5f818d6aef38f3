/**
 * The HTTP application: request id -> log -> body limit -> API key -> rate limit -> scope -> route.
 * Routes live in *-routes.ts; this file is the pipeline around them. The OIDC endpoints
 * (oidc-routes.ts) sit beside the API under {base}/oidc/{tenant}: they authenticate OAuth clients,
 * not API key headers. The public CA chain and CRL (pki-routes.ts) sit under {base}/pki/{tenant} and
 * need no credentials at all.
 */
import { randomUUID } from 'node:crypto';
import type { BlockList } from 'node:net';
import type { RecordStore } from '@quantumapi/sdk';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiKeyRecord, ApiKeyService, Scope } from './api-keys.js';
import { registerCertificatesRoutes } from './certificates-routes.js';
import { AuthFailureGuard } from './auth-failures.js';
import { clientAddressVia } from './client-address.js';
import { registerEncryptionRoutes } from './encryption-routes.js';
import { errorBody, rateLimitedResponse, toErrorResponse } from './http-errors.js';
import { registerIdentityRoutes } from './identity-routes.js';
import type { Logger } from './log.js';
import { createOidcRoutes, type OidcOptions } from './oidc-routes.js';
import { createPkiRoutes, disabledPkiRoutes, type PkiOptions } from './pki-routes.js';
import { ANONYMOUS_RATE_LIMIT, AUTH_FAILURE_RATE_LIMIT, RateLimiter } from './rate-limit.js';
import type { TenantBackends } from './tenants.js';
import { registerVaultRoutes } from './vault-routes.js';

export interface AppDeps {
  readonly store: RecordStore;
  readonly apiKeys: ApiKeyService;
  readonly tenants: TenantBackends;
  readonly limiter: RateLimiter;
  /**
   * Per client address, in front of the endpoints that need no credentials (OIDC discovery and
   * JWKS, the public CA chain and CRL), one budget for all of them. Omitted: a limiter with the
   * defaults of QAPI_ANON_RATE_LIMIT_RPS / _BURST.
   */
  readonly anonymousLimiter?: RateLimiter;
  /** Proxies whose X-Forwarded-For names the client for that limit (QAPI_TRUSTED_PROXIES). */
  readonly trustedProxies?: BlockList;
  /**
   * Failed authentications per client address, checked before a presented key is looked up.
   * Omitted: a limiter with the defaults of QAPI_AUTH_FAILURE_RATE_LIMIT_RPS / _BURST.
   */
  readonly authFailureLimiter?: RateLimiter;
  readonly logger: Logger;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimitBytes: number;
  /** Where the API is mounted; the sdk's default base URL ends in /api/v1. */
  readonly basePath?: string;
  /** Serve each tenant's OIDC issuer endpoints; omitted: no OIDC endpoints. */
  readonly oidc?: OidcOptions;
  /** Serve each tenant's CA chain and CRL without credentials (QAPI_PUBLIC_PKI); omitted: 404. */
  readonly pki?: PkiOptions;
}

export interface AppVars {
  requestId: string;
  auth: ApiKeyRecord;
}
export type AppEnv = { Variables: AppVars };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const sendError = (c: Context<AppEnv>, e: unknown) => {
  const { status, body } = toErrorResponse(e, c.get('requestId'));
  return c.json(body, status as 400);
};

export const createApp = (deps: AppDeps): Hono<AppEnv> => {
  const rateLimited = (c: Context<AppEnv>, retryAfterSeconds: number, fields: Record<string, unknown>) =>
    rateLimitedResponse(c, deps.logger, retryAfterSeconds, fields);

  const app = new Hono<AppEnv>();
  const base = deps.basePath ?? '/api/v1';

  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      c.header('x-request-id', requestId);
      const auth = c.get('auth') as ApiKeyRecord | undefined;
      deps.logger.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
        requestId,
        method: c.req.method,
        route: c.req.routePath,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(auth ? { tenant: auth.tenant, apiKeyId: auth.keyId } : {}),
      });
    }
  });

  app.onError((e, c) => {
    deps.logger.log('error', 'unhandled error', {
      requestId: c.get('requestId'),
      errorName: e.name,
      ...('code' in e && typeof e.code === 'string' ? { code: e.code } : {}),
    });
    return sendError(c, e);
  });

  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such route', c.get('requestId')), 404));

  const health = (c: Context<AppEnv>) => c.json({ status: 'ok' });
  // A read through the same path every request takes: fails when the database does. Anyone may
  // ask, so at most one read per second reaches the store, shared by every request meanwhile
  // (no rate limit here: a 429 would tell an orchestrator the process is not ready).
  let probe: { readonly at: number; readonly reachable: Promise<boolean> } | undefined;
  const storeReachable = (): Promise<boolean> => {
    const now = Date.now();
    if (!probe || now - probe.at >= 1000) {
      probe = {
        at: now,
        reachable: deps.store.get('_system', '_meta', 'master-key-check').then(
          () => true,
          () => false,
        ),
      };
    }
    return probe.reachable;
  };
  const ready = async (c: Context<AppEnv>) =>
    (await storeReachable())
      ? c.json({ status: 'ready' })
      : c.json(errorBody('STORE_UNAVAILABLE', 'the store is unavailable', c.get('requestId')), 503);
  for (const p of ['', base]) {
    app.get(`${p}/health`, health);
    app.get(`${p}/ready`, ready);
  }

  const anonymousLimiter = deps.anonymousLimiter ?? new RateLimiter(ANONYMOUS_RATE_LIMIT);
  const clientAddress = clientAddressVia(deps.trustedProxies);
  const authFailures = new AuthFailureGuard(
    deps.authFailureLimiter ?? new RateLimiter(AUTH_FAILURE_RATE_LIMIT),
    clientAddress,
  );
  // Both mounted before the API so that its API key check never sees these requests. The PKI
  // paths answer 404 when switched off, not the API's 401: there is nothing to authenticate for.
  app.route(
    `${base}/pki`,
    deps.pki
      ? createPkiRoutes({
          tenants: deps.tenants,
          anonymousLimiter,
          clientAddress,
          logger: deps.logger,
          options: deps.pki,
        })
      : disabledPkiRoutes(),
  );
  if (deps.oidc) {
    app.route(
      `${base}/oidc`,
      createOidcRoutes({
        tenants: deps.tenants,
        apiKeys: deps.apiKeys,
        limiter: deps.limiter,
        anonymousLimiter,
        clientAddress,
        authFailures,
        logger: deps.logger,
        bodyLimitBytes: deps.bodyLimitBytes,
        basePath: base,
        options: deps.oidc,
      }),
    );
  }

  const api = new Hono<AppEnv>();
  api.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) =>
        c.json(
          errorBody('INVALID_INPUT', `request body larger than ${deps.bodyLimitBytes} bytes`, c.get('requestId'), {
            details: { limitBytes: deps.bodyLimitBytes },
          }),
          413,
        ),
    }),
  );

  api.use('*', async (c, next) => {
    const header = c.req.header('x-api-key') ?? bearer(c.req.header('authorization'));
    if (!header) {
      c.header('www-authenticate', 'ApiKey');
      return c.json(errorBody('UNAUTHENTICATED', 'missing API key (X-Api-Key)', c.get('requestId')), 401);
    }
    const wait = authFailures.blocked(c);
    if (wait !== undefined) return rateLimited(c, wait, {});
    let auth: ApiKeyRecord | undefined;
    try {
      auth = await deps.apiKeys.authenticate(header);
    } catch (e) {
      // Cannot check the key: refuse, never let it through.
      return sendError(c, e);
    }
    if (!auth) {
      authFailures.failed(c);
      return c.json(errorBody('UNAUTHENTICATED', 'invalid or revoked API key', c.get('requestId')), 401);
    }
    c.set('auth', auth);
    const decision = deps.limiter.take(auth.tenant);
    if (!decision.ok) return rateLimited(c, decision.retryAfterSeconds, { tenant: auth.tenant });
    return next();
  });

  registerEncryptionRoutes(api, deps.tenants);
  registerVaultRoutes(api, deps.tenants);
  registerIdentityRoutes(api, deps.tenants);
  registerCertificatesRoutes(api, deps.tenants);
  app.route(base, api);
  return app;
};

const bearer = (h: string | undefined): string | undefined => {
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
};

/** Refuses the request unless the caller's API key carries the scope. */
export const requireScope = (c: Context<AppEnv>, scope: Scope): Response | undefined => {
  if (c.get('auth').scopes.includes(scope)) return undefined;
  return c.json(
    errorBody('PERMISSION_DENIED', `this API key lacks the ${scope} scope`, c.get('requestId'), {
      error: 'insufficient_scope',
      details: { requiredScope: scope },
    }),
    403,
  );
};
