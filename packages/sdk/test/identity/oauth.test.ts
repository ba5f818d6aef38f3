import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdentityNamespace } from '../../src/identity/namespace.js';
import { errorOf } from '../vault/helpers.js';
import { type Provider, startProvider } from './oidc-server.js';

let idp: Provider;
beforeEach(async () => {
  idp = await startProvider({ clients: { 'svc-a': 'secret-a', 'svc b': 'p@ss:w rd' } });
});
afterEach(() => idp.close());

const creds = () => ({ tokenEndpoint: `${idp.issuer}/token`, clientId: 'svc-a', clientSecret: 'secret-a' });

describe('identity.clientCredentials', () => {
  it('gets a token and caches it until shortly before expiry', async () => {
    let now = 1_000_000;
    const id = new IdentityNamespace(undefined, { now: () => now });
    idp.state.tokenExpiresIn = 600;
    const t1 = await id.clientCredentials({ ...creds(), scope: ['orders:read', 'orders:write'] });
    expect(t1).toMatchObject({ accessToken: 'at-1', tokenType: 'Bearer', scope: 'orders:read orders:write' });
    expect(t1.expiresAt.getTime()).toBe(1_000_000 + 600_000);
    expect(idp.forms[0]?.get('grant_type')).toBe('client_credentials');
    expect(idp.forms[0]?.get('scope')).toBe('orders:read orders:write');
    now += 600_000 - 60_001;
    expect((await id.clientCredentials({ ...creds(), scope: ['orders:read', 'orders:write'] })).accessToken).toBe(
      'at-1',
    );
    now += 1;
    expect((await id.clientCredentials({ ...creds(), scope: ['orders:read', 'orders:write'] })).accessToken).toBe(
      'at-2',
    );
    // Another scope is another token.
    expect((await id.clientCredentials({ ...creds(), scope: 'other' })).accessToken).toBe('at-3');
    expect(idp.hits['/token']).toBe(3);
  });

  it('makes one request for many concurrent callers', async () => {
    idp.state.tokenDelayMs = 100;
    const id = new IdentityNamespace();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => id.clientCredentials(creds())));
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['at-1']));
    expect(idp.hits['/token']).toBe(1);
  });

  it('refreshes half-way through short-lived tokens', async () => {
    let now = 0;
    idp.state.tokenExpiresIn = 60;
    const id = new IdentityNamespace(undefined, { now: () => now });
    await id.clientCredentials(creds());
    now = 29_999;
    expect((await id.clientCredentials(creds())).accessToken).toBe('at-1');
    now = 30_000;
    expect((await id.clientCredentials(creds())).accessToken).toBe('at-2');
  });

  it('discovers the token endpoint from the issuer; supports client_secret_post and odd characters', async () => {
    const id = new IdentityNamespace();
    const t = await id.clientCredentials({ issuer: idp.issuer, clientId: 'svc b', clientSecret: 'p@ss:w rd' });
    expect(t.accessToken).toBe('at-1');
    const t2 = await id.clientCredentials({ ...creds(), authMethod: 'client_secret_post', scope: 'x' });
    expect(t2.accessToken).toBe('at-2');
    expect(idp.forms.at(-1)?.get('client_id')).toBe('svc-a');
  });

  it('fails with TOKEN_REQUEST_FAILED, never echoing the secret', async () => {
    const id = new IdentityNamespace();
    const e = await errorOf(id.clientCredentials({ ...creds(), clientSecret: 'wrong-secret-canary' }));
    expect(e.code).toBe('TOKEN_REQUEST_FAILED');
    expect((e as unknown as { details: Record<string, unknown> }).details).toMatchObject({
      status: 401,
      error: 'invalid_client',
    });
    expect(JSON.stringify({ m: e.message, s: e.stack, j: e })).not.toContain('canary');
    idp.state.tokenStatus = 503;
    expect((await errorOf(id.clientCredentials(creds()))).code).toBe('TOKEN_REQUEST_FAILED');
    expect(idp.hits['/token']).toBe(1 + 3); // 503 is retried twice
    const opts = await errorOf(id.clientCredentials({ clientId: 'a', clientSecret: 'b' } as never));
    expect(opts.code).toBe('INVALID_OPTIONS');
    const both = await errorOf(id.clientCredentials({ ...creds(), issuer: idp.issuer }));
    expect(both.code).toBe('INVALID_OPTIONS');
  });

  it('a failed refresh is not cached', async () => {
    const id = new IdentityNamespace();
    idp.state.tokenStatus = 400;
    await errorOf(id.clientCredentials(creds()));
    idp.state.tokenStatus = undefined;
    expect((await id.clientCredentials(creds())).accessToken).toBe('at-1');
  });
});

describe('identity.introspect (fail closed)', () => {
  const opts = () => ({
    introspectionEndpoint: `${idp.issuer}/introspect`,
    clientId: 'svc-a',
    clientSecret: 'secret-a',
  });

  it('reports an active token with its claims, and sends an RFC 7662 form', async () => {
    idp.state.activeTokens['tok-1'] = { active: true, sub: 'user-1', scope: 'a b', client_id: 'svc-a' };
    const id = new IdentityNamespace();
    expect(await id.introspect('tok-1', { ...opts(), tokenTypeHint: 'access_token' })).toEqual({
      active: true,
      sub: 'user-1',
      scope: 'a b',
      client_id: 'svc-a',
    });
    expect(idp.forms[0]?.get('token')).toBe('tok-1');
    expect(idp.forms[0]?.get('token_type_hint')).toBe('access_token');
    // Via discovery too.
    const { clientId, clientSecret } = opts();
    expect((await id.introspect('tok-1', { issuer: idp.issuer, clientId, clientSecret })).active).toBe(true);
  });

  it('is inactive on every failure', async () => {
    const id = new IdentityNamespace();
    idp.state.activeTokens['tok-1'] = { active: true };
    expect((await id.introspect('unknown', opts())).active).toBe(false);
    expect((await id.introspect('tok-1', { ...opts(), clientSecret: 'wrong' })).active).toBe(false);
    expect(await id.introspect('', opts())).toMatchObject({ active: false });
    for (const raw of ['not json', '{"active":"true"}', '{"active":1}', '[true]', '']) {
      idp.state.introspectRawBody = raw;
      expect((await id.introspect('tok-1', opts())).active).toBe(false);
    }
    idp.state.introspectRawBody = undefined;
    idp.state.introspectStatus = 500;
    expect(await id.introspect('tok-1', opts())).toEqual({ active: false, failure: 'HTTP_500' });
    idp.state.introspectStatus = 200;
    expect((await id.introspect('tok-1', opts())).active).toBe(true);
    const { clientId, clientSecret } = opts();
    const unreachable = await id.introspect('tok-1', {
      introspectionEndpoint: 'http://127.0.0.1:1/introspect',
      clientId,
      clientSecret,
    });
    expect(unreachable).toEqual({ active: false, failure: 'NETWORK' });
    expect((await id.introspect('tok-1', { issuer: 'http://127.0.0.1:1', clientId, clientSecret })).active).toBe(false);
  });

  it('times out into inactive', async () => {
    const { createServer } = await import('node:http');
    const hang = createServer(() => {});
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const port = (hang.address() as { port: number }).port;
      const id = new IdentityNamespace(undefined, { timeoutMs: 150 });
      const r = await id.introspect('t', {
        introspectionEndpoint: `http://127.0.0.1:${port}/i`,
        clientId: 'a',
        clientSecret: 'b',
      });
      expect(r).toEqual({ active: false, failure: 'TIMEOUT' });
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });
});
