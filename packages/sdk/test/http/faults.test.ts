/**
 * The http backend against real `@quantumapi/server` processes on PostgreSQL, with the network
 * broken on purpose (fault-proxy.ts): every call ends in a typed error or a successful retry, never
 * a hang and never a plaintext or API key in an error or a server log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantumApiClient } from '../../src/client/client.js';
import { fromBase64, toBase64 } from '../../src/crypto/bytes.js';
import {
  InvalidInputError,
  InvalidResponseError,
  NetworkError,
  PermissionDeniedError,
  QuantumApiError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  UnauthenticatedError,
} from '../../src/errors.js';
import { createHttpBackend, type HttpBackendOptions } from '../../src/http/backend.js';
import {
  bootstrapTenant,
  type Deployment,
  type IssuedKey,
  newDeployment,
  revokeKey,
  type ServerProcess,
  startServerProcess,
} from '../conformance/server-process.js';
import { TEST_DATABASE_URL } from '../conformance/pg.js';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

const SECRET = 'PLAINTEXT-CANARY-7f3a9c';
const BODY_LIMIT = 64 * 1024;

let deployment: Deployment;
let server: ServerProcess;
let proxy: FaultProxy;
let acme: IssuedKey;
const started: ServerProcess[] = [];

beforeAll(async () => {
  deployment = await newDeployment({
    QAPI_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    QAPI_RATE_LIMIT_RPS: '10000',
    QAPI_RATE_LIMIT_BURST: '10000',
  });
  server = await startServerProcess(deployment);
  started.push(server);
  acme = await bootstrapTenant(deployment, 'acme');
  proxy = await startFaultProxy(new URL(server.baseUrl));
}, 90_000);

afterAll(async () => {
  await proxy?.close();
  for (const s of started) await s.stop('SIGKILL');
  await deployment?.db.drop();
});

const client = (o: HttpBackendOptions = {}) =>
  new QuantumApiClient({
    backend: createHttpBackend({
      baseUrl: proxy.baseUrl,
      apiKey: acme.apiKey,
      timeoutMs: 10_000,
      retry: { limit: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 2_000 },
      env: {},
      ...o,
    }),
  });

/** The typed error a call ends with; checks it carries neither the canary nor the API key. */
const failure = async (p: Promise<unknown>): Promise<QuantumApiError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    const err = e as QuantumApiError;
    const text = JSON.stringify({ m: err.message, d: err.details, s: err.stack });
    for (const secret of [SECRET, toBase64(new TextEncoder().encode(SECRET)), acme.apiKey])
      expect(text).not.toContain(secret);
    return err;
  }
  throw new Error('expected a typed error');
};

