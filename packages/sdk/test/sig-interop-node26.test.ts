/**
 * ML-DSA and RFC 9964 JWS against another implementation: OpenSSL 3.5 through Node 26's node:crypto
 * (scripts/ensure-node26.sh installs it on first use). Same seed, same keys; each side verifies the
 * other's signatures, with and without a context.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ML_DSA_ALGORITHMS } from '../src/crypto/algorithms.js';
import { fromBase64Url, toBase64Url, utf8 } from '../src/crypto/bytes.js';
import { toAkpPrivateJwk, toAkpPublicJwk } from '../src/crypto/jwk.js';
import { compactSign, compactVerify } from '../src/crypto/jws.js';
import { mlDsaJwsSigner } from '../src/crypto/sig/jws-ml-dsa.js';
import { mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from '../src/crypto/sig/ml-dsa.js';

const script = fileURLToPath(new URL('../../../scripts/ensure-node26.sh', import.meta.url));

/** Runs in Node 26: signs with and verifies against the AKP JWK it is given. */
const NODE26_PROGRAM = `
const c = require('node:crypto');
const req = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const priv = c.createPrivateKey({ key: req.jwk, format: 'jwk' });
const pub = c.createPublicKey(priv);
const b = (s) => Buffer.from(s, 'base64url');
const opts = (k) => (req.context ? { key: k, context: b(req.context) } : k);
const out = {
  pub: pub.export({ format: 'jwk' }).pub,
  signature: c.sign(null, b(req.message), opts(priv)).toString('base64url'),
  verified: c.verify(null, b(req.message), opts(pub), b(req.ourSignature)),
  verifiedTampered: c.verify(null, Buffer.concat([b(req.message), Buffer.of(0)]), opts(pub), b(req.ourSignature)),
};
process.stdout.write(JSON.stringify(out));
`;

let node26 = '';
beforeAll(() => {
  node26 = execFileSync('bash', [script], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
}, 300_000);

const runNode26 = (req: Record<string, unknown>) => {
  const r = spawnSync(node26, ['-e', NODE26_PROGRAM], { input: JSON.stringify(req), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node26 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { pub: string; signature: string; verified: boolean; verifiedTampered: boolean };
};

describe.each(ML_DSA_ALGORITHMS)('%s with OpenSSL 3.5 (Node 26)', (alg) => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const pair = mlDsaKeyPairFromSeed(alg, seed);
  const jwk = toAkpPrivateJwk(alg, pair.publicKey, seed);
  const publicJwk = toAkpPublicJwk(alg, pair.publicKey);

  it.each([
    ['no context', undefined],
    ['a context', utf8('quantumapi interop')],
  ])('raw signatures cross-verify with %s', (_, context) => {
    const message = utf8('interop message');
    const ours = mlDsaSign(alg, pair.privateKey, message, context ? { context } : {});
    const r = runNode26({
      jwk,
      message: toBase64Url(message),
      ourSignature: toBase64Url(ours),
      ...(context ? { context: toBase64Url(context) } : {}),
    });
    expect(r.pub).toBe(jwk.pub);
    expect(r.verified).toBe(true);
    expect(r.verifiedTampered).toBe(false);
    expect(mlDsaVerify(alg, pair.publicKey, message, fromBase64Url(r.signature), context ? { context } : {})).toBe(
      true,
    );
  });

  it('compact JWS: a token OpenSSL signed verifies here, and ours verifies there', () => {
    const ourJws = compactSign('{"sub":"interop"}', { alg, kid: publicJwk.kid }, mlDsaJwsSigner(alg, pair.privateKey));
    const [h, p, s] = ourJws.split('.') as [string, string, string];
    const r = runNode26({ jwk, message: toBase64Url(utf8(`${h}.${p}`)), ourSignature: s });
    expect(r.verified).toBe(true);
    const theirJws = `${h}.${p}.${r.signature}`;
    expect(compactVerify(theirJws, publicJwk, { algorithms: [alg] }).payload).toEqual(utf8('{"sub":"interop"}'));
  });
});
