/**
 * The server's OIDC issuer over real HTTP, used only through the sdk's public API: a relying party
 * verifies a server-issued ML-DSA-65 token by discovery + JWKS from nothing but the issuer URL, and
 * a service obtains client-credentials tokens (both client authentication methods) and introspects
 * them; revoking the API key deactivates its tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantumApiClient } from '../../src/client/client.js';
import { IdentityNamespace } from '../../src/identity/namespace.js';
import {
  bootstrapTenants,
  type Deployment,
  type IssuedKey,
  newDeployment,
  revokeKey,
  type ServerProcess,
  startServerProcess,
} from '../conformance/server-process.js';

let deployment: Deployment;
let server: ServerProcess;
let acme: IssuedKey;
let acme2: IssuedKey;
let globex: IssuedKey;

beforeAll(async () => {
  deployment = await newDeployment({ QAPI_TOKEN_TTL_SECONDS: '300' });
  [server, [acme, acme2, globex]] = (await Promise.all([
    startServerProcess(deployment),
    bootstrapTenants(deployment, ['acme', 'acme', 'globex']),
  ])) as [ServerProcess, [IssuedKey, IssuedKey, IssuedKey]];
}, 90_000);

afterAll(async () => {
  await server?.stop();
  await deployment?.db.drop();
});

describe('OIDC issuer of @quantumapi/server', () => {
  it('publishes discovery naming its endpoints and ML-DSA-65', async () => {
    const issuer = `${server.baseUrl}/oidc/acme`;
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/token`,
      introspection_endpoint: `${issuer}/introspect`,
      id_token_signing_alg_values_supported: ['ML-DSA-65'],
      grant_types_supported: ['client_credentials'],
    });
    expect((await fetch(`${server.baseUrl}/oidc/nobody/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('a token issued through the http backend verifies from the issuer URL alone (discovery + JWKS)', async () => {
    const client = new QuantumApiClient({ baseUrl: server.baseUrl, apiKey: acme.apiKey, env: {} });
    expect(client.backendKind).toBe('http');
    const issuer = await client.identity.issuer();
    expect(issuer).toBe(`${server.baseUrl}/oidc/acme`);
    const { token } = await client.identity.issueToken({ sub: 'svc-a' }, { expiresIn: '5m', audience: 'orders' });

    // A relying party with no API key: only the issuer URL and the audience it expects.
    const relyingParty = new IdentityNamespace();
    const { payload, protectedHeader } = await relyingParty.verifyToken(token, { issuer, audience: 'orders' });
    expect(protectedHeader.alg).toBe('ML-DSA-65');
    expect(payload).toMatchObject({ iss: issuer, sub: 'svc-a', aud: 'orders' });
    // Same through the client's own namespace.
    await client.identity.verifyToken(token, { issuer, audience: 'orders' });
    // Another tenant's issuer does not vouch for it.
    await expect(
      relyingParty.verifyToken(token, { issuer: `${server.baseUrl}/oidc/globex`, audience: 'orders' }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^TOKEN_ISSUER_INVALID$|^JWKS_NO_MATCHING_KEY$/) });
  });

  it('client credentials (basic and post) yield tokens that verify and introspect as active', async () => {
    const issuer = `${server.baseUrl}/oidc/acme`;
    const identity = new IdentityNamespace();
    const basic = await identity.clientCredentials({
      issuer,
      clientId: acme.keyId,
      clientSecret: acme.apiKey,
      scope: 'secrets:read',
    });
    expect(basic).toMatchObject({ tokenType: 'Bearer', scope: 'secrets:read' });
    expect(basic.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    const post = await identity.clientCredentials({
      issuer,
      clientId: acme.keyId,
      clientSecret: acme.apiKey,
      authMethod: 'client_secret_post',
      audience: 'billing',
    });
    // Cached per request shape: asking again returns the same token without a round trip.
    expect(
      await identity.clientCredentials({
        issuer,
        clientId: acme.keyId,
        clientSecret: acme.apiKey,
        scope: 'secrets:read',
      }),
    ).toBe(basic);

    const verified = await identity.verifyToken(post.accessToken, { issuer, audience: 'billing' });
    expect(verified.payload).toMatchObject({ sub: acme.keyId, client_id: acme.keyId });

    const creds = { issuer, clientId: acme2.keyId, clientSecret: acme2.apiKey };
    expect(await identity.introspect(basic.accessToken, creds)).toMatchObject({
      active: true,
      client_id: acme.keyId,
      scope: 'secrets:read',
      iss: issuer,
    });
    expect(await identity.introspect(post.accessToken, { ...creds, authMethod: 'client_secret_post' })).toMatchObject({
      active: true,
      aud: 'billing',
    });

    // Fail closed: a wrong secret, another tenant's client, and garbage are all inactive.
    expect((await identity.introspect(basic.accessToken, { ...creds, clientSecret: globex.apiKey })).active).toBe(
      false,
    );
    expect(
      (await identity.introspect(basic.accessToken, { issuer, clientId: globex.keyId, clientSecret: globex.apiKey }))
        .active,
    ).toBe(false);
    expect((await identity.introspect('x.y.z', creds)).active).toBe(false);
    await expect(
      new IdentityNamespace().clientCredentials({ issuer, clientId: acme.keyId, clientSecret: acme2.apiKey }),
    ).rejects.toMatchObject({ code: 'TOKEN_REQUEST_FAILED', details: { status: 401, error: 'invalid_client' } });

    // Revoking the API key ends its tokens at introspection, in this process and every other.
    await revokeKey(deployment, acme.keyId);
    expect(await identity.introspect(basic.accessToken, creds)).toEqual({ active: false });
  });
});
