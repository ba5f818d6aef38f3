/**
 * OIDC / OAuth 2.0 endpoints of each tenant's issuer, without an API key:
 *
 *   {issuer}/.well-known/openid-configuration   discovery (OIDC Discovery 1.0)
 *   {issuer}/jwks                               the issuer's public keys
 *   {issuer}/token                              client_credentials grant (RFC 6749 §4.4)
 *   {issuer}/introspect                         token introspection (RFC 7662)
 *
 * with issuer = {public URL}{base path}/oidc/{tenant}. OAuth clients are the tenant's API keys:
 * client_id = the key's id, client_secret = the API key, sent with client_secret_basic or
 * client_secret_post. A token's scopes are a subset of its key's; revoking the key makes its
 * tokens inactive at introspection at once (signatures stay valid until `exp` for offline verifiers).
 * Errors follow RFC 6749 §5.2 (`{error}` only: descriptions never echo what was sent).
 *
 * Discovery and JWKS need no credentials: they are rate limited per client address, and served
 * from a short per-tenant cache (issuer-cache.ts) that introspection verifies against too. Each
 * success carries a strong ETag and answers a matching If-None-Match with 304 (conditional.ts).
 */
import { defaultProviders, type QuantumApiError } from '@quantumapi/sdk';
import { createMlDsaJwsSuites, fromBase64, fromUtf8 } from '@quantumapi/sdk/crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiKeyRecord, ApiKeyService } from './api-keys.js';
import { SCOPES, TENANT_RE } from './api-keys.js';
import { anonymousGate } from './anonymous.js';
import type { AuthFailureGuard } from './auth-failures.js';
import type { ClientAddress } from './client-address.js';
import type { AppEnv } from './app.js';
import { conditionalGet, strongEtag } from './conditional.js';
import { errorBody } from './http-errors.js';
import { audienceAccepted, currentScope, verifiedPayload } from './introspection.js';
import { type DiscoveryDocument, IssuerCache } from './issuer-cache.js';
import type { Logger } from './log.js';
import type { RateLimiter } from './rate-limit.js';
import type { TenantBackends } from './tenants.js';

export interface OidcOptions {
  /** Scheme, host and port clients reach this server at, without the base path. */
  readonly publicUrl: () => string;
  /** Lifetime of client-credentials tokens. Default 3600 s. */
  readonly tokenTtlSeconds?: number;
  /** How long discovery documents and JWKS are served from memory. Default 30 s. */
  readonly cacheTtlSeconds?: number;
  /** Most tenants held in that cache. Default 1000. */
  readonly cacheMaxTenants?: number;
  /** Milliseconds since the epoch: cache ages and token lifetimes (tests). Default `Date.now`. */
  readonly now?: () => number;
}

export interface OidcDeps {
  readonly tenants: TenantBackends;
  readonly apiKeys: ApiKeyService;
  /** Per tenant, after client authentication (token, introspection). */
  readonly limiter: RateLimiter;
  /** Per client address, before anything else on discovery and JWKS. */
  readonly anonymousLimiter: RateLimiter;
  /** Who the client is, for that limit (the TCP peer unless it is a trusted proxy). */
  readonly clientAddress?: ClientAddress;
  /** Failed client authentications per address, checked before a presented key is looked up. */
  readonly authFailures: AuthFailureGuard;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly basePath: string;
  readonly options: OidcOptions;
}

export const issuerUrl = (publicUrl: string, basePath: string, tenant: string): string =>
  `${publicUrl.replace(/\/+$/, '')}${basePath}/oidc/${tenant}`;

export const TOKEN_ALGORITHMS = ['ML-DSA-65'] as const;
const DEFAULT_TTL = 3600;
const DEFAULT_CACHE_TTL = 30;
const DEFAULT_CACHE_TENANTS = 1000;
// Discovery names endpoints only, which change with the deployment, never with keys.
const DISCOVERY_MAX_AGE = 300;
// An ML-DSA-65 JWT is ~4.5 KB; room for ML-DSA-87 and large claim sets.
const MAX_PARAM = 32 * 1024;