describe('retries and timeouts', () => {
  it('retries 503 bursts on repeat-safe calls and then succeeds', async () => {
    const qapi = client();
    const before = proxy.seen.length;
    proxy.queue({ kind: 'status', status: 503 }, { kind: 'status', status: 503, retryAfter: '0' });
    const e = await qapi.encryption.encrypt(SECRET);
    expect(proxy.seen.length - before).toBe(3);
    expect(await qapi.encryption.decryptString(e.payload)).toBe(SECRET);
  });

  it('does not repeat a non-repeat-safe call after a 503, but does after a 429', async () => {
    const qapi = client();
    proxy.queue({ kind: 'status', status: 503 });
    const before = proxy.seen.length;
    const err = await failure(qapi.encryption.keys.create());
    expect(err).toBeInstanceOf(ServerError);
    expect(err.details['status']).toBe(503);
    expect(proxy.seen.length - before).toBe(1);
    proxy.queue({ kind: 'status', status: 429, retryAfter: '0' });
    expect((await qapi.encryption.keys.create()).state).toBe('Active');
  });

  it('gives up after the retry limit with the last typed error', async () => {
    const qapi = client({ retry: { limit: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    proxy.queue(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 502 }) as const));
    const before = proxy.seen.length;
    expect(await failure(qapi.encryption.encrypt(SECRET))).toBeInstanceOf(ServerError);
    expect(proxy.seen.length - before).toBe(3);
  });

  it('fails at once with RateLimitedError when Retry-After is longer than the cap', async () => {
    const qapi = client();
    proxy.queue({ kind: 'status', status: 429, retryAfter: '3600' });
    const t = Date.now();
    const err = await failure(qapi.encryption.encrypt(SECRET));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.details['retryAfterSeconds']).toBe(3600);
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('times out a response slower than the timeout, then retries it', async () => {
    const qapi = client({ timeoutMs: 400 });
    proxy.queue({ kind: 'delay', ms: 1_500 });
    const t = Date.now();
    expect(await qapi.encryption.decryptString((await client().encryption.encrypt('x')).payload)).toBe('x');
    proxy.queue({ kind: 'delay', ms: 1_500 });
    const e = await qapi.encryption.encrypt('slow once');
    expect(e.keyVersion).toBe(1);
    expect(Date.now() - t).toBeLessThan(5_000);
  });

  it('ends with TimeoutError when every attempt is too slow, including a body that stalls', async () => {
    const qapi = client({ timeoutMs: 300, retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    proxy.queue({ kind: 'delay', ms: 1_000 }, { kind: 'stall-body' });
    const t = Date.now();
    expect(await failure(qapi.encryption.encrypt(SECRET))).toBeInstanceOf(TimeoutError);
    expect(Date.now() - t).toBeLessThan(3_000);
  });

  it('maps a dropped connection to NetworkError after its retries', async () => {
    const qapi = client({ retry: { limit: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    proxy.queue({ kind: 'reset' }, { kind: 'reset' });
    const err = await failure(qapi.encryption.encrypt(SECRET));
    expect(err).toBeInstanceOf(NetworkError);
    // The client's request id, sent on every attempt, identifies the call in the server's logs.
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    proxy.queue({ kind: 'reset' });
    expect((await qapi.encryption.encrypt('recovers')).keyVersion).toBe(1);
  });

  it('ends with a typed error, not a hang, when the server process is killed mid-request', async () => {
    const victim = await startServerProcess({ ...deployment, extra: {} });
    started.push(victim);
    const qapi = new QuantumApiClient({
      backend: createHttpBackend({
        baseUrl: victim.baseUrl,
        apiKey: acme.apiKey,
        timeoutMs: 15_000,
        retry: { limit: 1, baseDelayMs: 5 },
        env: {},
      }),
    });
    await qapi.encryption.encrypt('warm-up');
    const items = Array.from({ length: 1000 }, () => ({ plaintext: `${SECRET}${'.'.repeat(1000)}` }));
    const outcome = failure(qapi.encryption.encryptBatch(items));
    await new Promise((r) => setTimeout(r, 150));
    await victim.stop('SIGKILL');
    const t = Date.now();
    expect(await outcome).toBeInstanceOf(NetworkError);
    expect(Date.now() - t).toBeLessThan(5_000);
  });
});

describe('responses the client must not trust', () => {
  it('refuses truncated JSON with InvalidResponseError carrying the server request id', async () => {
    const qapi = client();
    proxy.queue({ kind: 'malformed' });
    const err = await failure(qapi.encryption.encrypt(SECRET));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a well-formed body of the wrong shape, naming paths but not values', async () => {
    const qapi = client();
    const e = await qapi.encryption.encrypt(SECRET);
    proxy.queue({ kind: 'replace', body: { plaintext: 918273645, encoding: 'utf8', keyId: 'k', keyVersion: 1 } });
    const err = await failure(qapi.encryption.decrypt(e.payload));
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.message).toContain('plaintext');
    expect(err.message).not.toContain('918273645');
  });

  it('reads PascalCase responses (QuantumAPI style) case-insensitively', async () => {
    const qapi = client();
    proxy.always({ kind: 'pascal' });
    try {
      const k = await qapi.encryption.keys.create({ name: 'pascal' });
      expect(k).toMatchObject({ name: 'pascal', state: 'Active', currentVersion: 1 });
      const e = await qapi.encryption.encrypt(SECRET, { keyId: k.id });
      expect(await qapi.encryption.decryptString(e.payload)).toBe(SECRET);
      const batch = await qapi.encryption.encryptBatch([{ plaintext: 'a' }, { plaintext: 'b', keyId: 'nope' }]);
      expect(batch.map((r) => r.ok)).toEqual([true, false]);
      const err = await failure(qapi.encryption.keys.get('nope'));
      expect(err.code).toBe('KEY_NOT_FOUND');
      expect(err.requestId).toBeDefined();
    } finally {
      proxy.always(undefined);
    }
  });
});

describe('the server', () => {
  it('answers 413 to an oversized body, mapped to InvalidInputError', async () => {
    const qapi = client();
    const err = await failure(qapi.encryption.encrypt(new Uint8Array(BODY_LIMIT)));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.details['status']).toBe(413);
  });

  it('answers 400 to a request body that is not JSON', async () => {
    const r = await fetch(`${server.baseUrl}/encrypt`, {
      method: 'POST',
      headers: { 'x-api-key': acme.apiKey, 'content-type': 'application/json' },
      body: '{"plaintext": ',
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; requestId: string };
    expect(body.code).toBe('INVALID_INPUT');
    expect(r.headers.get('x-request-id')).toBe(body.requestId);
  });

  it('keeps two tenants apart', async () => {
    const globex = await bootstrapTenant(deployment, 'globex');
    const a = client();
    const b = client({ apiKey: globex.apiKey });
    const key = await a.encryption.keys.create({ name: 'acme-only' });
    const e = await a.encryption.encrypt(SECRET, { keyId: key.id });
    expect((await failure(b.encryption.keys.get(key.id))).code).toBe('KEY_NOT_FOUND');
    expect((await failure(b.encryption.decrypt(e.payload))).code).toBe('KEY_NOT_FOUND');
    expect((await failure(b.encryption.keys.rotate(key.id))).code).toBe('KEY_NOT_FOUND');
    const seenByB = [];
    for await (const k of b.encryption.keys.list()) seenByB.push(k.id);
    expect(seenByB).not.toContain(key.id);
    // Each tenant's default key is its own.
    const eb = await b.encryption.encrypt('globex data');
    expect(eb.keyId).not.toBe(e.keyId);
    expect((await failure(a.encryption.decrypt(eb.payload))).code).toBe('KEY_NOT_FOUND');
  });

  it('refuses a revoked API key on the very next request', async () => {
    const temp = await bootstrapTenant(deployment, 'acme');
    const qapi = client({ apiKey: temp.apiKey });
    await qapi.encryption.encrypt('ok');
    await revokeKey(deployment, temp.keyId);
    const err = await failure(qapi.encryption.encrypt(SECRET));
    expect(err).toBeInstanceOf(UnauthenticatedError);
    // The id the client sent is the one the server answered with and logged.
    const logged = server.stdout
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['requestId'] === err.requestId);
    expect(logged).toMatchObject({ status: 401, route: expect.stringContaining('/api/v1') });
    // The tenant's other keys are unaffected.
    expect((await client().encryption.encrypt('still fine')).keyVersion).toBeGreaterThan(0);
  });

  it('refuses unknown API keys and enforces scopes', async () => {
    const wrong = client({ apiKey: `qapi_${'A'.repeat(43)}` });
    expect(await failure(wrong.encryption.encrypt(SECRET))).toBeInstanceOf(UnauthenticatedError);
    const reader = await bootstrapTenant(deployment, 'acme', ['encryption:read']);
    const r = client({ apiKey: reader.apiKey, authScheme: 'bearer' });
    const err = await failure(r.encryption.encrypt(SECRET));
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.message).toContain('insufficient_scope');
    expect(err.details['requiredScope']).toBe('encryption:write');
    expect((await failure(r.encryption.keys.create())).code).toBe('PERMISSION_DENIED');
    const e = await client().encryption.encrypt(SECRET);
    expect(await r.encryption.decryptString(e.payload)).toBe(SECRET);
  });

  it('rate-limits per tenant with 429 + Retry-After; the client waits and succeeds', async () => {
    // A second process on the same database, with a tight limit.
    const limited = await startServerProcess({
      ...deployment,
      extra: { QAPI_RATE_LIMIT_RPS: '4', QAPI_RATE_LIMIT_BURST: '2' },
    });
    started.push(limited);
    const make = (retry: HttpBackendOptions['retry']) =>
      new QuantumApiClient({
        backend: createHttpBackend({ baseUrl: limited.baseUrl, apiKey: acme.apiKey, retry, env: {} }),
      });
    const impatient = make(false);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => impatient.encryption.encrypt('x')));
    const refused = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as QuantumApiError);
    expect(refused.length).toBeGreaterThan(0);
    for (const e of refused) {
      expect(e).toBeInstanceOf(RateLimitedError);
      expect(e.details['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
      expect(e.requestId).toBeDefined();
    }
    const patient = make({ limit: 6, maxRetryAfterMs: 5_000 });
    const ok = await Promise.all(Array.from({ length: 4 }, () => patient.encryption.encrypt('y')));
    expect(ok).toHaveLength(4);
    // Another tenant has its own bucket.
    const other = await bootstrapTenant(deployment, 'initech');
    const o = new QuantumApiClient({
      backend: createHttpBackend({ baseUrl: limited.baseUrl, apiKey: other.apiKey, retry: false, env: {} }),
    });
    expect((await o.encryption.encrypt('z')).keyVersion).toBe(1);
  });

  it('serves health and readiness without an API key and echoes a given request id', async () => {
    const h = await fetch(`${server.baseUrl.replace('/api/v1', '')}/health`, {
      headers: { 'x-request-id': 'trace-123' },
    });
    expect(h.status).toBe(200);
    expect(h.headers.get('x-request-id')).toBe('trace-123');
    expect(await (await fetch(`${server.baseUrl}/ready`)).json()).toEqual({ status: 'ready' });
    const backend = createHttpBackend({ baseUrl: server.baseUrl, apiKey: acme.apiKey, env: {} });
    await expect(backend.ready()).resolves.toBeUndefined();
  });

  it('logs one JSON line per request, without plaintexts, payloads, keys or API keys', async () => {
    const qapi = client();
    const e = await qapi.encryption.encrypt(SECRET, { aad: SECRET });
    const dk = await qapi.encryption.generateDataKey();
    await qapi.encryption.decrypt(e.payload, { aad: SECRET });
    await new Promise((r) => setTimeout(r, 200));
    const lines = server.stdout.filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    const forbidden = [
      SECRET,
      toBase64(new TextEncoder().encode(SECRET)),
      acme.apiKey,
      e.payload.slice(0, 64),
      toBase64(dk.plaintextKey),
      dk.wrappedKey.slice(0, 64),
    ];
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry['level']).toMatch(/^(debug|info|warn|error)$/);
      for (const f of forbidden) expect(line).not.toContain(f);
    }
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    expect(
      requests.some(
        (r) => r['route'] === '/api/v1/encrypt' && r['tenant'] === 'acme' && typeof r['requestId'] === 'string',
      ),
    ).toBe(true);
    expect(fromBase64(toBase64(dk.plaintextKey))).toEqual(dk.plaintextKey);
  });
});

