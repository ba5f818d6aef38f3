/**
 * The http backend's own rules, without a network: options and environment, Retry-After parsing,
 * backoff bounds, error mapping (incl. PascalCase bodies) and the route table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidOptionsError,
  KeyNotFoundError,
  PermissionDeniedError,
  QuantumApiError,
  ServerError,
} from '../../src/errors.js';
import { createHttpBackend, DEFAULT_BASE_URL } from '../../src/http/backend.js';
import { errorFromResponse } from '../../src/http/errors.js';
import { ROUTES, routePath } from '../../src/http/routes.js';
import { parseRetryAfter, Transport } from '../../src/http/transport.js';
import { z } from 'zod';
import { NetworkError } from '../../src/errors.js';
import { encryptSchema, keyInfoSchema } from '../../src/http/wire.js';

const ctx = (status: number, body: unknown, secrets: string[] = []) => ({
  operation: 'op',
  status,
  body,
  headerRequestId: 'hdr-id',
  retryAfterSeconds: undefined,
  secrets,
});

describe('createHttpBackend options', () => {
  it('takes the API key from options, then QUANTUMAPI_KEY, then QAPI_API_KEY, and the base URL from QUANTUMAPI_BASE_URL', () => {
    expect(createHttpBackend({ apiKey: 'qapi_from_options', env: {} }).baseUrl).toBe(DEFAULT_BASE_URL);
    expect(createHttpBackend({ env: { QAPI_API_KEY: 'qapi_second_choice' } }).kind).toBe('http');
    expect(
      createHttpBackend({ env: { QUANTUMAPI_KEY: 'qapi_first_choice', QUANTUMAPI_BASE_URL: 'http://127.0.0.1:1/x' } })
        .baseUrl,
    ).toBe('http://127.0.0.1:1/x');
    expect(() => createHttpBackend({ env: {} })).toThrow(InvalidOptionsError);
    expect(() => createHttpBackend({ apiKey: 'qapi_secret_value_123', baseUrl: 'ftp://x', env: {} })).toThrow(
      InvalidOptionsError,
    );
    try {
      createHttpBackend({ apiKey: 'qapi_secret_value_123', timeoutMs: -1, env: {} });
    } catch (e) {
      expect((e as Error).message).not.toContain('qapi_secret_value_123');
    }
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(new Date(0).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    fc.assert(fc.property(fc.nat(100_000), (n) => parseRetryAfter(String(n)) === n * 1000));
  });
});

describe('error mapping', () => {
  it('prefers the server code, falls back to the status, and keeps the request id', () => {
    expect(
      errorFromResponse(ctx(404, { code: 'KEY_NOT_FOUND', message: 'key k not found', requestId: 'r1' })),
    ).toBeInstanceOf(KeyNotFoundError);
    const byStatus = errorFromResponse(ctx(409, 'not json'));
    expect(byStatus).toBeInstanceOf(ConflictError);
    expect(byStatus.requestId).toBe('hdr-id');
    expect(errorFromResponse(ctx(502, undefined))).toBeInstanceOf(ServerError);
    const later = errorFromResponse(ctx(422, { code: 'CERTIFICATE_REVOKED', message: 'revoked' }));
    expect(later).toBeInstanceOf(QuantumApiError);
    expect(later.code).toBe('CERTIFICATE_REVOKED');
  });

  it('reads PascalCase and nested error bodies', () => {
    const e = errorFromResponse(
      ctx(403, { Code: 'PERMISSION_DENIED', Error: 'insufficient_scope', Message: 'no', RequestId: 'r2' }),
    );
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e.message).toContain('insufficient_scope');
    expect(e.requestId).toBe('r2');
    const nested = errorFromResponse(ctx(404, { error: { code: 'KEY_NOT_FOUND', message: 'gone', requestId: 'r3' } }));
    expect(nested).toBeInstanceOf(KeyNotFoundError);
    expect(nested.requestId).toBe('r3');
  });

  it('never repeats the API key a server echoed, and bounds the message', () => {
    const key = 'qapi_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const e = errorFromResponse(
      ctx(401, { code: 'UNAUTHENTICATED', message: `bad key ${key} ${'x'.repeat(1000)}` }, [key]),
    );
    expect(e.message).not.toContain(key);
    expect(e.message.length).toBeLessThan(300);
    // Redacted before it is shortened: a key straddling the length limit is not left half-visible.
    const straddling = errorFromResponse(ctx(401, { message: `${'x'.repeat(180)}${key}` }, [key]));
    expect(straddling.message).not.toContain(key.slice(0, 20));
  });

  it('keeps only the code and status of a failed request that carried a secret value', () => {
    const echoed = { code: 'INVALID_INPUT', message: 'value "hunter2" is too short', details: { value: 'hunter2' } };
    const e = errorFromResponse({ ...ctx(422, echoed), sensitive: true });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details['status']).toBe(422);
    expect(`${e.message} ${JSON.stringify(e.details)}`).not.toContain('hunter2');
    // Without the flag, the server's text is kept (scrubbed of the API key only).
    expect(errorFromResponse(ctx(422, echoed)).message).toContain('too short');
  });
});

describe('wire schemas', () => {
  it('match known property names case-insensitively but leave label keys as they are', () => {
    const k = keyInfoSchema.parse({
      Id: 'k1',
      Name: null,
      Algorithm: 'ML-KEM-768',
      State: 'Active',
      CurrentVersion: 1,
      Versions: [{ Version: 1, State: 'Active', CreatedAt: 't' }],
      IsDefault: true,
      Labels: { Team: 'A', team: 'b' },
      CreatedAt: 't',
      UpdatedAt: 't',
    });
    expect(k.labels).toEqual({ Team: 'A', team: 'b' });
    expect(k.name).toBeUndefined();
    expect(k.versions[0]?.version).toBe(1);
  });
});

describe('case-insensitive property names', () => {
  it('parse any casing of the known names to the same value', () => {
    const body = { payload: 'cGF5bG9hZA==', keyId: 'k-1', keyVersion: 3 };
    const recase = (name: string, flips: boolean[]) =>
      [...name].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), (flips) => {
        const cased = Object.fromEntries(Object.entries(body).map(([k, v]) => [recase(k, flips), v]));
        expect(encryptSchema.parse(cased)).toEqual(body);
      }),
    );
  });
});

describe('route table', () => {
  it('has one entry per backend operation, unique method+path, and encodes ids', () => {
    const seen = new Set(Object.values(ROUTES).map((r) => `${r.method} ${r.path}`));
    expect(seen.size).toBe(Object.keys(ROUTES).length);
    expect(routePath(ROUTES.rotateKey, 'a/b?c')).toBe('/keys/a%2Fb%3Fc/rotate');
    // Only operations whose repetition could change the outcome are excluded from retries.
    expect(
      Object.entries(ROUTES)
        .filter(([, r]) => !r.repeatSafe)
        .map(([n]) => n)
        .sort(),
    ).toEqual(
      [
        'cancelKeyDeletion',
        'createKey',
        'rotateKey',
        'scheduleKeyDeletion',
        'createSecret',
        'updateSecret',
        'deleteSecret',
        'restoreSecret',
        'purgeSecret',
        'issueCertificate',
        'revokeCertificate',
      ].sort(),
    );
  });
});

describe('backoff', () => {
  it('uses full jitter under an exponential cap, and only for repeat-safe operations', async () => {
    const sleeps: number[] = [];
    const t = new Transport({
      baseUrl: 'http://127.0.0.1:1/api/v1',
      apiKey: 'qapi_test',
      authScheme: 'x-api-key',
      timeoutMs: 2_000,
      retry: { limit: 4, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 1_000 },
      random: () => 0.999,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await expect(t.call('getKey', ROUTES.getKey, z.unknown(), { id: 'k' })).rejects.toBeInstanceOf(NetworkError);
    expect(sleeps).toEqual([99, 199, 249, 249]);
    sleeps.length = 0;
    await expect(t.call('createKey', ROUTES.createKey, z.unknown(), { body: {} })).rejects.toBeInstanceOf(NetworkError);
    expect(sleeps).toEqual([]);
  });
});
