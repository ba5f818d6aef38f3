/** RFC 9964 (ML-DSA for JOSE) examples: key derivation, thumbprint, and the published compact JWS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromHex, fromUtf8, toHex } from '../src/crypto/bytes.js';
import { akpThumbprint, toAkpPublicJwk } from '../src/crypto/jwk.js';
import { compactSign, compactVerify } from '../src/crypto/jws.js';
import { mlDsaJwsSigner, mlDsaJwsSignerFromJwk } from '../src/crypto/sig/jws-ml-dsa.js';
import { mlDsaKeyPairFromSeed } from '../src/crypto/sig/ml-dsa.js';

interface JoseVector {
  priv: string;
  jwk: { kid: string; kty: 'AKP'; alg: 'ML-DSA-44' | 'ML-DSA-65'; pub: string; priv: string };
  jws: string;
  raw_to_be_signed: string;
  raw_signature: string;
  raw_public_key: string;
}

const load = (name: string): JoseVector =>
  JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as JoseVector;

const PAYLOAD = 'It’s a dangerous business, Frodo, going out your door.';

describe.each([
  ['ML-DSA-44', load('rfc9964-ML_DSA_44.jose.json')],
  ['ML-DSA-65', load('rfc9964-ML_DSA_65.jose.json')],
] as const)('RFC 9964 %s example', (alg, v) => {
  const publicJwk = { kty: v.jwk.kty, alg: v.jwk.alg, pub: v.jwk.pub, kid: v.jwk.kid };

  it('derives the published public JWK and kid from the all-zero seed', () => {
    const seed = fromHex(v.priv);
    expect(seed).toEqual(new Uint8Array(32));
    const { publicKey } = mlDsaKeyPairFromSeed(alg, seed);
    expect(toHex(publicKey)).toBe(v.raw_public_key);
    expect(toAkpPublicJwk(alg, publicKey)).toEqual(publicJwk);
    expect(akpThumbprint(v.jwk)).toBe(v.jwk.kid);
  });

  it('verifies the published compact JWS', () => {
    const { payload, protectedHeader } = compactVerify(v.jws, publicJwk, { algorithms: [alg] });
    expect(fromUtf8(payload)).toBe(PAYLOAD);
    expect(protectedHeader).toEqual({ alg, kid: v.jwk.kid });
    const [h, p, s] = v.jws.split('.');
    expect(toHex(new TextEncoder().encode(`${h}.${p}`))).toBe(v.raw_to_be_signed);
    expect(s).toBeDefined();
  });

  it('signs the same signing input, and the result verifies', () => {
    const signer = mlDsaJwsSignerFromJwk(v.jwk);
    const jws = compactSign(PAYLOAD, { alg, kid: v.jwk.kid }, signer);
    const [h, p] = jws.split('.');
    expect(`${h}.${p}`).toBe(v.jws.split('.').slice(0, 2).join('.'));
    // Hedged signing: a fresh signature, not the published one.
    expect(jws).not.toBe(v.jws);
    expect(fromUtf8(compactVerify(jws, publicJwk, { algorithms: [alg] }).payload)).toBe(PAYLOAD);
  });

  it('is refused under the other ML-DSA alg, and with the published signature on another payload', () => {
    const other = alg === 'ML-DSA-44' ? 'ML-DSA-65' : 'ML-DSA-44';
    expect(() => compactVerify(v.jws, publicJwk, { algorithms: [other] })).toThrow(
      expect.objectContaining({ code: 'ALGORITHM_NOT_ALLOWED' }),
    );
    const [h, , s] = v.jws.split('.');
    const forged = `${h}.${Buffer.from('Not all those who wander are lost.').toString('base64url')}.${s}`;
    expect(() => compactVerify(forged, publicJwk, { algorithms: [alg] })).toThrow(
      expect.objectContaining({ code: 'SIGNATURE_INVALID' }),
    );
  });

  it('raw signature in the example is the third segment', () => {
    const s = v.jws.split('.')[2] as string;
    expect(equalBytes(new Uint8Array(Buffer.from(s, 'base64url')), fromHex(v.raw_signature))).toBe(true);
    const { privateKey, publicKey } = mlDsaKeyPairFromSeed(alg, fromHex(v.priv));
    const jws = compactSign(new Uint8Array([1, 2, 3]), { alg }, mlDsaJwsSigner(alg, privateKey));
    expect(compactVerify(jws, toAkpPublicJwk(alg, publicKey), { algorithms: [alg] }).payload).toEqual(
      new Uint8Array([1, 2, 3]),
    );
  });
});
