/**
 * Public PKI distribution ({base}/pki/{tenant}/ca.pem, /ca.cer, /crl, /crl.pem): the same bytes as
 * the authenticated CA routes (ca.cer: the chain's first certificate as DER), nothing created for unknown tenants or tenants without a CA, a short
 * cache that a revocation in this process clears at once, Cache-Control bounded by the TTL and the
 * CRL's nextUpdate, the shared anonymous rate limit, conditional GET (a strong ETag per
 * representation, If-None-Match answered 304), and the QAPI_PUBLIC_PKI switch.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createCsr,
  defaultProviders,
  MemoryStore,
  parseCertificate,
  parseCertificates,
  parseCrl,
  signingKeyFromSeed,
  type StoredRecord,
  StoreUnavailableError,
} from '@quantumapi/sdk';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { jsonLogger } from '../src/log.js';
import { TenantCache } from '../src/tenant-cache.js';
import { RateLimiter } from '../src/rate-limit.js';
import { startServer } from '../src/server.js';
import { TenantBackends } from '../src/tenants.js';
import { BASE, fromAddress, inProcessApp, PUBLIC } from './in-process-app.js';

/** A memory store that records every read and write as `tenant/collection`, and can be made to fail. */
class RecordingStore extends MemoryStore {
  readonly reads: string[] = [];
  readonly writes: string[] = [];
  failing = false;
  override get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    this.reads.push(`${tenant}/${collection}`);
    if (this.failing) return Promise.reject(new StoreUnavailableError('down'));
    return super.get<T>(tenant, collection, id);
  }
  override put<T>(tenant: string, collection: string, id: string, data: T, expectedRevision: number): Promise<number> {
    this.writes.push(`${tenant}/${collection}`);
    return super.put(tenant, collection, id, data, expectedRevision);
  }
  override delete(tenant: string, collection: string, id: string, expectedRevision?: number): Promise<boolean> {
    this.writes.push(`${tenant}/${collection}`);
    return super.delete(tenant, collection, id, expectedRevision);
  }
}

const ADDRESS = '198.51.100.7';

