/**
 * Which address the per-address limits see: the TCP peer, or, behind a trusted proxy, the
 * right-most X-Forwarded-For hop that is not itself trusted. A client cannot choose its bucket.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { clientAddressVia, parseTrustedProxies } from '../src/client-address.js';
import { RateLimiter } from '../src/rate-limit.js';
import { BASE, fromAddress, inProcessApp } from './in-process-app.js';

/** Just enough of a Hono context for the resolver: the socket peer and the header. */
const ctx = (peer: string | undefined, xff?: string) =>
  ({
    env: peer ? fromAddress(peer) : undefined,
    req: { header: (name: string) => (name === 'x-forwarded-for' ? xff : undefined) },
  }) as never;

describe('client address', () => {
  const trusted = parseTrustedProxies(['10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
  const resolve = clientAddressVia(trusted);

  it('is the peer without trusted proxies, whatever the header says', () => {
    expect(clientAddressVia(undefined)(ctx('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7');
    expect(resolve(ctx('198.51.100.7', '203.0.113.9'))).toBe('198.51.100.7'); // untrusted peer
  });

  it('behind trusted proxies is the right-most hop that is not one of them', () => {
    expect(resolve(ctx('10.1.2.3', '203.0.113.9'))).toBe('203.0.113.9');
    expect(resolve(ctx('::ffff:10.1.2.3', '203.0.113.9'))).toBe('203.0.113.9');
    // A client-supplied entry left of the real one changes nothing.
    expect(resolve(ctx('10.1.2.3', '1.1.1.1, 203.0.113.9, 10.9.9.9'))).toBe('203.0.113.9');
    expect(resolve(ctx('192.0.2.1', '2001:db8::5, 2001:db8:1::7'))).toBe('2001:db8::5');
    // Every hop trusted: the left-most one is as far as anything can be believed.
    expect(resolve(ctx('10.1.2.3', '10.0.0.1, 10.0.0.2'))).toBe('10.0.0.1');
    // No header, or garbage: the last hop that is an address.
    expect(resolve(ctx('10.1.2.3'))).toBe('10.1.2.3');
    expect(resolve(ctx('10.1.2.3', '203.0.113.9, not-an-ip'))).toBe('10.1.2.3');
    expect(resolve(ctx(undefined, '203.0.113.9'))).toBeUndefined();
  });

  it('refuses entries that are not addresses or ranges', () => {
    for (const bad of ['10.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', '']) {
      expect(() => parseTrustedProxies([bad])).toThrow(RangeError);
    }
    const base = { QAPI_STORE: 'memory', QAPI_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(loadConfig(base).trustedProxies).toBeUndefined();
    expect(loadConfig({ ...base, QAPI_TRUSTED_PROXIES: ' 10.0.0.0/8 , ::1 ' }).trustedProxies?.check('10.4.4.4')).toBe(
      true,
    );
    expect(() => loadConfig({ ...base, QAPI_TRUSTED_PROXIES: '10.0.0.0/8,nope' })).toThrow(/QAPI_TRUSTED_PROXIES/);
    expect(() => loadConfig({ ...base, QAPI_TRUSTED_PROXIES: '10.0.0.0/8,nope' })).toThrow(/entry 2 is not/);
    expect(() => loadConfig({ ...base, QAPI_TRUSTED_PROXIES: 'nope' })).not.toThrow(/nope/);
  });

  it('gives each client behind a trusted proxy its own anonymous bucket', async () => {
    const { app } = inProcessApp({
      trustedProxies: ['10.0.0.0/8'],
      anonymousLimiter: new RateLimiter({ ratePerSecond: 0.001, burst: 1 }),
    });
    const get = (peer: string, xff?: string) =>
      app.request(`${BASE}/oidc/nobody/jwks`, { headers: xff ? { 'x-forwarded-for': xff } : {} }, fromAddress(peer));
    expect((await get('10.0.0.5', '203.0.113.1')).status).toBe(404); // allowed; unknown tenant
    expect((await get('10.0.0.5', '203.0.113.1')).status).toBe(429);
    expect((await get('10.0.0.5', '203.0.113.2')).status).toBe(404); // another client, same proxy
    // An untrusted peer cannot escape its bucket by naming someone else.
    expect((await get('198.51.100.7', '203.0.113.3')).status).toBe(404);
    expect((await get('198.51.100.7', '203.0.113.4')).status).toBe(429);
  });
});
