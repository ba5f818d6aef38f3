/**
 * The vault, identity and certificates sections of the http backend without a network: what they
 * send, that PascalCase answers read the same as camelCase, which calls are repeated after a 503,
 * and that namespace error codes come back as the namespace's own classes.
 */
import { describe, expect, it } from 'vitest';
import { CsrInvalidError } from '../../src/certificates/errors.js';
import { createHttpBackend } from '../../src/http/backend.js';
import { ROUTES } from '../../src/http/routes.js';
import { TokenInvalidError } from '../../src/identity/errors.js';
import { SecretNotFoundError, SecretStateError } from '../../src/vault/errors.js';

interface Seen {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
}

const fake = (answer: (req: Seen, n: number) => { status: number; body: unknown }) => {
  const seen: Seen[] = [];
  const fetchFn = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const req = input instanceof Request ? input : new Request(input, init);
    const text = await req.text();
    const s: Seen = { method: req.method, url: new URL(req.url), body: text ? JSON.parse(text) : undefined };
    seen.push(s);
    const a = answer(s, seen.length);
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': 'application/json' } });
  };
  const backend = createHttpBackend({
    apiKey: 'qapi_test_key_123',
    baseUrl: 'http://127.0.0.1:1/api/v1',
    env: {},
    fetch: fetchFn as typeof fetch,
    retry: { limit: 2, baseDelayMs: 0, maxDelayMs: 0 },
  });
  return { backend, seen };
};

const PASCAL_SECRET = {
  Id: '0190f3a0-1234-7abc-8def-0123456789ab',
  Name: 'db/password',
  Description: null,
  ContentType: null,
  Labels: { Env: 'prod' },
  State: 'Active',
  CurrentVersion: 2,
  CreatedAt: '2025-01-01T00:00:00.000Z',
  UpdatedAt: '2025-01-02T00:00:00.000Z',
};

describe('http vault section', () => {
  it('sends values as standard Base64 and reads PascalCase answers, keeping label keys as sent', async () => {
    const { backend, seen } = fake((req) => {
      if (req.url.pathname.endsWith('/value'))
        return { status: 200, body: { Info: PASCAL_SECRET, Version: 2, Value: '+/8A', Encoding: 'base64' } };
      if (req.method === 'GET' && req.url.pathname.endsWith('/secrets'))
        return { status: 200, body: { Items: [PASCAL_SECRET], ContinuationToken: null } };
      return { status: 200, body: PASCAL_SECRET };
    });
    const info = await backend.vault.createSecret({
      name: 'db/password',
      value: new Uint8Array([0xfb, 0xff, 0]),
      encoding: 'base64',
      labels: { Env: 'prod' },
    });
    expect(seen[0]).toMatchObject({ method: 'POST', body: { name: 'db/password', value: '+/8A', encoding: 'base64' } });
    expect(info).toMatchObject({ name: 'db/password', labels: { Env: 'prod' }, currentVersion: 2 });
    expect(info.description).toBeUndefined();
    expect(info).not.toHaveProperty('deletedAt');
    const v = await backend.vault.getSecretValue('db/password', 1);
    expect(seen[1]?.url.pathname).toBe('/api/v1/secrets/db%2Fpassword/value');
    expect(seen[1]?.url.searchParams.get('version')).toBe('1');
    expect(v.value).toEqual(new Uint8Array([0xfb, 0xff, 0]));
    const page = await backend.vault.listSecrets({ labels: { env: 'prod' }, state: 'all', pageSize: 5 });
    expect(page).toEqual({ items: [info], continuationToken: undefined });
    expect(Object.fromEntries(seen[2]?.url.searchParams ?? [])).toEqual({
      'label.env': 'prod',
      state: 'all',
      pageSize: '5',
    });
  });

  it('repeats reads after a 503 but never a create, an update or a delete', async () => {
    const unavailable = () => ({ status: 503, body: { code: 'STORE_UNAVAILABLE', message: 'down' } });
    const { backend, seen } = fake(unavailable);
    await expect(backend.vault.getSecret('a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(seen).toHaveLength(3);
    const writes = [
      () => backend.vault.createSecret({ name: 'a', value: new Uint8Array(1), encoding: 'base64' }),
      () => backend.vault.updateSecret('a', { description: 'x' }),
      () => backend.vault.deleteSecret('a'),
      () => backend.vault.restoreSecret('a'),
      () => backend.vault.purgeSecret('a'),
      () => backend.certificates.issueFromCsr({ csr: 'x' }),
      () => backend.certificates.revoke({ serialNumber: '0a' }),
    ];
    for (const w of writes) {
      const before = seen.length;
      await expect(w()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(seen.length - before).toBe(1);
    }
    expect(ROUTES.deleteSecret.method).toBe('DELETE');
    expect(ROUTES.updateSecret.method).toBe('PATCH');
  });

  it('rebuilds the namespaces’ own error classes from their codes', async () => {
    const codes: Record<string, [number, string]> = {
      '/api/v1/secrets/a': [404, 'SECRET_NOT_FOUND'],
      '/api/v1/secrets/b/restore': [422, 'SECRET_STATE'],
      '/api/v1/certificates': [422, 'CSR_INVALID'],
      '/api/v1/identity/tokens': [422, 'TOKEN_INVALID'],
    };
    const { backend } = fake((req) => {
      const [status, code] = codes[req.url.pathname] ?? [500, 'SERVER_ERROR'];
      return { status, body: { code, message: 'no' } };
    });
    await expect(backend.vault.getSecret('a')).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(backend.vault.restoreSecret('b')).rejects.toBeInstanceOf(SecretStateError);
    await expect(backend.certificates.issueFromCsr({ csr: 'x' })).rejects.toBeInstanceOf(CsrInvalidError);
    await expect(backend.identity.issueToken({ claims: {}, expiresInSeconds: 60 })).rejects.toBeInstanceOf(
      TokenInvalidError,
    );
  });
});

describe('http identity and certificates sections', () => {
  it('ask the issuer once, refuse a JWKS with private members, and read the CA by its id', async () => {
    let jwks: unknown = { keys: [{ kty: 'AKP', alg: 'ML-DSA-65', kid: 'k1', pub: 'AA' }] };
    const { backend, seen } = fake((req) => {
      if (req.url.pathname.endsWith('/identity/issuer')) return { status: 200, body: { Issuer: 'https://i.example' } };
      if (req.url.pathname.endsWith('/identity/jwks')) return { status: 200, body: jwks };
      return { status: 404, body: { code: 'NOT_FOUND', message: 'no' } };
    });
    expect(await backend.identity.issuer()).toBe('https://i.example');
    expect(await backend.identity.issuer()).toBe('https://i.example');
    expect(seen).toHaveLength(1);
    expect((await backend.identity.jwks()).keys[0]?.kid).toBe('k1');
    jwks = { keys: [{ kty: 'AKP', alg: 'ML-DSA-65', kid: 'k1', pub: 'AA', priv: 'secret-seed' }] };
    await expect(backend.identity.jwks()).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
    await expect(backend.certificates.caCertificate()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(seen.at(-1)?.url.pathname).toBe('/api/v1/cas/default');
  });
});
