/**
 * The anonymous OIDC reads (discovery, JWKS): served from a short per-tenant cache that unknown
 * names cannot fill, with sensible Cache-Control and a strong ETag that If-None-Match revalidates
 * (304), and rate limited per client address before any store read. In process over the memory store, plus one real listener for the socket address.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Jwks, MemoryStore, type StoredRecord } from '@quantumapi/sdk';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { IssuerCache } from '../src/issuer-cache.js';
import { jsonLogger } from '../src/log.js';
import { addressBucket, RateLimiter } from '../src/rate-limit.js';
import { startServer } from '../src/server.js';
import { BASE, fromAddress, inProcessApp, requestToken } from './in-process-app.js';

/** A memory store that records every read as `tenant/collection`. */
class CountingStore extends MemoryStore {
  readonly reads: string[] = [];
  override get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    this.reads.push(`${tenant}/${collection}`);
    return super.get<T>(tenant, collection, id);
  }
}

const setup = async (opts: { burst?: number; now?: () => number } = {}) => {
  const { app, store, apiKeys, tenants, lines } = inProcessApp({
    store: new CountingStore(),
    anonymousLimiter: new RateLimiter({ ratePerSecond: 1, burst: opts.burst ?? 1000 }),
    oidc: { cacheTtlSeconds: 30, ...(opts.now ? { now: opts.now } : {}) },
  });
  const full = await apiKeys.issue('acme');
  store.reads.length = 0;
  /** An anonymous GET from `address`, with these request headers. */
  const get = (path: string, address = '198.51.100.7', headers: Record<string, string> = {}) =>
    app.request(`${BASE}/oidc/${path}`, { headers }, fromAddress(address));
  /** A client_credentials token request from the fully scoped key, from `address` when given. */
  const clientCredentials = (address?: string) => requestToken(app, 'acme', full.keyId, full.apiKey, address);
  return { app, store, apiKeys, tenants, lines, full, get, clientCredentials };
};