type OAuthError =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'temporarily_unavailable'
  | 'server_error';

const oauthError = (c: Context<AppEnv>, status: 400 | 401 | 429 | 500 | 503, error: OAuthError) => {
  c.header('cache-control', 'no-store');
  return c.json({ error }, status);
};

interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly method: 'client_secret_basic' | 'client_secret_post';
}

// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before Base64.
const formDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));

/** The client's credentials, `undefined` when absent, or `'invalid'` when malformed or doubled. */
const clientCredentials = (
  c: Context<AppEnv>,
  form: Record<string, string>,
): ClientCredentials | 'invalid' | undefined => {
  const header = c.req.header('authorization');
  const posted = form['client_id'] !== undefined || form['client_secret'] !== undefined;
  if (header !== undefined) {
    // §2.3: a client MUST NOT use more than one authentication method per request.
    if (posted) return 'invalid';
    const m = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header);
    if (!m) return 'invalid';
    try {
      const text = fromUtf8(fromBase64(m[1] as string));
      const colon = text.indexOf(':');
      if (colon < 0) return 'invalid';
      return {
        clientId: formDecode(text.slice(0, colon)),
        clientSecret: formDecode(text.slice(colon + 1)),
        method: 'client_secret_basic',
      };
    } catch {
      return 'invalid';
    }
  }
  if (!posted) return undefined;
  const clientId = form['client_id'];
  const clientSecret = form['client_secret'];
  if (!clientId || !clientSecret) return 'invalid';
  return { clientId, clientSecret, method: 'client_secret_post' };
};

const readForm = async (c: Context<AppEnv>): Promise<Record<string, string> | undefined> => {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const params = new URLSearchParams(await c.req.text());
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    // §3.2: parameters MUST NOT be included more than once.
    if (k in out || v.length > MAX_PARAM) return undefined;
    out[k] = v;
  }
  return out;
};

