import { readFileSync } from 'node:fs';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromHex } from '../../src/crypto/bytes.js';
import {
  decodePkcs8,
  decodeSpki,
  encodePkcs8Seed,
  privateKeyToPem,
  signingKeyFromPrivateKey,
} from '../../src/certificates/x509/keys.js';
import { fromPem } from '../../src/certificates/x509/pem.js';

const vector = (name: string) => readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8');
// RFC 9881 examples use the seed 00 01 02 ... 1f.
const SEED = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');

describe('RFC 9881 ML-DSA private keys (PKCS#8)', () => {
  it('decodes the seed-only example and re-encodes it byte for byte', () => {
    const pem = vector('rfc9881-ML-DSA-65-seed.priv');
    const key = decodePkcs8(pem);
    expect(key.algorithm).toBe('ML-DSA-65');
    expect(equalBytes(key.seed as Uint8Array, SEED)).toBe(true);
    expect(equalBytes(encodePkcs8Seed('ML-DSA-65', SEED), fromPem(pem, 'PRIVATE KEY'))).toBe(true);
    expect(privateKeyToPem('ML-DSA-65', SEED)).toBe(pem.replace(/\r\n/g, '\n'));
  });

  it('accepts the expanded and both forms, all three yielding the example public key', () => {
    const pub = decodeSpki(vector('rfc9881-ML-DSA-65.pub'));
    for (const form of ['seed', 'expanded', 'both']) {
      const key = signingKeyFromPrivateKey(decodePkcs8(vector(`rfc9881-ML-DSA-65-${form}.priv`)));
      expect(equalBytes(key.publicKey, pub.publicKey), form).toBe(true);
    }
  });

  it('rejects a both-form key whose seed and expanded key disagree', () => {
    const der = fromPem(vector('rfc9881-ML-DSA-65-both.priv'), 'PRIVATE KEY').slice();
    // the seed sits right after the inner SEQUENCE and OCTET STRING headers; flip its last byte
    const at = der.indexOf(0x1f, 20);
    der[at] = (der[at] as number) ^ 1;
    expect(() => decodePkcs8(der)).toThrow(expect.objectContaining({ code: 'INVALID_KEY' }));
  });

  it('rejects a seed of the wrong length', () => {
    expect(() => encodePkcs8Seed('ML-DSA-65', new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
    expect(ml_dsa65.lengths.seed).toBe(32);
  });
});
