/**
 * `qapi token verify` through the real binary: a token issued by a local engine (ML-DSA-65),
 * verified against that issuer's JWKS served over HTTP (`--jwks-url`) or saved to a file
 * (`--jwks`). Valid: exit 0 with the claims. Tampered, wrong audience, wrong issuer, expired:
 * exit 4 (verification failed). Unreachable JWKS: exit 6. Missing flags: exit 2.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { QuantumApiClient } from '@quantumapi/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEnv, qapi } from './cli-process.js';

const text = (b: Buffer) => b.toString('utf8');

/** Flips one character of the signature (the third segment) to another Base64url character. */
const tamper = (jwt: string): string => {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
};

describe('qapi token verify', () => {
  const env = localEnv();
  let issuing: QuantumApiClient;
  let server: Server;
  let jwksUrl: string;
  let jwksFile: string;
  let issuer: string;
  let token: string;
  let expired: string;

  beforeAll(async () => {
    issuing = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
    issuer = await issuing.identity.issuer();
    token = (
      await issuing.identity.issueToken(
        { sub: 'svc-orders', scope: 'orders:read' },
        { expiresIn: '5m', audience: 'orders' },
      )
    ).token;
    expired = (await issuing.identity.issueToken({ sub: 'svc-orders' }, { expiresIn: 1, audience: 'orders' })).token;
    const jwks = JSON.stringify(await issuing.identity.jwks());
    jwksFile = join(env['QAPI_STORE_PATH']!, '..', 'jwks.json');
    writeFileSync(jwksFile, jwks);
    server = createServer((req, res) => {
      if (req.url !== '/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    await new Promise((r) => setTimeout(r, 1_100)); // the 1-second token is now expired
  });

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await issuing?.close();
  });

  const verify = (jwt: string, ...flags: string[]) =>
    qapi(['token', 'verify', jwt, '--issuer', issuer, '--audience', 'orders', ...flags, '--output', 'json'], env);

  it('a valid token verifies against the issuer JWKS URL: exit 0 and its claims', async () => {
    const r = await verify(token, '--jwks-url', jwksUrl);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(text(r.stdout));
    expect(out).toMatchObject({ valid: true, header: { alg: 'ML-DSA-65' } });
    expect(out.claims).toMatchObject({ sub: 'svc-orders', scope: 'orders:read', iss: issuer, aud: 'orders' });
  });

  it('the same against a JWKS file, and with the token on stdin', async () => {
    const r = await verify(token, '--jwks', jwksFile);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(text(r.stdout)).claims.sub).toBe('svc-orders');
    const stdin = await qapi(
      ['token', 'verify', '-', '--issuer', issuer, '--audience', 'orders', '--jwks', jwksFile],
      env,
      `${token}\n`,
    );
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(text(stdin.stdout)).toMatch(/^valid \(ML-DSA-65\)/);
  });

  it('a tampered token exits 4 with the error code, and prints no claims', async () => {
    for (const flags of [
      ['--jwks-url', jwksUrl],
      ['--jwks', jwksFile],
    ]) {
      const r = await verify(tamper(token), ...flags);
      expect(r.code).toBe(4);
      expect(text(r.stdout)).toBe('');
      expect(JSON.parse(r.stderr).error.code).toBe('TOKEN_SIGNATURE_INVALID');
    }
  });

  it('wrong audience, wrong issuer, expired token, disallowed algorithm: exit 4', async () => {
    const aud = await qapi(
      ['token', 'verify', token, '--issuer', issuer, '--audience', 'billing', '--jwks', jwksFile],
      env,
    );
    expect(aud.code).toBe(4);
    const iss = await qapi(
      ['token', 'verify', token, '--issuer', 'https://id.example', '--audience', 'orders', '--jwks', jwksFile],
      env,
    );
    expect(iss.code).toBe(4);
    expect((await verify(expired, '--jwks', jwksFile)).code).toBe(4);
    expect((await verify(token, '--jwks', jwksFile, '--algorithm', 'ES256')).code).toBe(4);
  });

  it('an unreachable JWKS exits 6; missing or conflicting flags exit 2', async () => {
    const closed = jwksUrl.replace(/:\d+\//, ':1/');
    expect((await verify(token, '--jwks-url', closed)).code).toBe(6);
    expect((await qapi(['token', 'verify', token, '--audience', 'orders', '--jwks', jwksFile], env)).code).toBe(2);
    expect((await verify(token, '--jwks', jwksFile, '--jwks-url', jwksUrl)).code).toBe(2);
    expect((await verify(token, '--jwks', join(jwksFile, '..', 'missing.json'))).code).toBe(2);
    const notJson = join(jwksFile, '..', 'not-a-jwks.txt');
    writeFileSync(notJson, 'hunter2 is not json');
    const bad = await verify(token, '--jwks', notJson);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain('hunter2'); // the file's content is never quoted
  });
});
