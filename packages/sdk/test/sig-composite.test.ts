/**
 * Composite ML-DSA-65 + ECDSA-P256-SHA512 against lamps-wg/draft-composite-sigs vectors
 * (test/vectors/composite-mldsa65-ecdsa-p256-sha512.json; see PROVENANCE.md).
 */
import { readFileSync } from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { Certificate } from '@peculiar/asn1-x509';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, equalBytes, fromBase64, utf8 } from '../src/crypto/bytes.js';
import {
  COMPOSITE_MLDSA65_P256_OID,
  compositeKeyPairFromSeed,
  compositeMessageRepresentative,
  compositeSign,
  compositeVerify,
  decodeCompositePrivateKey,
  encodeCompositePrivateKey,
} from '../src/crypto/sig/composite-mldsa65-p256.js';
import { encodeLength, readTlv } from '../src/crypto/sig/der.js';
import { mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from '../src/crypto/sig/ml-dsa.js';
import { QuantumApiError } from '../src/errors.js';

interface Entry {
  tcId: string;
  pk: string;
  x5c: string;
  sk: string;
  sk_pkcs8: string;
  s: string;
  sWithContext: string;
}
const file = JSON.parse(
  readFileSync(new URL('./vectors/composite-mldsa65-ecdsa-p256-sha512.json', import.meta.url), 'utf8'),
) as { m: string; ctx: string; tests: Entry[] };
const m = fromBase64(file.m);
const ctx = fromBase64(file.ctx);
const entry = (id: string): Entry => {
  const e = file.tests.find((t) => t.tcId === id);
  if (!e) throw new Error(`vector ${id} missing`);
  return e;
};
const composite = entry('id-MLDSA65-ECDSA-P256-SHA512');
const pure = entry('id-ML-DSA-65');

/** tbsCertificate (raw bytes as signed) and the signature bits of a DER certificate. */
const splitCertificate = (der: Uint8Array) => {
  const cert = readTlv(der, 0, 'certificate');
  const tbs = readTlv(cert.value, 0, 'tbs');
  const algId = readTlv(cert.value, tbs.end, 'algId');
  const sig = readTlv(cert.value, algId.end, 'signature');
  expect(sig.value[0]).toBe(0);
  return { tbs: cert.value.subarray(0, tbs.end), signature: sig.value.subarray(1) };
};

describe('composite vectors: id-MLDSA65-ECDSA-P256-SHA512', () => {
  const pk = fromBase64(composite.pk);
  const sk = fromBase64(composite.sk);

  it('verifies s over m, and sWithContext over m with ctx; never crosswise', () => {
    expect(compositeVerify(pk, m, fromBase64(composite.s))).toBe(true);
    expect(compositeVerify(pk, m, fromBase64(composite.sWithContext), { context: ctx })).toBe(true);
    expect(compositeVerify(pk, m, fromBase64(composite.s), { context: ctx })).toBe(false);
    expect(compositeVerify(pk, m, fromBase64(composite.sWithContext))).toBe(false);
    expect(compositeVerify(pk, utf8('another message'), fromBase64(composite.s))).toBe(false);
  });

  it('decodes the private key to a seed that re-encodes byte for byte and yields pk', () => {
    const seed = decodeCompositePrivateKey(sk);
    expect(seed.length).toBe(64);
    expect(equalBytes(encodeCompositePrivateKey(seed), sk)).toBe(true);
    expect(equalBytes(compositeKeyPairFromSeed(seed).publicKey, pk)).toBe(true);
  });

  it('signs with sk; the signature verifies under pk, with and without context', () => {
    const { privateKey } = compositeKeyPairFromSeed(decodeCompositePrivateKey(sk));
    const sig = compositeSign(privateKey, m);
    expect(compositeVerify(pk, m, sig)).toBe(true);
    expect(compositeVerify(pk, m, sig, { context: ctx })).toBe(false);
    const sigCtx = compositeSign(privateKey, m, { context: ctx });
    expect(compositeVerify(pk, m, sigCtx, { context: ctx })).toBe(true);
  });

  it('sk_pkcs8 wraps sk under OID 1.3.6.1.5.5.7.6.45', () => {
    const info = AsnConvert.parse(fromBase64(composite.sk_pkcs8), PrivateKeyInfo);
    expect(info.privateKeyAlgorithm.algorithm).toBe(COMPOSITE_MLDSA65_P256_OID);
    expect(info.privateKeyAlgorithm.parameters).toBeUndefined();
    expect(equalBytes(new Uint8Array(info.privateKey.buffer), sk)).toBe(true);
  });

  it('x5c is a certificate for pk whose self-signature verifies as composite over tbsCertificate', () => {
    const der = fromBase64(composite.x5c);
    const cert = AsnConvert.parse(der, Certificate);
    const spki = cert.tbsCertificate.subjectPublicKeyInfo;
    expect(spki.algorithm.algorithm).toBe(COMPOSITE_MLDSA65_P256_OID);
    expect(cert.signatureAlgorithm.algorithm).toBe(COMPOSITE_MLDSA65_P256_OID);
    expect(equalBytes(new Uint8Array(spki.subjectPublicKey), pk)).toBe(true);
    const { tbs, signature } = splitCertificate(der);
    expect(compositeVerify(pk, tbs, signature)).toBe(true);
    expect(compositeVerify(pk, tbs.slice(1), signature)).toBe(false);
  });

  it('needs both components: either half alone, or swapped in from another key, fails', () => {
    const s = fromBase64(composite.s);
    const mlPart = s.subarray(0, 3309);
    const ecPart = s.subarray(3309);
    const other = compositeKeyPairFromSeed(new Uint8Array(64).fill(3));
    const otherSig = compositeSign(other.privateKey, m);
    expect(compositeVerify(pk, m, mlPart)).toBe(false);
    expect(compositeVerify(pk, m, concat(mlPart, otherSig.subarray(3309)))).toBe(false);
    expect(compositeVerify(pk, m, concat(otherSig.subarray(0, 3309), ecPart))).toBe(false);
    // The ML-DSA half is bound to the composite label, so it is no plain ML-DSA-65 signature on M'.
    expect(mlDsaVerify('ML-DSA-65', pk.subarray(0, 1952), compositeMessageRepresentative(m), mlPart)).toBe(false);
  });

  it('flipping any bit of the signature or public key makes it invalid', () => {
    const s = fromBase64(composite.s);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), (pos, bit, inKey) => {
        const target = inKey ? pk.slice() : s.slice();
        const i = pos % target.length;
        target[i] = (target[i] as number) ^ (1 << bit);
        expect(inKey ? compositeVerify(target, m, s) : compositeVerify(pk, m, target)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});

describe('composite key handling', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(QuantumApiError);
      return (e as QuantumApiError).code;
    }
    throw new Error('expected a typed error');
  };

  it('refuses malformed private keys and seeds with typed errors', () => {
    const sk = fromBase64(composite.sk);
    expect(code(() => decodeCompositePrivateKey(sk.subarray(0, 32)))).toBe('INVALID_KEY');
    expect(code(() => decodeCompositePrivateKey(concat(sk, Uint8Array.of(0))))).toBe('INVALID_KEY');
    const badCurve = sk.slice();
    badCurve[badCurve.length - 1] = 0x08; // prime256v1 -> another curve OID
    expect(code(() => decodeCompositePrivateKey(badCurve))).toBe('INVALID_KEY');
    const zeroScalar = sk.slice();
    zeroScalar.fill(0, 39, 71);
    expect(code(() => decodeCompositePrivateKey(zeroScalar))).toBe('INVALID_KEY');
    expect(code(() => compositeKeyPairFromSeed(new Uint8Array(63)))).toBe('INVALID_KEY');
    // P-256 order n <= scalar: out of range, refused rather than reduced.
    expect(code(() => compositeKeyPairFromSeed(concat(new Uint8Array(32), new Uint8Array(32).fill(0xff))))).toBe(
      'INVALID_KEY',
    );
    expect(code(() => compositeSign(mlDsaKeyPairFromSeed('ML-DSA-65', new Uint8Array(32)).privateKey, m))).toBe(
      'INVALID_KEY',
    );
  });

  it('accepts an ECPrivateKey that also carries its matching public key, and no other', () => {
    const seed = decodeCompositePrivateKey(fromBase64(composite.sk));
    const pk = fromBase64(composite.pk);
    const point = pk.subarray(1952);
    const withPub = (pt: Uint8Array) => {
      const base = encodeCompositePrivateKey(seed).subarray(32);
      const body = base.subarray(2);
      const bitString = concat(Uint8Array.of(0x03, 66, 0), pt);
      const tagged = concat(Uint8Array.of(0xa1, bitString.length), bitString);
      const inner = concat(body, tagged);
      return concat(seed.subarray(0, 32), Uint8Array.of(0x30), encodeLength(inner.length), inner);
    };
    expect(equalBytes(decodeCompositePrivateKey(withPub(point)), seed)).toBe(true);
    const wrong = point.slice();
    wrong[64] = (wrong[64] as number) ^ 1;
    expect(code(() => decodeCompositePrivateKey(withPub(wrong)))).toBe('INVALID_KEY');
    // Non-minimal DER length (0x81 for a short length) is refused: one key, one encoding.
    const sk = fromBase64(composite.sk);
    const longForm = concat(sk.subarray(0, 33), Uint8Array.of(0x81), sk.subarray(33));
    expect(code(() => decodeCompositePrivateKey(longForm))).toBe('INVALID_KEY');
  });

  it('context longer than 255 bytes is refused', () => {
    const { privateKey, publicKey } = compositeKeyPairFromSeed(new Uint8Array(64).fill(5));
    expect(code(() => compositeSign(privateKey, m, { context: new Uint8Array(256) }))).toBe('INVALID_INPUT');
    expect(code(() => compositeVerify(publicKey, m, new Uint8Array(3380), { context: new Uint8Array(256) }))).toBe(
      'INVALID_INPUT',
    );
    const sig = compositeSign(privateKey, m, { context: new Uint8Array(255) });
    expect(compositeVerify(publicKey, m, sig, { context: new Uint8Array(255) })).toBe(true);
  });
});

describe('composite vectors: pure id-ML-DSA-65 entry', () => {
  const pk = fromBase64(pure.pk);

  it('sk is the 32-byte seed of pk; s and sWithContext verify; own signatures verify', () => {
    const pair = mlDsaKeyPairFromSeed('ML-DSA-65', fromBase64(pure.sk));
    expect(equalBytes(pair.publicKey, pk)).toBe(true);
    expect(mlDsaVerify('ML-DSA-65', pk, m, fromBase64(pure.s))).toBe(true);
    expect(mlDsaVerify('ML-DSA-65', pk, m, fromBase64(pure.sWithContext), { context: ctx })).toBe(true);
    expect(mlDsaVerify('ML-DSA-65', pk, m, fromBase64(pure.sWithContext))).toBe(false);
    const sig = mlDsaSign('ML-DSA-65', pair.privateKey, m, { context: ctx });
    expect(mlDsaVerify('ML-DSA-65', pk, m, sig, { context: ctx })).toBe(true);
  });

  it('x5c self-signature verifies as ML-DSA-65 over tbsCertificate', () => {
    const { tbs, signature } = splitCertificate(fromBase64(pure.x5c));
    expect(mlDsaVerify('ML-DSA-65', pk, tbs, signature)).toBe(true);
  });
});
