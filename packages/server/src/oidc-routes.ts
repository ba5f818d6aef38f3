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
 */
import { IdentityNamespace, type QuantumApiError } from '@quantumapi/sdk';
import { fromBase64, fromBase64Url, fromUtf8 } from '@quantumapi/sdk/crypto';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiKeyRecord, ApiKeyService } from './api-keys.js';
import { SCOPES, TENANT_RE } from './api-keys.js';
import type { AppEnv } from './app.js';
import type { Logger } from './log.js';
import type { RateLimiter } from './rate-limit.js';
import type { TenantBackends } from './tenants.js';

export interface OidcOptions {
  /** Scheme, host and port clients reach this server at, without the base path. */
  readonly publicUrl: () => string;
  /** Lifetime of client-credentials tokens. Default 3600 s. */
  readonly tokenTtlSeconds?: number;
}

export interface OidcDeps {
  readonly tenants: TenantBackends;
  readonly apiKeys: ApiKeyService;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly basePath: string;
  readonly options: OidcOptions;
}

export const issuerUrl = (publicUrl: string, basePath: string, tenant: string): string =>
  `${publicUrl.replace(/\/+$/, '')}${basePath}/oidc/${tenant}`;

export const TOKEN_ALGORITHMS = ['ML-DSA-65'] as const;
const DEFAULT_TTL = 3600;
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

/** The payload's `aud`, read without trust: only to pass it back as the expected audience. */
const unverifiedAudience = (token: string): string | string[] | undefined => {
  try {
    const payload = JSON.parse(fromUtf8(fromBase64Url(token.split('.')[1] ?? ''))) as { aud?: unknown };
    const aud = payload.aud;
    if (typeof aud === 'string' && aud) return aud;
    if (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a)) return aud as string[];
  } catch {
    // not a JWT: inactive
  }
  return undefined;
};

export const createOidcRoutes = (deps: OidcDeps): Hono<AppEnv> => {
  const oidc = new Hono<AppEnv>();
  const ttl = deps.options.tokenTtlSeconds ?? DEFAULT_TTL;
  const verifier = new IdentityNamespace();
  const apiAudience = () => `${deps.options.publicUrl().replace(/\/+$/, '')}${deps.basePath}`;

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

  /**
   * For the unauthenticated reads: the tenant of the path when it is one of ours (it was issued an
   * API key, or its issuer has signed before), else a 404. Arbitrary names create nothing.
   */
  const existingIssuer = async (c: Context<AppEnv>): Promise<string | undefined> => {
    const tenant = tenantName(c);
    if (tenant === undefined) return undefined;
    return (await deps.apiKeys.tenantKnown(tenant)) || (await deps.tenants.hasIssuer(tenant)) ? tenant : undefined;
  };

  const notFound = (c: Context<AppEnv>) =>
    c.json({ code: 'NOT_FOUND', message: 'no such issuer', requestId: c.get('requestId') }, 404);

  /** Authenticates the client against the tenant's API keys; a response when that fails. */
  const authenticate = async (
    c: Context<AppEnv>,
    tenant: string,
    form: Record<string, string>,
  ): Promise<ApiKeyRecord | Response> => {
    const creds = clientCredentials(c, form);
    if (creds === 'invalid') return oauthError(c, 400, 'invalid_request');
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
    const tenant = await existingIssuer(c);
    if (!tenant) return notFound(c);
    const issuer = deps.tenants.issuer(tenant);
    c.header('cache-control', 'public, max-age=300');
    return c.json({
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
    });
  });

  oidc.get('/:tenant/jwks', async (c) => {
    const tenant = await existingIssuer(c);
    if (!tenant) return notFound(c);
    c.header('cache-control', 'public, max-age=300');
    return c.json(await deps.tenants.get(tenant).identity.jwks());
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
    const { tenant, form } = req;
    const token = form['token'];
    if (!token) return oauthError(c, 400, 'invalid_request');
    c.header('cache-control', 'no-store');
    const inactive = () => c.json({ active: false });
    const audience = unverifiedAudience(token);
    if (!audience) return inactive();
    let payload: Record<string, unknown>;
    try {
      const backend = deps.tenants.get(tenant);
      const r = await verifier.verifyToken(token, {
        issuer: deps.tenants.issuer(tenant),
        audience,
        algorithms: [...TOKEN_ALGORITHMS],
        jwks: await backend.identity.jwks(),
      });
      payload = r.payload;
    } catch {
      // Any failure (signature, expiry, issuer, shape) is simply "not active" (RFC 7662 §2.2).
      return inactive();
    }
    // A client-credentials token lives only as long as the key it was issued to.
    const clientId = payload['client_id'];
    if (typeof clientId === 'string') {
      let key: ApiKeyRecord | undefined;
      try {
        key = await deps.apiKeys.byId(clientId);
      } catch {
        return oauthError(c, 503, 'temporarily_unavailable');
      }
      if (!key || key.revokedAt !== undefined || key.tenant !== tenant) return inactive();
    }
    return c.json({ ...payload, active: true, token_type: 'Bearer' });
  });

  return oidc;
};