describe('IssuerCache', () => {
  const jwks = (kid: string): Jwks => ({ keys: [{ kty: 'AKP', alg: 'ML-DSA-65', kid }] });
  const make = (max = 10) => {
    let now = 0;
    const loads: string[] = [];
    const known = new Set(['a', 'b', 'c']);
    let kid = 'k1';
    const cache = new IssuerCache({
      discover: async (t) => {
        loads.push(`doc:${t}`);
        return known.has(t) ? { issuer: t } : undefined;
      },
      loadJwks: async (t) => {
        loads.push(`jwks:${t}`);
        return jwks(kid);
      },
      ttlMs: 30_000,
      maxTenants: max,
      now: () => now,
    });
    return {
      cache,
      loads,
      known,
      tick: (ms: number) => {
        now += ms;
      },
      setKid: (k: string) => {
        kid = k;
      },
    };
  };

  it('loads a tenant once per TTL, and shares one load between concurrent misses', async () => {
    const { cache, loads, tick } = make();
    const [d1, d2] = await Promise.all([cache.discovery('a'), cache.discovery('a')]);
    expect(d1).toEqual({ issuer: 'a' });
    expect(d2).toBe(d1);
    expect(await cache.jwks('a')).toEqual(jwks('k1'));
    expect(await cache.jwks('a')).toEqual(jwks('k1'));
    expect(loads).toEqual(['doc:a', 'jwks:a']);
    tick(29_999);
    await cache.discovery('a');
    expect(loads).toHaveLength(2);
    tick(1);
    await cache.discovery('a');
    await cache.jwks('a');
    expect(loads).toEqual(['doc:a', 'jwks:a', 'doc:a', 'jwks:a']);
  });

  it('never caches an unknown tenant, and holds at most maxTenants (least recently used out first)', async () => {
    const { cache, loads, known } = make(2);
    for (let i = 0; i < 50; i++) expect(await cache.discovery(`nobody-${i}`)).toBeUndefined();
    expect(await cache.jwks('nobody-1')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(loads.filter((l) => l.startsWith('jwks:'))).toEqual([]); // nothing loaded for unknown names
    await cache.discovery('a');
    await cache.discovery('b');
    await cache.discovery('a'); // a is now the most recent
    await cache.discovery('c'); // evicts b
    expect(cache.size).toBe(2);
    loads.length = 0;
    await cache.discovery('a');
    await cache.discovery('b');
    expect(loads).toEqual(['doc:b']);
    // A tenant that appears later is served at once: no negative entry held it back.
    known.add('late');
    expect(await cache.discovery('late')).toEqual({ issuer: 'late' });
  });

  it('drops a key set at once when this process signs with a key it does not hold', async () => {
    const { cache, loads, setKid } = make();
    await cache.jwks('a');
    cache.keyUsed('a', 'k1'); // a key it has: kept
    await cache.jwks('a');
    expect(loads.filter((l) => l === 'jwks:a')).toHaveLength(1);
    setKid('k2');
    cache.keyUsed('a', 'k2');
    expect(await cache.jwks('a')).toEqual(jwks('k2'));
    expect(loads.filter((l) => l === 'jwks:a')).toHaveLength(2);
  });

  it('does not store a load that an invalidation overtook', async () => {
    let release: (v: Jwks) => void = () => {};
    const cache = new IssuerCache({
      discover: async () => ({}),
      loadJwks: () =>
        new Promise<Jwks>((r) => {
          release = r;
        }),
      ttlMs: 30_000,
      maxTenants: 10,
    });
    const pending = cache.jwks('a', true);
    await Promise.resolve();
    cache.invalidate('a');
    release(jwks('old'));
    expect(await pending).toEqual(jwks('old'));
    const next = cache.jwks('a', true);
    await Promise.resolve();
    release(jwks('new'));
    expect(await next).toEqual(jwks('new'));
  });
});

describe('addressBucket', () => {
  it('keys IPv4 by address, IPv4-mapped IPv6 as IPv4, IPv6 by /64', () => {
    expect(addressBucket('203.0.113.9')).toBe('ip4:203.0.113.9');
    expect(addressBucket('::ffff:203.0.113.9')).toBe('ip4:203.0.113.9');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('ip6:2001:db8:1:2/64');
    expect(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('ip6:2001:db8:1:2/64');
    expect(addressBucket('2001:db8::1')).toBe('ip6:2001:db8:0:0/64');
    expect(addressBucket('fe80::1%eth0')).toBe('ip6:fe80:0:0:0/64');
    expect(addressBucket('::1')).toBe('ip6:0:0:0:0/64');
    expect(addressBucket(undefined)).toBe('addr:unknown');
    expect(addressBucket('not an address')).toBe('addr:unknown');
  });
});

describe('OIDC discovery and JWKS', () => {
  it('read the store once per tenant and TTL, not per request', async () => {
    let now = 1_000_000;
    const { store, get } = await setup({ now: () => now });
    const d = await get('acme/.well-known/openid-configuration');
    expect(d.status).toBe(200);
    expect(d.headers.get('cache-control')).toBe('public, max-age=300');
    const first = store.reads.length;
    expect(first).toBeGreaterThan(0);
    const j = await get('acme/jwks');
    expect(j.status).toBe(200);
    expect(j.headers.get('cache-control')).toBe('public, max-age=30');
    const keys = (await j.json()) as Jwks;
    expect(keys.keys).toHaveLength(1);
    const afterJwks = store.reads.length;
    for (let i = 0; i < 10; i++) {
      expect((await get('acme/.well-known/openid-configuration')).status).toBe(200);
      expect(await (await get('acme/jwks')).json()).toEqual(keys);
    }
    expect(store.reads.length).toBe(afterJwks);
    now += 31_000;
    expect((await get('acme/.well-known/openid-configuration')).status).toBe(200);
    expect(store.reads.length).toBeGreaterThan(afterJwks);
  });

  it('look unknown names up every time, cache nothing for them, and answer 404 no-store', async () => {
    const { store, get, apiKeys } = await setup();
    for (let i = 0; i < 3; i++) {
      const r = await get('globex/.well-known/openid-configuration');
      expect(r.status).toBe(404);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(await r.json()).toMatchObject({ code: 'NOT_FOUND', requestId: expect.any(String) });
      expect((await get('globex/jwks')).status).toBe(404);
    }
    // Every request asked the store again (no positive entry), and none created an issuer key.
    expect(store.reads.filter((r) => r === '_system/tenants')).toHaveLength(6);
    expect(await store.list('globex', 'identity-keys')).toEqual([]);
    // Bootstrapped a moment later (by another process, say): served at once.
    await apiKeys.issue('globex');
    expect((await get('globex/.well-known/openid-configuration')).status).toBe(200);
  });

  it('report every token this process signs, on both issuance routes, with the key it used', async () => {
    const { app, tenants, full, get, clientCredentials } = await setup();
    const seen: [string, string][] = [];
    tenants.onTokenIssued((t, kid) => seen.push([t, kid]));
    const viaApi = await app.request(`${BASE}/identity/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': full.apiKey },
      body: JSON.stringify({ claims: { sub: 'svc' }, expiresInSeconds: 60 }),
    });
    expect(viaApi.status).toBe(200);
    const viaOidc = await clientCredentials();
    expect(viaOidc.status).toBe(200);
    const kid = ((await (await get('acme/jwks')).json()) as Jwks).keys[0]?.kid;
    expect(seen).toEqual([
      ['acme', kid],
      ['acme', kid],
    ]);
  });

  it('are rate limited per client address before any store read, with 429 + Retry-After in the standard shape', async () => {
    const { store, get, lines, clientCredentials } = await setup({ burst: 2 });
    expect((await get('acme/jwks')).status).toBe(200);
    expect((await get('acme/.well-known/openid-configuration')).status).toBe(200);
    const reads = store.reads.length;
    const limited = await get('acme/jwks');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toEqual({
      code: 'RATE_LIMITED',
      message: 'rate limit exceeded',
      requestId: limited.headers.get('x-request-id'),
      details: { retryAfterSeconds: 1 },
    });
    // Unknown names are limited too, and a limited request reads nothing.
    expect((await get('nobody-1/.well-known/openid-configuration')).status).toBe(429);
    expect(store.reads.length).toBe(reads);
    // Another address has its own bucket; the same IPv6 /64 shares one.
    expect((await get('acme/jwks', '198.51.100.8')).status).toBe(200);
    expect((await get('acme/jwks', '2001:db8:7:7::1')).status).toBe(200);
    expect((await get('acme/jwks', '2001:db8:7:7::2')).status).toBe(200);
    expect((await get('acme/jwks', '2001:db8:7:7:ffff::3')).status).toBe(429);
    // Authenticated OAuth clients are limited per tenant, not by this.
    const token = await clientCredentials('198.51.100.7');
    expect(token.status).toBe(200);
    const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rate limited');
    expect(warned.length).toBe(3);
    for (const l of lines) {
      expect(l).not.toContain('198.51.100');
      expect(l).not.toContain('2001:db8');
    }
  });

  it('carry a strong ETag of the body, and answer a matching If-None-Match with 304', async () => {
    const { store, get } = await setup();
    const paths = {
      'acme/.well-known/openid-configuration': 'public, max-age=300',
      'acme/jwks': 'public, max-age=30',
    };
    const tags: string[] = [];
    for (const [path, cacheControl] of Object.entries(paths)) {
      const r = await get(path);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json');
      const body = await r.text();
      const etag = r.headers.get('etag') ?? '';
      expect(etag).toBe(`"${createHash('sha256').update(body).digest('base64url')}"`);
      tags.push(etag);
      // Served from the cache: the same tag on the next 200.
      expect((await get(path)).headers.get('etag')).toBe(etag);

      const reads = store.reads.length;
      for (const field of [etag, `"nope", ${etag}`, '*', `W/${etag}`]) {
        const nm = await get(path, undefined, { 'if-none-match': field });
        expect(nm.status, field).toBe(304);
        expect(nm.headers.get('etag')).toBe(etag);
        expect(nm.headers.get('cache-control')).toBe(cacheControl);
        expect(nm.headers.get('content-type')).toBeNull();
        expect(await nm.text()).toBe('');
      }
      for (const field of ['"nope"', `W/"x"`, etag.slice(1, -1)]) {
        const full = await get(path, undefined, { 'if-none-match': field });
        expect(full.status, field).toBe(200);
        expect(full.headers.get('etag')).toBe(etag);
        expect(await full.text()).toBe(body);
      }
      expect(store.reads.length).toBe(reads);
    }
    expect(tags[0]).not.toBe(tags[1]);
  });

  it('keep their tags across cache reloads while the bodies are unchanged', async () => {
    let now = 1_000_000;
    const { store, get } = await setup({ now: () => now });
    const paths = ['acme/.well-known/openid-configuration', 'acme/jwks'];
    const tags: string[] = [];
    for (const path of paths) tags.push((await get(path)).headers.get('etag') ?? '');
    now += 31_000;
    const reads = store.reads.length;
    for (const [i, path] of paths.entries()) {
      const r = await get(path, undefined, { 'if-none-match': tags[i] as string });
      expect(r.status).toBe(304);
      expect(r.headers.get('etag')).toBe(tags[i]);
    }
    // The entries were reloaded (new values, hashed afresh), and the bytes were the same.
    expect(store.reads.length).toBeGreaterThan(reads);
  });

  it('give 404s and 429s no ETag, and count 304s against the anonymous limit', async () => {
    const { get } = await setup({ burst: 3 });
    const etag = (await get('acme/jwks')).headers.get('etag') ?? '';
    for (const path of ['globex/jwks', 'globex/.well-known/openid-configuration']) {
      const r = await get(path, undefined, { 'if-none-match': '*' });
      expect(r.status).toBe(404);
      expect(r.headers.get('etag')).toBeNull();
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    const limited = await get('acme/jwks', undefined, { 'if-none-match': etag });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('etag')).toBeNull();
    expect(limited.headers.get('cache-control')).toBe('no-store');
  });

  it('limit by the real socket address on a listening server (QAPI_ANON_RATE_LIMIT_*)', async () => {
    const config = loadConfig({
      QAPI_STORE: 'memory',
      QAPI_MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      QAPI_ANON_RATE_LIMIT_RPS: '0.5',
      QAPI_ANON_RATE_LIMIT_BURST: '3',
    });
    expect(config.anonymousRateLimit).toEqual({ ratePerSecond: 0.5, burst: 3 });
    expect(config.oidcCacheSeconds).toBe(30);
    const lines: string[] = [];
    const server = await startServer(
      config,
      jsonLogger((l) => lines.push(l)),
    );
    try {
      const url = `http://127.0.0.1:${server.port}${BASE}/oidc/nobody/jwks`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(url)).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const r = await fetch(url);
      expect(r.headers.get('retry-after')).toBe('2');
      expect(await r.json()).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 2 } });
    } finally {
      await server.close();
    }
    for (const l of lines) expect(l).not.toContain('127.0.0.1');
  });
});
