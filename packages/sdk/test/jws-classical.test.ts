/**
 * Classical identity-token algorithms (ES256, EdDSA/Ed25519, RS256) against tokens made by another
 * implementation (node:crypto / OpenSSL), and our ES256/EdDSA signers checked by node:crypto.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8 } from '../src/crypto/bytes.js';
import { compactSign, compactVerify, type JwsSigner } from '../src/crypto/jws.js';
import { CLASSICAL_JWS_SUITES, ed25519JwsSigner, es256JwsSigner } from '../src/crypto/sig/jws-classical.js';
import { ML_DSA_JWS_SUITES } from '../src/crypto/sig/jws-ml-dsa.js';
import { QuantumApiError } from '../src/errors.js';

const SUITES = [...ML_DSA_JWS_SUITES, ...CLASSICAL_JWS_SUITES];
const opts = (...algorithms: string[]) => ({ algorithms, suites: SUITES });

const nodeSigner = (alg: string, key: KeyObject): JwsSigner => ({
  alg,
  sign: (input) =>
    new Uint8Array(
      alg === 'ES256'
        ? sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' })
        : sign(alg === 'RS256' ? 'sha256' : null, input, key),
    ),
});

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    return (e as QuantumApiError).code;
  }
  throw new Error('expected a typed error, got a result');
};

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const cases = [
  { alg: 'ES256', pair: ec },
  { alg: 'EdDSA', pair: ed },
  { alg: 'Ed25519', pair: ed },
  { alg: 'RS256', pair: rsa },
] as const;

describe.each(cases)('$alg tokens from node:crypto', ({ alg, pair }) => {
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const token = compactSign('{"iss":"idp"}', { alg, kid: 'k1' }, nodeSigner(alg, pair.privateKey));

  it('verify, and only under an allow-list that names the alg', () => {
    expect(new TextDecoder().decode(compactVerify(token, jwk, opts(alg)).payload)).toBe('{"iss":"idp"}');
    expect(compactVerify(token, { ...jwk, alg }, opts(alg)).protectedHeader.kid).toBe('k1');
    expect(code(() => compactVerify(token, jwk, opts('ML-DSA-65')))).toBe('ALGORITHM_NOT_ALLOWED');
  });

  it('fail with SIGNATURE_INVALID under another key of the same type', () => {
    const other = (
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : alg === 'RS256'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ed25519')
    ).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(code(() => compactVerify(token, other, opts(alg)))).toBe('SIGNATURE_INVALID');
  });

  it('fail with KEY_ALGORITHM_MISMATCH when the JWK is bound to another alg', () => {
    expect(code(() => compactVerify(token, { ...jwk, alg: 'PS256' }, opts(alg)))).toBe('KEY_ALGORITHM_MISMATCH');
  });
});

describe('classical key confusion', () => {
  it('refuses a key of the wrong type for the header alg', () => {
    const edJwk = ed.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const ecJwk = ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const rsaJwk = rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    const es = compactSign('x', { alg: 'ES256' }, nodeSigner('ES256', ec.privateKey));
    expect(code(() => compactVerify(es, edJwk, opts('ES256')))).toBe('KEY_ALGORITHM_MISMATCH');
    expect(code(() => compactVerify(es, rsaJwk, opts('ES256')))).toBe('KEY_ALGORITHM_MISMATCH');
    expect(code(() => compactVerify(es, { ...ecJwk, crv: 'P-384' }, opts('ES256')))).toBe('KEY_ALGORITHM_MISMATCH');
  });

  it('refuses an EC point that is not on P-256, and RSA moduli below 2048 bits', () => {
    const ecJwk = ec.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const y = fromBase64Url(ecJwk['y'] as string);
    y[31] = (y[31] as number) ^ 1;
    const es = compactSign('x', { alg: 'ES256' }, nodeSigner('ES256', ec.privateKey));
    expect(code(() => compactVerify(es, { ...ecJwk, y: toBase64Url(y) }, opts('ES256')))).toBe('INVALID_JWK');

    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rs = compactSign('x', { alg: 'RS256' }, nodeSigner('RS256', small.privateKey));
    const smallJwk = small.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(code(() => compactVerify(rs, smallJwk, opts('RS256')))).toBe('INVALID_JWK');
  });
});

describe('ES256 signatures', () => {
  const jwk = ec.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  it('accept the high-S twin of a valid signature (standard ECDSA, as other signers emit it)', () => {
    const token = compactSign('x', { alg: 'ES256' }, nodeSigner('ES256', ec.privateKey));
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = fromBase64Url(s);
    const sBig = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`);
    const twin = p256.Point.Fn.ORDER - sBig;
    const twinSig = new Uint8Array([
      ...sig.subarray(0, 32),
      ...Buffer.from(twin.toString(16).padStart(64, '0'), 'hex'),
    ]);
    expect(compactVerify(`${h}.${p}.${toBase64Url(twinSig)}`, jwk, opts('ES256')).payload).toEqual(utf8('x'));
  });

  it('refuse DER-encoded signatures (JWS uses raw r||s)', () => {
    const input = `${toBase64Url(utf8('{"alg":"ES256"}'))}.${toBase64Url(utf8('x'))}`;
    const der = sign('sha256', utf8(input), ec.privateKey);
    expect(code(() => compactVerify(`${input}.${toBase64Url(new Uint8Array(der))}`, jwk, opts('ES256')))).toBe(
      'SIGNATURE_INVALID',
    );
  });
});

describe('our classical signers, checked by node:crypto', () => {
  it('ES256 and EdDSA', () => {
    const sk = p256.utils.randomSecretKey();
    const pub = p256.getPublicKey(sk, false);
    const ecJwk = { kty: 'EC', crv: 'P-256', x: toBase64Url(pub.subarray(1, 33)), y: toBase64Url(pub.subarray(33)) };
    const es = compactSign('hello', { alg: 'ES256' }, es256JwsSigner(sk));
    const [h, p, s] = es.split('.') as [string, string, string];
    const nodeKey = createPublicKey({ key: ecJwk, format: 'jwk' });
    expect(verify('sha256', utf8(`${h}.${p}`), { key: nodeKey, dsaEncoding: 'ieee-p1363' }, fromBase64Url(s))).toBe(
      true,
    );
    expect(compactVerify(es, ecJwk, opts('ES256')).payload).toEqual(utf8('hello'));

    const edSk = new Uint8Array(32).fill(9);
    const edToken = compactSign('hello', { alg: 'EdDSA' }, ed25519JwsSigner(edSk));
    const [eh, ep, esig] = edToken.split('.') as [string, string, string];
    const edJwk = { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(ed25519.getPublicKey(edSk)) };
    const edPub = createPublicKey({ key: edJwk, format: 'jwk' });
    expect(verify(null, utf8(`${eh}.${ep}`), edPub, fromBase64Url(esig))).toBe(true);
    expect(compactVerify(edToken, edJwk, opts('EdDSA')).payload).toEqual(utf8('hello'));
  });
});