describe('a store outage', () => {
  it('fails closed with 503: no request is served or authenticated while the database is gone', async () => {
    const d = await newDeployment();
    const s = await startServerProcess(d);
    started.push(s);
    const issued = await bootstrapTenant(d, 'acme');
    const qapi = new QuantumApiClient({
      backend: createHttpBackend({
        baseUrl: s.baseUrl,
        apiKey: issued.apiKey,
        retry: { limit: 1, baseDelayMs: 1 },
        env: {},
      }),
    });
    await qapi.encryption.encrypt('before the outage');
    await d.db.pool.query(`DROP SCHEMA "${d.schema}" CASCADE`);
    const err = await failure(qapi.encryption.encrypt(SECRET));
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.details['status']).toBe(503);
    // The API key cannot be checked either: refused, not let through.
    const unknown = await fetch(`${s.baseUrl}/keys`, { headers: { 'x-api-key': `qapi_${'B'.repeat(43)}` } });
    expect(unknown.status).toBe(503);
    expect((await fetch(`${s.baseUrl}/ready`)).status).toBe(503);
    expect((await fetch(`${s.baseUrl}/health`)).status).toBe(200);
    await s.stop();
    await d.db.drop();
  });
});

describe('database connections dropped under the server', () => {
  it('survives, and serves again once the pool reconnects', async () => {
    const app = `qapi_kill_${process.pid}_${Date.now()}`;
    const d = await newDeployment({ DATABASE_URL: `${TEST_DATABASE_URL}?application_name=${app}` });
    const s = await startServerProcess(d);
    started.push(s);
    const issued = await bootstrapTenant(d, 'acme');
    const qapi = new QuantumApiClient({
      backend: createHttpBackend({
        baseUrl: s.baseUrl,
        apiKey: issued.apiKey,
        retry: { limit: 5, baseDelayMs: 50 },
        env: {},
      }),
    });
    const before = await qapi.encryption.encrypt(SECRET);
    const killed = await d.db.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [app],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.child.exitCode).toBeNull();
    expect(await qapi.encryption.decryptString(before.payload)).toBe(SECRET);
    await s.stop();
    await d.db.drop();
  });
});
