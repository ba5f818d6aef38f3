/**
 * The vault, identity, certificates and OIDC routes in process over the memory store: scopes,
 * what may and may not appear in responses and logs, content negotiation, and the OAuth client
 * authentication rules. End-to-end runs against a real process are in the sdk's conformance suite
 * and packages/sdk/test/http/oidc.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { createCsr, defaultProviders, IdentityNamespace, signingKeyFromSeed } from '@quantumapi/sdk';
import { describe, expect, it } from 'vitest';
import { SCOPES } from '../src/api-keys.js';
import { issuerUrl } from '../src/oidc-routes.js';
import { BASE, inProcessApp, PUBLIC } from './in-process-app.js';

const setup = async () => {
  const { app, apiKeys, lines } = inProcessApp();
  // `fetch` for the sdk: the app answers requests to PUBLIC in process.
  const fetchApp = async (input: string, init?: RequestInit): Promise<Response> =>
    app.request(input.replace(PUBLIC, ''), init);
  const call = (key: string | undefined, method: string, path: string, body?: unknown, headers = {}) =>
    app.request(`${BASE}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(key ? { 'x-api-key': key } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return { app, apiKeys, lines, call, fetchApp, full: await apiKeys.issue('acme') };
};

const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('scopes', () => {
  it('a new key gets every scope; a key issued with the old four keeps exactly those', async () => {
    const { call, apiKeys, full } = await setup();
    expect(full.scopes).toEqual([...SCOPES]);
    const legacy = await apiKeys.issue('acme', ['encryption:write', 'encryption:read', 'keys:read', 'keys:write']);
    expect((await call(legacy.apiKey, 'POST', '/encrypt', { plaintext: 'aGk=' })).status).toBe(200);
    const denied = await call(legacy.apiKey, 'GET', '/secrets');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { requiredScope: 'secrets:read' },
    });
    expect((await call(legacy.apiKey, 'POST', '/certificates', { csr: 'x' })).status).toBe(403);
    expect((await call(legacy.apiKey, 'POST', '/identity/tokens', { claims: {}, expiresInSeconds: 60 })).status).toBe(
      403,
    );
    // Public issuer information needs only a valid key.
    expect((await call(legacy.apiKey, 'GET', '/identity/issuer')).status).toBe(200);
  });
});

describe('vault routes', () => {
  it('return a value only from /value, never from lists or metadata, and never log it', async () => {
    const { call, full, lines } = await setup();
    const value = 'hunter2-very-secret';
    const created = await call(full.apiKey, 'POST', '/secrets', {
      name: 'db/password',
      value: Buffer.from(value).toString('base64'),
      encoding: 'utf8',
      labels: { env: 'prod' },
    });
    expect(created.status).toBe(200);
    const info = (await created.json()) as { id: string };
    const b64 = Buffer.from(value).toString('base64');
    const texts: string[] = [];
    for (const path of [
      '/secrets',
      '/secrets?label.env=prod',
      '/secrets/db%2Fpassword',
      `/secrets/${info.id}/versions`,
    ]) {
      const r = await call(full.apiKey, 'GET', path);
      expect(r.status).toBe(200);
      texts.push(await r.text());
    }
    for (const t of texts) {
      expect(t).not.toContain(b64);
      expect(t).not.toContain(value);
    }
    expect(JSON.parse(texts[1] as string).items).toHaveLength(1);
    const got = await call(full.apiKey, 'GET', '/secrets/db%2Fpassword/value');
    expect(await got.json()).toMatchObject({ value: b64, encoding: 'utf8', version: 1, info: { id: info.id } });
    const missing = await call(full.apiKey, 'GET', '/secrets/nope/value');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'SECRET_NOT_FOUND' });
    const unknownQuery = await call(full.apiKey, 'GET', '/secrets?labels=x');
    expect(unknownQuery.status).toBe(400);
    for (const l of lines) {
      expect(l).not.toContain(value);
      expect(l).not.toContain(b64);
      expect(l).not.toContain('db/password');
    }
  });
});

describe('certificates routes', () => {
  it('issue from a CSR, and serve the CA chain as PEM and the CRL as DER on request', async () => {
    const { call, full } = await setup();
    const key = signingKeyFromSeed('ML-DSA-65', randomBytes(32), defaultProviders.signature);
    const csr = createCsr({ key, subject: { commonName: 'svc' }, dnsNames: ['svc.internal'], uris: [] });
    const issued = await call(full.apiKey, 'POST', '/certificates', { csr: csr.pem });
    expect(issued.status).toBe(200);
    expect(await issued.json()).toMatchObject({ dnsNames: ['svc.internal'] });
    const pem = await call(full.apiKey, 'GET', '/cas/default', undefined, {
      accept: 'application/pem-certificate-chain',
    });
    expect(pem.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(await pem.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const der = await call(full.apiKey, 'GET', '/cas/default/crl', undefined, { accept: 'application/pkix-crl' });
    expect(der.headers.get('content-type')).toBe('application/pkix-crl');
    expect(new Uint8Array(await der.arrayBuffer())[0]).toBe(0x30); // a DER SEQUENCE
    expect((await call(full.apiKey, 'GET', '/cas/other')).status).toBe(404);
    const bad = await call(full.apiKey, 'POST', '/certificates', {
      csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n',
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });
});

describe('OIDC endpoints', () => {
  it('serve a known tenant before its first token, and nothing for unknown names (creating nothing)', async () => {
    const { app } = await setup();
    const r = await app.request(`${BASE}/oidc/acme/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    const issuer = issuerUrl(PUBLIC, BASE, 'acme');
    expect(await r.json()).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/token`,
      introspection_endpoint: `${issuer}/introspect`,
      id_token_signing_alg_values_supported: ['ML-DSA-65'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(((await (await app.request(`${BASE}/oidc/acme/jwks`)).json()) as { keys: unknown[] }).keys).toHaveLength(1);
    for (const name of ['nobody', 'a%2Fb', 'bad!name']) {
      expect((await app.request(`${BASE}/oidc/${name}/.well-known/openid-configuration`)).status).toBe(404);
      expect((await app.request(`${BASE}/oidc/${name}/jwks`)).status).toBe(404);
    }
  });

  it('issue client-credentials tokens to API keys (basic and post) and introspect them, failing closed', async () => {
    const { app, apiKeys, full, fetchApp } = await setup();
    const issuer = issuerUrl(PUBLIC, BASE, 'acme');
    const token = (body: Record<string, string>, auth?: string) =>
      app.request(`${BASE}/oidc/acme/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
        body: form(body),
      });

    const reader = await apiKeys.issue('acme', ['secrets:read']);
    const ok = await token({ grant_type: 'client_credentials', scope: 'secrets:read' }, basic(full.keyId, full.apiKey));
    const readerToken = await token({ grant_type: 'client_credentials' }, basic(reader.keyId, reader.apiKey));
    expect(readerToken.status).toBe(200);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const body = (await ok.json()) as { access_token: string; expires_in: number; scope: string; token_type: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'secrets:read' });

    const viaPost = await token({
      grant_type: 'client_credentials',
      client_id: full.keyId,
      client_secret: full.apiKey,
    });
    expect(viaPost.status).toBe(200);
    expect(((await viaPost.json()) as { scope: string }).scope.split(' ')).toEqual([...SCOPES]);

    const refusals: [Response, number, string][] = [
      [
        await token({ grant_type: 'client_credentials' }, basic(full.keyId, `${full.apiKey.slice(0, -1)}x`)),
        401,
        'invalid_client',
      ],
      [await token({ grant_type: 'client_credentials' }, basic(randomUUIDish(), full.apiKey)), 401, 'invalid_client'],
      [await token({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
      [
        await token(
          { grant_type: 'client_credentials', client_id: full.keyId, client_secret: full.apiKey },
          basic(full.keyId, full.apiKey),
        ),
        400,
        'invalid_request',
      ],
      [await token({ grant_type: 'password' }, basic(full.keyId, full.apiKey)), 400, 'unsupported_grant_type'],
      [
        await token({ grant_type: 'client_credentials', scope: 'admin' }, basic(full.keyId, full.apiKey)),
        400,
        'invalid_scope',
      ],
      // Another audience needs identity:write, as POST /identity/tokens does.
      [
        await token({ grant_type: 'client_credentials', audience: 'billing' }, basic(reader.keyId, reader.apiKey)),
        400,
        'invalid_target',
      ],
    ];
    for (const [r, status, error] of refusals) {
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ error });
    }

    // The sdk verifies it through discovery + JWKS and introspects it.
    const identity = new IdentityNamespace(undefined, { fetch: fetchApp });
    const verified = await identity.verifyToken(body.access_token, { issuer, audience: `${PUBLIC}${BASE}` });
    expect(verified.payload).toMatchObject({ iss: issuer, sub: full.keyId, client_id: full.keyId });
    const creds = { issuer, clientId: full.keyId, clientSecret: full.apiKey };
    expect(await identity.introspect(body.access_token, creds)).toMatchObject({ active: true, sub: full.keyId });
    expect(await identity.introspect(`${body.access_token}x`, creds)).toEqual({ active: false });
    expect(await identity.introspect(body.access_token, { ...creds, clientSecret: 'qapi_wrong' })).toMatchObject({
      active: false,
      failure: 'HTTP_401',
    });

    // Another tenant's key is not a client of this issuer.
    const other = await apiKeys.issue('globex');
    expect((await token({ grant_type: 'client_credentials' }, basic(other.keyId, other.apiKey))).status).toBe(401);

    // Revoking the key deactivates its tokens at once.
    const second = await apiKeys.issue('acme');
    const t2 = (await (
      await token({ grant_type: 'client_credentials' }, basic(second.keyId, second.apiKey))
    ).json()) as {
      access_token: string;
    };
    expect((await identity.introspect(t2.access_token, creds)).active).toBe(true);
    await apiKeys.revoke(second.keyId);
    expect((await identity.introspect(t2.access_token, creds)).active).toBe(false);
  });
});

const randomUUIDish = () => '00000000-0000-4000-8000-000000000000';
