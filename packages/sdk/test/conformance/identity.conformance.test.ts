/**
 * The identity namespace's issuer side, specified once and run against every backend: tokens signed
 * ML-DSA-65 by the tenant's issuer verify against its JWKS, and every refusal is a typed error.
 * (Discovery, client credentials and introspection over real HTTP: test/http/oidc.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/crypto/bytes.js';
import { BACKENDS, stopSharedServer } from './backends.js';
import { clientPerTest, errorOf } from './helpers.js';

afterAll(stopSharedServer);

const flipLastSignatureByte = (jwt: string): string => {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const sig = fromBase64Url(s);
  sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
  return `${h}.${p}.${toBase64Url(sig)}`;
};

describe.each(BACKENDS)('identity namespace on %s', (_name, make) => {
  const ctx = clientPerTest(make);

  it('issues ML-DSA-65 tokens that verify against the issuer JWKS', async () => {
    const issuer = await ctx.qapi.identity.issuer();
    const issued = await ctx.qapi.identity.issueToken(
      { sub: 'svc-orders', roles: ['reader'], nested: { n: 1 } },
      { expiresIn: '15m', audience: 'orders-api' },
    );
    expect(issued.algorithm).toBe('ML-DSA-65');
    expect(Date.parse(issued.expiresAt) - Date.parse(issued.issuedAt)).toBe(15 * 60 * 1000);

    const jwks = await ctx.qapi.identity.jwks();
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65', kid: issued.kid });
    expect(jwk).not.toHaveProperty('priv');

    const { payload, protectedHeader } = await ctx.qapi.identity.verifyToken(issued.token, {
      issuer,
      audience: 'orders-api',
      jwks,
    });
    expect(protectedHeader).toMatchObject({ alg: 'ML-DSA-65', kid: issued.kid, typ: 'JWT' });
    expect(payload).toMatchObject({ iss: issuer, aud: 'orders-api', sub: 'svc-orders', roles: ['reader'] });
    expect(payload.exp).toBe(Date.parse(issued.expiresAt) / 1000);
    // The key is stable: a second token carries the same kid.
    expect((await ctx.qapi.identity.issueToken({}, { expiresIn: 60, audience: 'x' })).kid).toBe(issued.kid);
  });

  it('refuses tampered, mis-addressed and expired tokens with their own codes', async () => {
    const issuer = await ctx.qapi.identity.issuer();
    const jwks = await ctx.qapi.identity.jwks();
    const { token, expiresAt } = await ctx.qapi.identity.issueToken({ sub: 'a' }, { expiresIn: 60, audience: 'api' });
    const verify = (t: string, o: { audience?: string; issuer?: string; currentDate?: Date } = {}) =>
      ctx.qapi.identity.verifyToken(t, { issuer, audience: 'api', jwks, ...o });
    expect((await errorOf(verify(flipLastSignatureByte(token)))).code).toBe('TOKEN_SIGNATURE_INVALID');
    expect((await errorOf(verify(token, { audience: 'other' }))).code).toBe('TOKEN_AUDIENCE_INVALID');
    expect((await errorOf(verify(token, { issuer: `${issuer}-x` }))).code).toBe('TOKEN_ISSUER_INVALID');
    const later = new Date(Date.parse(expiresAt) + 1000);
    expect((await errorOf(verify(token, { currentDate: later }))).code).toBe('TOKEN_EXPIRED');
    await verify(token);
    expect((await errorOf(verify('not.a.jwt'))).code).toBe('TOKEN_INVALID');
  });

  it('refuses claims the issuer sets, and algorithms it has no key for', async () => {
    expect((await errorOf(ctx.qapi.identity.issueToken({ iss: 'me' }, { expiresIn: 60 }))).code).toBe('INVALID_INPUT');
    expect((await errorOf(ctx.qapi.identity.issueToken({ exp: 1 }, { expiresIn: 60 }))).code).toBe('INVALID_INPUT');
    expect((await errorOf(ctx.qapi.identity.issueToken({}, { expiresIn: 60, algorithm: 'ES256' }))).code).toBe(
      'KEY_NOT_FOUND',
    );
  });
});
