/**
 * Failed authentications per client address: past its burst of bad keys a client is refused
 * before its next key is looked up; clients that authenticate are never charged.
 */
import { MemoryStore, type StoredRecord } from '@quantumapi/sdk';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/rate-limit.js';
import { BASE, fromAddress, inProcessApp, requestToken } from './in-process-app.js';

class CountingStore extends MemoryStore {
  reads = 0;
  override get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    this.reads++;
    return super.get<T>(tenant, collection, id);
  }
}

const setup = async () => {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const { app, store, apiKeys, lines } = inProcessApp({
    store: new CountingStore(),
    authFailureLimiter: new RateLimiter({ ratePerSecond: 1, burst: 3, now: () => now }),
  });
  const key = await apiKeys.issue('acme');
  const api = (apiKey: string, address: string) =>
    app.request(`${BASE}/keys`, { headers: { 'x-api-key': apiKey } }, fromAddress(address));
  const token = (clientId: string, secret: string, address: string) =>
    requestToken(app, 'acme', clientId, secret, address);
  return { store, key, api, token, clock, lines };
};

// Well-formed keys that do not exist: each costs a store lookup until the address is blocked.
const bad = (i: number) => `qapi_${'x'.repeat(39)}${String(i).padStart(4, '0')}`;

describe('failed authentications', () => {
  it('API: past the burst a client gets 429 before any key lookup; others and good keys are unaffected', async () => {
    const { store, key, api, clock, lines } = await setup();
    for (let i = 0; i < 3; i++) expect((await api(bad(i), '198.51.100.7')).status).toBe(401);
    const reads = store.reads;
    const refused = await api(bad(9), '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
    expect(store.reads).toBe(reads); // no lookup for the refused request
    // Whoever shares that address waits too; another address does not.
    expect((await api(key.apiKey, '198.51.100.7')).status).toBe(429);
    expect((await api(key.apiKey, '203.0.113.5')).status).toBe(200);
    // Successes are never charged.
    for (let i = 0; i < 10; i++) expect((await api(key.apiKey, '203.0.113.5')).status).toBe(200);
    clock.advance(1000);
    expect((await api(key.apiKey, '198.51.100.7')).status).toBe(200);
    expect(lines.join('\n')).not.toContain('198.51.100.7');
  });

  it('OAuth token endpoint: bad client credentials count the same way', async () => {
    const { key, token, store } = await setup();
    for (let i = 0; i < 3; i++) expect((await token(key.keyId, bad(i), '198.51.100.8')).status).toBe(401);
    const reads = store.reads;
    const refused = await token(key.keyId, key.apiKey, '198.51.100.8');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(store.reads).toBe(reads);
    expect((await token(key.keyId, key.apiKey, '198.51.100.9')).status).toBe(200);
  });
});

describe('RateLimiter.peek', () => {
  it('answers what take would, without taking', () => {
    let now = 0;
    const l = new RateLimiter({ ratePerSecond: 1, burst: 2, now: () => now });
    expect(l.peek('a')).toEqual({ ok: true });
    l.take('a');
    l.take('a');
    expect(l.peek('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(l.peek('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now = 1000;
    expect(l.peek('a')).toEqual({ ok: true });
    expect(l.take('a')).toEqual({ ok: true });
    expect(l.take('a').ok).toBe(false);
  });
});