export const createOidcRoutes = (deps: OidcDeps): Hono<AppEnv> => {
  const oidc = new Hono<AppEnv>();
  const ttl = deps.options.tokenTtlSeconds ?? DEFAULT_TTL;
  const now = deps.options.now ?? Date.now;
  const suites = createMlDsaJwsSuites(defaultProviders.signature);
  const apiAudience = () => `${deps.options.publicUrl().replace(/\/+$/, '')}${deps.basePath}`;

  const discoveryDocument = (tenant: string): DiscoveryDocument => {
    const issuer = deps.tenants.issuer(tenant);
    return {
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/token`,
      introspection_endpoint: `${issuer}/introspect`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: [...TOKEN_ALGORITHMS],
      scopes_supported: SCOPES,
    };
  };

  const cache = new IssuerCache({
    // A tenant is one of ours when it was issued an API key or its issuer has signed before.
    // Arbitrary names create nothing: no engine is opened for them.
    discover: async (tenant) =>
      (await deps.apiKeys.tenantKnown(tenant)) || (await deps.tenants.hasIssuer(tenant))
        ? discoveryDocument(tenant)
        : undefined,
    loadJwks: (tenant) => deps.tenants.get(tenant).identity.jwks(),
    ttlMs: (deps.options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL) * 1000,
    maxTenants: deps.options.cacheMaxTenants ?? DEFAULT_CACHE_TENANTS,
    now,
  });
  deps.tenants.onTokenIssued((tenant, kid) => cache.keyUsed(tenant, kid));

  // The cache hands out the same object until it reloads, so serializing and hashing per object
  // does it once per cached value; superseded values drop out with the cache's reference.
  const serialized = new WeakMap<object, { readonly body: string; readonly etag: string }>();
  const serialize = (value: object): { readonly body: string; readonly etag: string } => {
    let s = serialized.get(value);
    if (!s) {
      const body = JSON.stringify(value);
      s = { body, etag: strongEtag(body) };
      serialized.set(value, s);
    }
    return s;
  };
  /** The 200 (or 304) for a cached JSON value: the same bytes `c.json` would send. */
  const sendJson = (c: Context<AppEnv>, value: object, cacheControl: string): Response => {
    const { body, etag } = serialize(value);
    return conditionalGet(c, { etag, cacheControl }, () => c.body(body, 200, { 'content-type': 'application/json' }));
  };

  oidc.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: (c) => oauthError(c as Context<AppEnv>, 400, 'invalid_request'),
    }),
  );

  const tenantName = (c: Context<AppEnv>): string | undefined => {
    const tenant = c.req.param('tenant') ?? '';
    return TENANT_RE.test(tenant) ? tenant : undefined;
  };

  const notFound = (c: Context<AppEnv>) => {
    // Not cacheable: the tenant may be bootstrapped a moment later.
    c.header('cache-control', 'no-store');
    return c.json(errorBody('NOT_FOUND', 'no such issuer', c.get('requestId')), 404);
  };

  /** The anonymous reads' limit, per client address, before any store read; a 429 when spent. */
  const anonymousLimit = anonymousGate(deps.anonymousLimiter, deps.logger, deps.clientAddress);

  /** Authenticates the client against the tenant's API keys; a response when that fails. */
  const authenticate = async (
    c: Context<AppEnv>,
    tenant: string,
    form: Record<string, string>,
  ): Promise<ApiKeyRecord | Response> => {
    const creds = clientCredentials(c, form);
    if (creds === 'invalid') return oauthError(c, 400, 'invalid_request');
    const wait = deps.authFailures.blocked(c);
    if (wait !== undefined) {
      c.header('retry-after', String(wait));
      return oauthError(c, 429, 'temporarily_unavailable');
    }
    let record: ApiKeyRecord | undefined;
    if (creds) {
      try {
        record = await deps.apiKeys.authenticate(creds.clientSecret);
      } catch {
        // Cannot check the client: refuse (fail closed).
        return oauthError(c, 503, 'temporarily_unavailable');
      }
    }
    if (!creds || !record || record.keyId !== creds.clientId || record.tenant !== tenant) {
      if (creds) deps.authFailures.failed(c);
      // §5.2: 401 with a challenge for the scheme the client tried (Basic when it sent none).
      if (!creds || creds.method === 'client_secret_basic') c.header('www-authenticate', 'Basic realm="qapi"');
      return oauthError(c, 401, 'invalid_client');
    }
    const decision = deps.limiter.take(tenant);
    if (!decision.ok) {
      c.header('retry-after', String(decision.retryAfterSeconds));
      return oauthError(c, 429, 'temporarily_unavailable');
    }
    return record;
  };

  /** The common start of the token and introspection endpoints: a known tenant, a form, an authenticated client. */
  const clientRequest = async (
    c: Context<AppEnv>,
  ): Promise<{ tenant: string; form: Record<string, string>; auth: ApiKeyRecord } | Response> => {
    const tenant = tenantName(c);
    if (!tenant) return notFound(c);
    const form = await readForm(c);
    if (!form) return oauthError(c, 400, 'invalid_request');
    const auth = await authenticate(c, tenant, form);
    if (auth instanceof Response) return auth;
    return { tenant, form, auth };
  };

  oidc.get('/:tenant/.well-known/openid-configuration', async (c) => {
    const limited = anonymousLimit(c);
    if (limited) return limited;
    const tenant = tenantName(c);
    const doc = tenant === undefined ? undefined : await cache.discovery(tenant);
    if (!doc) return notFound(c);
    return sendJson(c, doc, `public, max-age=${DISCOVERY_MAX_AGE}`);
  });

  oidc.get('/:tenant/jwks', async (c) => {
    const limited = anonymousLimit(c);
    if (limited) return limited;
    const tenant = tenantName(c);
    const jwks = tenant === undefined ? undefined : await cache.jwks(tenant);
    if (!jwks) return notFound(c);
    // No longer than this process would serve the same set: a new key is visible within 2 x TTL.
    return sendJson(c, jwks, `public, max-age=${cache.ttlSeconds}`);
  });

  oidc.post('/:tenant/token', async (c) => {
    const req = await clientRequest(c);
    if (req instanceof Response) return req;
    const { tenant, form, auth } = req;
    const grant = form['grant_type'];
    if (!grant) return oauthError(c, 400, 'invalid_request');
    if (grant !== 'client_credentials') return oauthError(c, 400, 'unsupported_grant_type');
    const requested = form['scope']?.split(' ').filter(Boolean);
    const scopes = requested?.length ? [...new Set(requested)] : [...auth.scopes];
    if (!scopes.every((s) => (auth.scopes as readonly string[]).includes(s)))
      return oauthError(c, 400, 'invalid_scope');
    if (form['audience'] !== undefined && form['resource'] !== undefined) return oauthError(c, 400, 'invalid_request');
    const requestedAudience = form['audience'] ?? form['resource'];
    // A token for another audience is what `POST /identity/tokens` issues, and that needs
    // identity:write: the token endpoint must not be a way around it (RFC 8707 invalid_target).
    if (requestedAudience !== undefined && !(auth.scopes as readonly string[]).includes('identity:write'))
      return oauthError(c, 400, 'invalid_target');
    const audience = requestedAudience ?? apiAudience();
    try {
      const issued = await deps.tenants.get(tenant).identity.issueToken({
        claims: { sub: auth.keyId, client_id: auth.keyId, scope: scopes.join(' ') },
        expiresInSeconds: ttl,
        audience,
      });
      c.header('cache-control', 'no-store');
      c.header('pragma', 'no-cache');
      return c.json({ access_token: issued.token, token_type: 'Bearer', expires_in: ttl, scope: scopes.join(' ') });
    } catch (e) {
      deps.logger.log('error', 'token issuance failed', {
        requestId: c.get('requestId'),
        tenant,
        code: (e as QuantumApiError).code ?? 'UNKNOWN',
      });
      return oauthError(c, 500, 'server_error');
    }
  });

  oidc.post('/:tenant/introspect', async (c) => {
    const req = await clientRequest(c);
    if (req instanceof Response) return req;
    const { tenant, form, auth } = req;
    const token = form['token'];
    if (!token) return oauthError(c, 400, 'invalid_request');
    c.header('cache-control', 'no-store');
    // Every reason a token is not active gets this same answer (RFC 7662 §2.2): nothing says which.
    const inactive = () => c.json({ active: false });
    let jwks: Awaited<ReturnType<IssuerCache['jwks']>>;
    try {
      // The client authenticated as a key of this tenant: the tenant exists.
      jwks = await cache.jwks(tenant, true);
    } catch {
      return oauthError(c, 503, 'temporarily_unavailable');
    }
    if (!jwks) return inactive();
    const payload = await verifiedPayload(token, {
      issuer: deps.tenants.issuer(tenant),
      jwks,
      algorithms: TOKEN_ALGORITHMS,
      suites,
      now: Math.floor(now() / 1000),
    });
    if (!payload || !audienceAccepted(payload['aud'], apiAudience(), auth)) return inactive();
    // A client-credentials token lives only as long as the key it was issued to, with no more
    // scopes than that key has now.
    const clientId = payload['client_id'];
    let scope = payload['scope'];
    if (typeof clientId === 'string') {
      let key: ApiKeyRecord | undefined;
      try {
        key = await deps.apiKeys.byId(clientId);
      } catch {
        return oauthError(c, 503, 'temporarily_unavailable');
      }
      if (!key || key.revokedAt !== undefined || key.tenant !== tenant) return inactive();
      scope = currentScope(scope, key);
    }
    return c.json({ ...payload, ...(scope !== undefined ? { scope } : {}), active: true, token_type: 'Bearer' });
  });

  return oidc;
};
