import { describe, expect, it } from 'vitest';
import { createLocalIdentity } from '../../src/identity/local.js';
import { IdentityNamespace } from '../../src/identity/namespace.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { defaultProviders } from '../../src/runtime/node.js';
import { errorOf, makeContext } from '../vault/helpers.js';
import { decodePayload } from './helpers.js';

const ISS = 'https://id.local.example';

describe('local issuer', () => {
  it('creates one key per algorithm, keeps it across instances on the same store, seed sealed', async () => {
    const store = new MemoryStore();
    const dataKey = defaultProviders.random.randomBytes(32);
    const a = new IdentityNamespace(
      createLocalIdentity(makeContext(store, 't', dataKey), { issuer: ISS, classicalKey: true }),
    );
    const b = new IdentityNamespace(
      createLocalIdentity(makeContext(store, 't', dataKey), { issuer: ISS, classicalKey: true }),
    );
    const [ja, jb] = await Promise.all([a.jwks(), b.jwks()]);
    expect(jb).toEqual(ja);
    expect(ja.keys[0]).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65', use: 'sig' });
    expect(ja.keys[1]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    const { token } = await a.issueToken({ sub: 'x' }, { expiresIn: 60, audience: 'aud' });
    expect((await b.verifyToken(token, { issuer: ISS, audience: 'aud', jwks: ja })).payload.sub).toBe('x');

    const records = await store.list<{ sealedSeed: string }>('t', 'identity-keys');
    expect(records.map((r) => r.id).sort()).toEqual(['ES256', 'ML-DSA-65']);
    const raw = JSON.stringify(records);
    expect(raw).not.toContain('"priv"');
    expect(raw).not.toContain('"d"');
    for (const r of records) expect(r.data.sealedSeed).toMatch(/^s1\./);
    // Another data key cannot open the seeds.
    const thief = new IdentityNamespace(createLocalIdentity(makeContext(store, 't'), { issuer: ISS }));
    expect((await errorOf(thief.issueToken({}, { expiresIn: 60 }))).code).toBe('DECRYPTION_FAILED');
  });

  it('sets iss/iat/exp/jti, parses durations, validates input', async () => {
    const id = new IdentityNamespace(createLocalIdentity(makeContext(), { issuer: ISS }));
    const t = await id.issueToken(
      { sub: 's', roles: ['a', 'b'], nested: { x: 1 } },
      { expiresIn: '2h', audience: ['a', 'b'] },
    );
    const p = decodePayload(t.token);
    expect(p).toMatchObject({ sub: 's', iss: ISS, aud: ['a', 'b'], roles: ['a', 'b'], nested: { x: 1 } });
    expect((p.exp as number) - (p.iat as number)).toBe(7200);
    expect(typeof p.jti).toBe('string');
    expect(t.expiresAt).toBe(new Date((p.exp as number) * 1000).toISOString());
    expect(await id.issuer()).toBe(ISS);
    for (const [claims, opts] of [
      [{ iss: 'x' }, { expiresIn: 60 }],
      [{ exp: 1 }, { expiresIn: 60 }],
      [{}, { expiresIn: 0 }],
      [{}, { expiresIn: '10y' }],
      [{ aud: 'x' }, { expiresIn: 60, audience: 'y' }],
    ] as const) {
      expect(['INVALID_INPUT', 'INVALID_OPTIONS']).toContain(
        (await errorOf(id.issueToken(claims as never, opts as never))).code,
      );
    }
    expect((await errorOf(id.issueToken({}, { expiresIn: 60, algorithm: 'ES256' }))).code).toBe('KEY_NOT_FOUND');
    expect((await errorOf(new IdentityNamespace().issueToken({}, { expiresIn: 60 }))).code).toBe('INVALID_OPTIONS');
  });

  it('defaults its issuer to a per-tenant URN', async () => {
    const id = new IdentityNamespace(createLocalIdentity(makeContext(new MemoryStore(), 'acme')));
    expect(await id.issuer()).toBe('urn:quantumapi:local:acme');
    const { token } = await id.issueToken({ sub: 's' }, { expiresIn: 60, audience: 'a' });
    const jwks = await id.jwks();
    expect(jwks.keys).toHaveLength(1);
    const r = await id.verifyToken(token, { issuer: 'urn:quantumapi:local:acme', audience: 'a', jwks });
    expect(r.payload.iss).toBe('urn:quantumapi:local:acme');
  });
});
