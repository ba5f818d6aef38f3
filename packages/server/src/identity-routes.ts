/**
 * The identity routes behind an API key (docs/http-api.md): the tenant's issuer URL, its public
 * keys, and token issuance. `identity:write` is the power of the issuer itself: any claims, any
 * audience, signed ML-DSA-65 by the tenant's key (which never leaves the server).
 */
import type { JsonValue } from '@quantumapi/sdk';
import type { Hono } from 'hono';
import type { AppEnv } from './app.js';
import { router } from './routing.js';
import * as s from './schemas.js';
import type { TenantBackends } from './tenants.js';

export const registerIdentityRoutes = (api: Hono<AppEnv>, tenants: TenantBackends): void => {
  const r = router(api, tenants);
  // Public information (also served without a key at the OIDC endpoints): any valid key may read it.
  r.get('/identity/issuer', undefined, s.emptyRequest, async (b) => ({ issuer: await b.identity.issuer() }));
  r.get('/identity/jwks', undefined, s.emptyRequest, (b) => b.identity.jwks());
  r.post('/identity/tokens', 'identity:write', s.issueTokenRequest, (b, i) =>
    b.identity.issueToken({
      claims: i.claims as Record<string, JsonValue>,
      expiresInSeconds: i.expiresInSeconds,
      ...(i.audience !== undefined ? { audience: i.audience } : {}),
      ...(i.algorithm !== undefined ? { algorithm: i.algorithm } : {}),
    }),
  );
};