const setup = async (opts: { pki?: boolean; burst?: number; ttl?: number; now?: () => number } = {}) => {
  const { app, store, apiKeys, tenants, masterKey } = inProcessApp({
    store: new RecordingStore(),
    // Slow refill: a limited test stays limited however slowly the machine runs it.
    anonymousLimiter: new RateLimiter({ ratePerSecond: 0.1, burst: opts.burst ?? 1000 }),
    ...(opts.pki === false ? {} : { pki: { cacheTtlSeconds: opts.ttl ?? 30, ...(opts.now ? { now: opts.now } : {}) } }),
  });
  const full = await apiKeys.issue('acme');
  /** An anonymous GET under {base}/pki from `address`. */
  const pub = (path: string, address = ADDRESS, headers: Record<string, string> = {}) =>
    app.request(`${BASE}/pki/${path}`, { headers }, fromAddress(address));
  /** The same, revalidating with If-None-Match. */
  const pubIf = (path: string, ifNoneMatch: string, address = ADDRESS) =>
    pub(path, address, { 'if-none-match': ifNoneMatch });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(`${BASE}${path}`, {
      method,
      headers: {
        'x-api-key': full.apiKey,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  const issue = async (): Promise<string> => {
    const key = signingKeyFromSeed('ML-DSA-65', randomBytes(32), defaultProviders.signature);
    const csr = createCsr({ key, subject: { commonName: 'svc' }, dnsNames: ['svc.internal'] });
    const r = await call('POST', '/certificates', { csr: csr.pem });
    expect(r.status).toBe(200);
    return ((await r.json()) as { serialNumber: string }).serialNumber;
  };
  /** A freshly issued service certificate, parsed (read back through the authenticated route). */
  const issuedCertificate = async () => {
    const serial = await issue();
    const r = await call('GET', `/certificates/${serial}`);
    return parseCertificate(((await r.json()) as { certificate: string }).certificate);
  };
  /** What the authenticated routes return: the PEM chain, the DER CRL and the JSON CRL. */
  const authenticated = async () => ({
    chain: await (await call('GET', '/cas/default', undefined, { accept: 'application/pem-certificate-chain' })).text(),
    der: new Uint8Array(
      await (await call('GET', '/cas/default/crl', undefined, { accept: 'application/pkix-crl' })).arrayBuffer(),
    ),
    json: (await (await call('GET', '/cas/default/crl')).json()) as {
      crl: string;
      crlNumber: number;
      nextUpdate: string;
    },
  });
  return { app, store, tenants, masterKey, pub, pubIf, call, issue, issuedCertificate, authenticated };
};

const der = async (r: Response): Promise<Uint8Array> => new Uint8Array(await r.arrayBuffer());

const ETAG = /^"[A-Za-z0-9_-]{43}"$/;
const sha256Tag = (bytes: Uint8Array | string) => `"${createHash('sha256').update(bytes).digest('base64url')}"`;

/** A 304 as RFC 9110 §15.4.5 wants it: the 200's ETag and Cache-Control, no body, no Content-Type. */
const expectNotModified = async (r: Response, etag: string, cacheControl: string) => {
  expect(r.status).toBe(304);
  expect(r.headers.get('etag')).toBe(etag);
  expect(r.headers.get('cache-control')).toBe(cacheControl);
  expect(r.headers.get('content-type')).toBeNull();
  expect(await r.text()).toBe('');
};

describe('TenantCache', () => {
  const make = (opts: { max?: number; expiresAt?: (v: string) => number } = {}) => {
    let now = 1_000_000;
    const loads: string[] = [];
    const known = new Map([
      ['a', 'A1'],
      ['b', 'B1'],
      ['c', 'C1'],
    ]);
    const cache = new TenantCache<string>({
      load: async (t) => {
        loads.push(t);
        return known.get(t);
      },
      ttlMs: 30_000,
      maxTenants: opts.max ?? 10,
      ...(opts.expiresAt ? { expiresAt: opts.expiresAt } : {}),
      now: () => now,
    });
    return { cache, loads, known, tick: (ms: number) => (now += ms), now: () => now };
  };

  it('loads once per TTL, sharing one load between concurrent misses', async () => {
    const { cache, loads, tick } = make();
    expect(await Promise.all([cache.get('a'), cache.get('a')])).toEqual(['A1', 'A1']);
    expect(await cache.get('a')).toBe('A1');
    expect(loads).toEqual(['a']);
    tick(30_000);
    expect(await cache.get('a')).toBe('A1');
    expect(loads).toEqual(['a', 'a']);
  });

  it('never stores a missing value, and holds at most maxTenants (least recently used out first)', async () => {
    const { cache, loads, known } = make({ max: 2 });
    expect(await cache.get('nobody')).toBeUndefined();
    expect(await cache.get('nobody')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(loads).toEqual(['nobody', 'nobody']);
    known.set('nobody', 'N1');
    expect(await cache.get('nobody')).toBe('N1');
    await cache.get('a');
    await cache.get('nobody'); // a is now the least recently used
    await cache.get('b');
    expect(cache.size).toBe(2);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('nobody')).toBe('N1');
  });

  it('keeps a value no longer than its own expiry, and not at all once expired', async () => {
    const clock = make({ expiresAt: (v) => (v === 'A1' ? expiry : 0) });
    let expiry = clock.now() + 5_000;
    expect(await clock.cache.get('a')).toBe('A1');
    clock.tick(4_999);
    expect(clock.cache.peek('a')).toBe('A1');
    clock.tick(1);
    expect(clock.cache.peek('a')).toBeUndefined();
    expiry = 0;
    await clock.cache.get('a');
    expect(clock.cache.size).toBe(0);
  });

  it('does not store a load that an invalidation overtook', async () => {
    const { cache, loads, known } = make();
    const first = cache.get('a');
    cache.invalidate('a');
    known.set('a', 'A2');
    expect(await first).toBe('A1');
    expect(await cache.get('a')).toBe('A2');
    expect(loads).toEqual(['a', 'a']);
  });
});

describe('public PKI distribution', () => {
  it('serves the CA chain and CRL byte for byte as the authenticated routes do', async () => {
    const { pub, issue, authenticated } = await setup();
    await issue();
    const chain = await pub('acme/ca.pem');
    expect(chain.status).toBe(200);
    expect(chain.headers.get('content-type')).toBe('application/pem-certificate-chain');
    expect(chain.headers.get('cache-control')).toBe('public, max-age=30');
    const crl = await pub('acme/crl');
    expect(crl.status).toBe(200);
    expect(crl.headers.get('content-type')).toBe('application/pkix-crl');
    expect(crl.headers.get('cache-control')).toBe('public, max-age=30');
    const crlPem = await pub('acme/crl.pem');
    expect(crlPem.status).toBe(200);
    expect(crlPem.headers.get('content-type')).toBe('application/x-pem-file');

    const auth = await authenticated();
    const chainText = await chain.text();
    expect(chainText).toBe(auth.chain);
    expect(parseCertificates(chainText)).toHaveLength(1);
    const crlDer = await der(crl);
    expect(crlDer).toEqual(auth.der);
    expect(await crlPem.text()).toBe(auth.json.crl);
    const parsed = parseCrl(crlDer);
    expect(parsed.crlNumber).toBe(auth.json.crlNumber);
    expect(parsed.revoked.size).toBe(0);
  });

  it('issued certificates name the public CRL as their distribution point, and it is served there', async () => {
    const { issuedCertificate, pub } = await setup();
    const cert = await issuedCertificate();
    expect(cert.crlDistributionPoints).toEqual([`${PUBLIC}${BASE}/pki/acme/crl`]);
    const r = await pub(cert.crlDistributionPoints[0]!.slice(`${PUBLIC}${BASE}/pki/`.length));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pkix-crl');
    expect(parseCrl(new Uint8Array(await r.arrayBuffer())).issuerText).toBe(cert.issuerText);
    // Public PKI off: no distribution point is written.
    const off = await setup({ pki: false });
    expect((await off.issuedCertificate()).crlDistributionPoints).toEqual([]);
  });

  it('serves the issuing CA certificate alone at ca.cer: the first certificate of ca.pem, DER', async () => {
    const { pub, pubIf, issue } = await setup();
    await issue();
    const chain = await pub('acme/ca.pem');
    const chainText = await chain.text();
    const r = await pub('acme/ca.cer');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pkix-cert');
    expect(r.headers.get('cache-control')).toBe('public, max-age=30');
    const body = await der(r);
    // Decoded here, not by the SDK's PEM reader: the first block's base64 body.
    const first = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(chainText)?.[1] ?? '';
    expect(Buffer.from(body).toString('hex')).toBe(Buffer.from(first.replace(/\s+/g, ''), 'base64').toString('hex'));
    expect(parseCertificate(body).der).toEqual(parseCertificates(chainText)[0]?.der);

    const etag = r.headers.get('etag') ?? '';
    expect(etag).toMatch(ETAG);
    expect(etag).toBe(sha256Tag(body));
    expect(etag).not.toBe(chain.headers.get('etag'));
    await expectNotModified(await pubIf('acme/ca.cer', etag), etag, 'public, max-age=30');
    // The PEM chain's tag does not validate the DER certificate, nor the other way round.
    expect((await pubIf('acme/ca.cer', chain.headers.get('etag') ?? '')).status).toBe(200);
    expect((await pubIf('acme/ca.pem', etag)).status).toBe(200);

    const unknown = await pubIf('nobody/ca.cer', '*');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('etag')).toBeNull();
    expect(unknown.headers.get('cache-control')).toBe('no-store');
  });

  it('issued certificates name the public ca.cer as their AIA caIssuers, and it serves their issuer', async () => {
    const { issuedCertificate, pub } = await setup();
    const cert = await issuedCertificate();
    expect(cert.caIssuers).toEqual([`${PUBLIC}${BASE}/pki/acme/ca.cer`]);
    const r = await pub(cert.caIssuers[0]!.slice(`${PUBLIC}${BASE}/pki/`.length));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pkix-cert');
    const issuer = parseCertificate(await der(r));
    expect(issuer.subjectText).toBe(cert.issuerText);
    expect(issuer.subjectKeyIdentifier).toEqual(cert.authorityKeyIdentifier);
    // Public PKI off: no AIA is written.
    const off = await setup({ pki: false });
    expect((await off.issuedCertificate()).caIssuers).toEqual([]);
  });

  it('answers 404 no-store for unknown tenants and tenants without a CA, and writes nothing', async () => {
    const { store, pub, call, authenticated } = await setup();
    store.reads.length = 0;
    store.writes.length = 0;
    // acme has an API key but no CA yet; nobody does not exist; the third is no tenant name.
    for (const tenant of ['acme', 'nobody', 'x'.repeat(65)]) {
      for (const path of ['ca.pem', 'ca.cer', 'crl', 'crl.pem']) {
        for (let i = 0; i < 2; i++) {
          const r = await pub(`${tenant}/${path}`);
          expect(r.status).toBe(404);
          expect(r.headers.get('cache-control')).toBe('no-store');
          expect(await r.json()).toEqual({
            code: 'NOT_FOUND',
            message: 'no such certificate authority',
            requestId: r.headers.get('x-request-id'),
          });
        }
      }
    }
    expect(store.writes).toEqual([]);
    // One read of the CA record per request for a valid name (no engine opened), none for a bad one.
    expect(new Set(store.reads)).toEqual(new Set(['acme/certificates.ca', 'nobody/certificates.ca']));
    expect(store.reads.length).toBe(16);

    // Nothing negative was cached: once the CA exists, it is served at once.
    expect((await call('GET', '/cas/default')).status).toBe(200);
    const chain = await pub('acme/ca.pem');
    expect(chain.status).toBe(200);
    expect(await chain.text()).toBe((await authenticated()).chain);
    expect((await pub('acme/crl')).status).toBe(200);
  });

  it('serves from the cache, and shows a revocation made in this process at once', async () => {
    // A clock that never moves: only the revocation can make the cache let go.
    const { store, pub, call, issue, authenticated } = await setup({ now: () => 1_700_000_000_000 });
    const serial = await issue();
    await issue();
    const before = await der(await pub('acme/crl'));
    expect(parseCrl(before).revoked.size).toBe(0);
    store.reads.length = 0;
    expect(await der(await pub('acme/crl'))).toEqual(before);
    expect((await pub('acme/ca.pem')).status).toBe(200);
    expect((await pub('acme/crl.pem')).status).toBe(200);
    expect(store.reads).toEqual([]);

    const revoked = await call('POST', `/certificates/${serial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.status).toBe(200);
    const after = await der(await pub('acme/crl'));
    const parsed = parseCrl(after);
    expect([...parsed.revoked.keys()]).toEqual([serial]);
    expect(parsed.crlNumber).toBe((parseCrl(before).crlNumber ?? 0) + 1);
    expect(after).toEqual((await authenticated()).der);
    expect(parseCrl(await (await pub('acme/crl.pem')).text()).revoked.has(serial)).toBe(true);
  });

  it('drops a cached CRL when this process obtains a newer one (another process revoked)', async () => {
    const { store, masterKey, pub, call, issue } = await setup({ now: () => 1_700_000_000_000 });
    const serial = await issue();
    const first = parseCrl(await der(await pub('acme/crl')));
    // Another server process over the same store revokes: this one cannot know until it reads.
    const other = new TenantBackends(store, masterKey, defaultProviders);
    await other.get('acme').certificates.revoke({ serialNumber: serial });
    await other.close();
    expect(parseCrl(await der(await pub('acme/crl'))).crlNumber).toBe(first.crlNumber);
    // An authenticated CRL read here signs the new list: the public one follows at once.
    const current = (await (await call('GET', '/cas/default/crl')).json()) as { crlNumber: number };
    expect(current.crlNumber).toBe((first.crlNumber ?? 0) + 1);
    const now = parseCrl(await der(await pub('acme/crl')));
    expect(now.crlNumber).toBe(current.crlNumber);
    expect(now.revoked.has(serial)).toBe(true);
  });

  it('never lets the CRL be cached past its nextUpdate', async () => {
    let clock = Date.now();
    const { pub, issue, authenticated } = await setup({ ttl: 300, now: () => clock });
    await issue();
    expect((await pub('acme/crl')).headers.get('cache-control')).toBe('public, max-age=300');
    const nextUpdate = Date.parse((await authenticated()).json.nextUpdate);
    clock = nextUpdate - 10_500;
    const r = await pub('acme/crl');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('public, max-age=10');
    expect((await pub('acme/crl.pem')).headers.get('cache-control')).toBe('public, max-age=10');
    // The chain is bounded by the TTL only.
    expect((await pub('acme/ca.pem')).headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('is rate limited per client address before any store read, sharing the OIDC anonymous budget', async () => {
    const { app, store, pub, issue } = await setup({ burst: 3 });
    await issue();
    expect((await pub('acme/ca.pem')).status).toBe(200);
    expect((await pub('acme/crl')).status).toBe(200);
    const jwks = await app.request(`${BASE}/oidc/acme/jwks`, {}, fromAddress(ADDRESS));
    expect(jwks.status).not.toBe(429);
    store.reads.length = 0;
    store.writes.length = 0;
    const limited = await pub('acme/crl');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toEqual({
      code: 'RATE_LIMITED',
      message: 'rate limit exceeded',
      requestId: limited.headers.get('x-request-id'),
      details: { retryAfterSeconds: retryAfter },
    });
    expect((await pub('nobody/ca.pem')).status).toBe(429);
    expect(store.reads).toEqual([]);
    expect(store.writes).toEqual([]);
    expect((await pub('acme/crl', '198.51.100.8')).status).toBe(200);
  });

  it('answers a store failure with 503 no-store, and caches nothing for it', async () => {
    const { store, pub } = await setup();
    store.failing = true;
    const r = await pub('acme/ca.pem');
    expect(r.status).toBe(503);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await r.json()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    store.failing = false;
    expect((await pub('acme/ca.pem')).status).toBe(404);
  });

  it('tags each representation with a strong ETag of its bytes, and answers a matching If-None-Match with 304', async () => {
    const { store, pub, pubIf, issue } = await setup();
    await issue();
    const tags = new Map<string, string>();
    for (const path of ['ca.pem', 'ca.cer', 'crl', 'crl.pem']) {
      const r = await pub(`acme/${path}`);
      expect(r.status).toBe(200);
      const etag = r.headers.get('etag') ?? '';
      expect(etag).toMatch(ETAG);
      expect(etag).toBe(sha256Tag(new Uint8Array(await r.arrayBuffer())));
      tags.set(path, etag);
    }
    // The DER and PEM forms of one CRL (or CA) are different representations: different tags.
    expect(new Set(tags.values()).size).toBe(4);

    store.reads.length = 0;
    for (const [path, etag] of tags) {
      for (const field of [etag, `"nope", ${etag}`, ` ,W/"x",${etag} ,`, '*', `W/${etag}`])
        await expectNotModified(await pubIf(`acme/${path}`, field), etag, 'public, max-age=30');
      for (const field of ['"nope"', etag.slice(1, -1), `${etag} ${etag}`, `W/${etag.toLowerCase()}`]) {
        const r = await pubIf(`acme/${path}`, field);
        expect(r.status, field).toBe(200);
        expect(r.headers.get('etag')).toBe(etag);
        expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
      }
    }
    // Another representation's tag does not validate this one.
    expect((await pubIf('acme/crl.pem', tags.get('crl') ?? '')).status).toBe(200);
    expect((await pubIf('acme/crl', tags.get('crl.pem') ?? '')).status).toBe(200);
    // All from the cache: revalidation costs no store read.
    expect(store.reads).toEqual([]);
  });

  it('changes the CRL tags on a revocation: the old tag then gets the new CRL in a 200', async () => {
    const { pub, pubIf, call, issue, authenticated } = await setup({ now: () => 1_700_000_000_000 });
    const serial = await issue();
    const oldDer = (await pub('acme/crl')).headers.get('etag') ?? '';
    const oldPem = (await pub('acme/crl.pem')).headers.get('etag') ?? '';
    const chain = (await pub('acme/ca.pem')).headers.get('etag') ?? '';
    expect((await pubIf('acme/crl', oldDer)).status).toBe(304);

    expect((await call('POST', `/certificates/${serial}/revoke`, {})).status).toBe(200);
    const r = await pubIf('acme/crl', oldDer);
    expect(r.status).toBe(200);
    const newDer = r.headers.get('etag') ?? '';
    expect(newDer).toMatch(ETAG);
    expect(newDer).not.toBe(oldDer);
    const body = await der(r);
    expect(parseCrl(body).revoked.has(serial)).toBe(true);
    expect(body).toEqual((await authenticated()).der);
    expect(newDer).toBe(sha256Tag(body));
    const pem = await pubIf('acme/crl.pem', oldPem);
    expect(pem.status).toBe(200);
    const newPem = pem.headers.get('etag') ?? '';
    expect(newPem).not.toBe(oldPem);
    expect(parseCrl(await pem.text()).revoked.has(serial)).toBe(true);
    // The new tags validate; the chain did not change, nor did its tag.
    expect((await pubIf('acme/crl', newDer)).status).toBe(304);
    expect((await pubIf('acme/crl.pem', newPem)).status).toBe(304);
    expect((await pubIf('acme/ca.pem', chain)).status).toBe(304);
  });

  it('gives 404s, 429s and errors no ETag, whatever If-None-Match says, and counts 304s against the limit', async () => {
    const { store, pub, pubIf, issue } = await setup({ burst: 4 });
    await issue();
    const etag = (await pub('acme/ca.pem')).headers.get('etag') ?? '';
    for (const path of ['nobody/ca.pem', 'nobody/crl', `${'x'.repeat(65)}/crl.pem`]) {
      const r = await pubIf(path, '*');
      expect(r.status).toBe(404);
      expect(r.headers.get('etag')).toBeNull();
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    // The burst is spent: a request that would have been a 304 is limited like any other.
    const limited = await pubIf('acme/ca.pem', etag);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('etag')).toBeNull();
    expect(limited.headers.get('cache-control')).toBe('no-store');

    const other = '198.51.100.9';
    store.failing = true;
    const failed = await pubIf('globex/ca.pem', '*', other);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('etag')).toBeNull();
    expect(failed.headers.get('cache-control')).toBe('no-store');
  });

  it('is 404 when switched off, reading nothing even for a tenant with a CA', async () => {
    const { store, pub, issue } = await setup({ pki: false });
    await issue();
    store.reads.length = 0;
    for (const path of ['acme/ca.pem', 'acme/ca.cer', 'acme/crl', 'acme/crl.pem', 'nobody/crl']) {
      const r = await pub(path);
      expect(r.status).toBe(404);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(await r.json()).toMatchObject({ code: 'NOT_FOUND', message: 'no such route' });
    }
    expect(store.reads).toEqual([]);
  });
});

describe('QAPI_PUBLIC_PKI', () => {
  const env = (extra: Record<string, string> = {}) => ({
    QAPI_STORE: 'memory',
    QAPI_MASTER_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    ...extra,
  });

  it('is off by default, takes true/false, 1/0, on/off, and refuses anything else by name', () => {
    expect(loadConfig(env())).toMatchObject({ publicPki: false, pkiCacheSeconds: 30 });
    for (const v of ['true', '1', 'on', 'ON', 'True'])
      expect(loadConfig(env({ QAPI_PUBLIC_PKI: v })).publicPki).toBe(true);
    for (const v of ['false', '0', 'off']) expect(loadConfig(env({ QAPI_PUBLIC_PKI: v })).publicPki).toBe(false);
    expect(() => loadConfig(env({ QAPI_PUBLIC_PKI: 'yes' }))).toThrow(ConfigError);
    expect(() => loadConfig(env({ QAPI_PUBLIC_PKI: 'yes' }))).toThrow(/QAPI_PUBLIC_PKI/);
    expect(loadConfig(env({ QAPI_PKI_CACHE_SECONDS: '120' })).pkiCacheSeconds).toBe(120);
    expect(() => loadConfig(env({ QAPI_PKI_CACHE_SECONDS: '0' }))).toThrow(/QAPI_PKI_CACHE_SECONDS/);
    expect(() => loadConfig(env({ QAPI_PKI_CACHE_SECONDS: '301' }))).toThrow(/QAPI_PKI_CACHE_SECONDS/);
  });

  it('switches the routes on a listening server', async () => {
    for (const [flag, message] of [
      ['on', 'no such certificate authority'],
      ['off', 'no such route'],
    ] as const) {
      const server = await startServer(
        loadConfig(env({ QAPI_PUBLIC_PKI: flag })),
        jsonLogger(() => undefined),
      );
      try {
        const r = await fetch(`http://127.0.0.1:${server.port}${BASE}/pki/nobody/crl`);
        expect(r.status).toBe(404);
        expect(await r.json()).toMatchObject({ code: 'NOT_FOUND', message });
      } finally {
        await server.close();
      }
    }
  });
});
