import { describe, expect, it, vi } from 'vitest';
import type { IssuedApiKey } from '../src/api-keys.js';
import { issuerUrl } from '../src/oidc-routes.js';
import { BASE, inProcessApp, PUBLIC } from './in-process-app.js';

const API_AUDIENCE = `${PUBLIC}${BASE}`;
const TTL = 600;

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const decodePart = (t: string, i: number) => JSON.parse(Buffer.from(t.split('.')[i] ?? '', 'base64url').toString());

const setup = async () => {
  let now = Date.now();
  const { app, apiKeys, tenants } = inProcessApp({ oidc: { tokenTtlSeconds: TTL, now: () => now } });
  const form = (tenant: string, path: string, key: IssuedApiKey, body: Record<string, string>) =>
    app.request(`${BASE}/oidc/${tenant}/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${key.keyId}:${key.apiKey}`).toString('base64')}`,
      },
      body: new URLSearchParams(body).toString(),
    });
  const token = async (tenant: string, key: IssuedApiKey, extra: Record<string, string> = {}) => {
    const r = await form(tenant, 'token', key, { grant_type: 'client_credentials', ...extra });
    expect(r.status).toBe(200);
    return ((await r.json()) as { access_token: string }).access_token;
  };
  const introspect = async (tenant: string, key: IssuedApiKey, t: string) => {
    const r = await form(tenant, 'introspect', key, { token: t });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    return (await r.json()) as Record<string, unknown>;
  };
  return {
    app,
    apiKeys,
    tenants,
    token,
    introspect,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
    full: await apiKeys.issue('acme'),
    reader: await apiKeys.issue('acme', ['secrets:read']),
    globex: await apiKeys.issue('globex'),
  };
};

describe('introspection', () => {
  it('reports a valid token as active with its claims', async () => {
    const { token, introspect, full, reader } = await setup();
    const t = await token('acme', full, { scope: 'secrets:read keys:read' });
    expect(await introspect('acme', reader, t)).toMatchObject({
      active: true,
      token_type: 'Bearer',
      iss: issuerUrl(PUBLIC, BASE, 'acme'),
      aud: API_AUDIENCE,
      sub: full.keyId,
      client_id: full.keyId,
      scope: 'secrets:read keys:read',
    });
  });

  it('refuses a token whose signature is valid for another tenant', async () => {
    const { token, introspect, full, globex } = await setup();
    const foreign = await token('globex', globex);
    expect((await introspect('globex', globex, foreign)).active).toBe(true); // valid where it belongs
    expect(await introspect('acme', full, foreign)).toEqual({ active: false });
  });

  it('refuses an expired token', async () => {
    const { token, introspect, full, advance } = await setup();
    const t = await token('acme', full);
    advance(TTL - 5);
    expect((await introspect('acme', full, t)).active).toBe(true);
    advance(5);
    expect(await introspect('acme', full, t)).toEqual({ active: false });
  });

  it('refuses tampered tokens (payload, header or signature)', async () => {
    const { token, introspect, full, reader } = await setup();
    const t = await token('acme', reader);
    const [h, p, s] = t.split('.') as [string, string, string];
    const payload = decodePart(t, 1);
    const header = decodePart(t, 0);
    const tampered = [
      `${h}.${b64url(JSON.stringify({ ...payload, scope: 'secrets:read keys:write' }))}.${s}`,
      `${h}.${b64url(JSON.stringify({ ...payload, exp: payload.exp + 86400 }))}.${s}`,
      `${b64url(JSON.stringify({ ...header, kid: 'other' }))}.${p}.${s}`,
      `${h}.${p}.${s.slice(0, 100)}${s[100] === 'A' ? 'B' : 'A'}${s.slice(101)}`,
      `${h}.${p}.`,
      'not-a-jwt',
    ];
    for (const x of tampered) expect(await introspect('acme', full, x)).toEqual({ active: false });
    expect((await introspect('acme', full, t)).active).toBe(true);
  });

  it("judges the audience by the introspecting key's scopes, not by the token's claim", async () => {
    const { app, token, introspect, full, reader } = await setup();
    // Only a key with identity:write obtains a token for another audience, so only such a key is
    // told that one is active; a key without it (a resource server for the API) is not.
    const billing = await token('acme', full, { audience: 'billing' });
    expect(await introspect('acme', reader, billing)).toEqual({ active: false });
    expect(await introspect('acme', full, billing)).toMatchObject({ active: true, aud: 'billing' });
    // Tokens from POST /identity/tokens (identity:write): the API audience is active for every key
    // of the tenant; no audience at all is active for none.
    const issue = async (body: Record<string, unknown>) => {
      const r = await app.request(`${BASE}/identity/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': full.apiKey },
        body: JSON.stringify({ expiresInSeconds: 60, ...body }),
      });
      expect(r.status).toBe(200);
      return ((await r.json()) as { token: string }).token;
    };
    const forApi = await issue({ claims: { sub: 'svc' }, audience: [API_AUDIENCE, 'billing'] });
    expect(await introspect('acme', reader, forApi)).toMatchObject({ active: true, sub: 'svc' });
    const noAudience = await issue({ claims: { sub: 'svc' } });
    expect(await introspect('acme', reader, noAudience)).toEqual({ active: false });
    expect(await introspect('acme', full, noAudience)).toEqual({ active: false });
  });

  it('ends tokens with their key and reports only the scopes the key still holds', async () => {
    const { apiKeys, token, introspect, full, reader } = await setup();
    const second = await apiKeys.issue('acme', ['secrets:read', 'keys:read']);
    const t = await token('acme', second);
    await apiKeys.updateScopes(second.keyId, { remove: ['keys:read'] });
    expect(await introspect('acme', reader, t)).toMatchObject({ active: true, scope: 'secrets:read' });
    await apiKeys.revoke(second.keyId);
    expect(await introspect('acme', full, t)).toEqual({ active: false });
  });

  it('verifies against cached keys instead of asking the issuer on every call', async () => {
    const { tenants, token, introspect, full } = await setup();
    const t = await token('acme', full);
    const jwks = vi.spyOn(tenants.get('acme').identity, 'jwks');
    for (let i = 0; i < 5; i++) expect((await introspect('acme', full, t)).active).toBe(true);
    expect(jwks.mock.calls.length).toBeLessThanOrEqual(1);
  });
});
