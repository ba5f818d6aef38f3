/**
 * The server's own parts, in process over the memory store: token buckets, API key storage, and
 * the request pipeline (ids, auth, scopes, limits). End-to-end behaviour over PostgreSQL and a real
 * process is in packages/sdk/test/http/faults.test.ts and the conformance suite.
 */
import { randomBytes } from 'node:crypto';
import { defaultProviders, MemoryStore } from '@quantumapi/sdk';
import { describe, expect, it } from 'vitest';
import { ApiKeyService } from '../src/api-keys.js';
import { createApp } from '../src/app.js';
import { jsonLogger } from '../src/log.js';
import { RateLimiter } from '../src/rate-limit.js';
import { TenantBackends } from '../src/tenants.js';

describe('RateLimiter', () => {
  it('allows the burst, then one request per refill interval, per tenant', () => {
    let now = 0;
    const rl = new RateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([rl.take('a'), rl.take('a'), rl.take('a')].every((d) => d.ok)).toBe(true);
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(rl.take('b').ok).toBe(true);
    now = 500;
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
    now = 60_000;
    expect([1, 2, 3].map(() => rl.take('a').ok)).toEqual([true, true, true]);
  });
});

describe('ApiKeyService', () => {
  it('stores only a hash, authenticates, and revokes at once', async () => {
    const store = new MemoryStore();
    const keys = new ApiKeyService(store);
    const issued = await keys.issue('acme', ['keys:read']);
    expect(issued.apiKey).toMatch(/^qapi_[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(await store.list('_system', 'api_keys'));
    expect(stored).not.toContain(issued.apiKey);
    expect(stored).not.toContain(issued.apiKey.slice(5, 20));
    expect(await keys.authenticate(issued.apiKey)).toMatchObject({ tenant: 'acme', scopes: ['keys:read'] });
    // One character changed (never to itself: 'A' is the last character of 1 key in 16).
    const changed = `${issued.apiKey.slice(0, -1)}${issued.apiKey.endsWith('A') ? 'B' : 'A'}`;
    expect(await keys.authenticate(changed)).toBeUndefined();
    expect(await keys.revoke(issued.keyId)).toBe(true);
    expect(await keys.authenticate(issued.apiKey)).toBeUndefined();
    // A pepper changes every hash: keys issued without it no longer match.
    const peppered = new ApiKeyService(store, randomBytes(32));
    const other = await keys.issue('acme');
    expect(await peppered.authenticate(other.apiKey)).toBeUndefined();
    await expect(keys.issue('../etc')).rejects.toThrow(RangeError);
  });
});

describe('request pipeline', () => {
  const setup = async () => {
    const store = new MemoryStore();
    const lines: string[] = [];
    const apiKeys = new ApiKeyService(store);
    const app = createApp({
      store,
      apiKeys,
      tenants: new TenantBackends(store, randomBytes(32), defaultProviders),
      limiter: new RateLimiter({ ratePerSecond: 1, burst: 2 }),
      logger: jsonLogger((l) => lines.push(l)),
      bodyLimitBytes: 4096,
    });
    return { app, lines, full: await apiKeys.issue('acme'), readOnly: await apiKeys.issue('acme', ['keys:read']) };
  };

  it('authenticates, checks scopes, limits per tenant and tags every response with a request id', async () => {
    const { app, full, readOnly, lines } = await setup();
    const post = (key: string | undefined, path: string, body: unknown) =>
      app.request(`/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify(body),
      });
    const none = await post(undefined, '/keys', {});
    expect(none.status).toBe(401);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const denied = await post(readOnly.apiKey, '/keys', { algorithm: 'ML-KEM-768' });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: 'PERMISSION_DENIED', error: 'insufficient_scope' });
    const created = await post(full.apiKey, '/keys', { algorithm: 'ML-KEM-768', name: 'k' });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ name: 'k', algorithm: 'ML-KEM-768', isDefault: true });
    const limited = await post(full.apiKey, '/keys', { algorithm: 'ML-KEM-768' });
    expect(limited.status).toBe(429); // the tenant's burst of 2 is spent
    expect(limited.headers.get('retry-after')).toBe('1');
    const big = await app.request('/api/v1/encrypt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': full.apiKey },
      body: JSON.stringify({ plaintext: 'A'.repeat(8000) }),
    });
    expect(big.status).toBe(413);
    for (const l of lines) expect(l).not.toContain(full.apiKey);
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(requests.map((l) => l.status)).toEqual([401, 403, 200, 429, 413]);
  });
});
