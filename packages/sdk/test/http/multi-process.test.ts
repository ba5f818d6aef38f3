/**
 * Two `@quantumapi/server` processes on one PostgreSQL, as a horizontally scaled deployment runs:
 * both serve the same tenant's keys, and rotations racing through both lose no version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuantumApiClient } from '../../src/client/client.js';
import { createHttpBackend } from '../../src/http/backend.js';
import {
  bootstrapTenant,
  type Deployment,
  type IssuedKey,
  newDeployment,
  type ServerProcess,
  startServerProcess,
} from '../conformance/server-process.js';

let deployment: Deployment;
let servers: ServerProcess[] = [];
let issued: IssuedKey;

beforeAll(async () => {
  deployment = await newDeployment({ QAPI_RATE_LIMIT_RPS: '10000', QAPI_RATE_LIMIT_BURST: '10000' });
  // Started together: both run the migrations at once, under the advisory lock.
  servers = await Promise.all([startServerProcess(deployment), startServerProcess(deployment)]);
  issued = await bootstrapTenant(deployment, 'acme');
}, 90_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  await deployment?.db.drop();
});

describe('two server processes on one database', () => {
  it('share keys, and racing rotations through both keep every version', async () => {
    const [a, b] = servers.map(
      (s) =>
        new QuantumApiClient({ backend: createHttpBackend({ baseUrl: s.baseUrl, apiKey: issued.apiKey, env: {} }) }),
    ) as [QuantumApiClient, QuantumApiClient];
    const key = await a.encryption.keys.create({ name: 'shared' });
    const before = await a.encryption.encrypt('written via a', { keyId: key.id });
    expect(await b.encryption.decryptString(before.payload)).toBe('written via a');

    const N = 8;
    const rotated = await Promise.all(
      Array.from({ length: N }, (_, i) => (i % 2 ? a : b).encryption.keys.rotate(key.id)),
    );
    expect(new Set(rotated.map((k) => k.currentVersion)).size).toBe(N);
    const final = await b.encryption.keys.get(key.id);
    expect(final.versions.map((v) => v.version)).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));

    const after = await b.encryption.encrypt('written via b', { keyId: key.id });
    expect(after.keyVersion).toBe(N + 1);
    expect(await a.encryption.decryptString(after.payload)).toBe('written via b');
    expect(await a.encryption.decryptString(before.payload)).toBe('written via a');
  });
});
