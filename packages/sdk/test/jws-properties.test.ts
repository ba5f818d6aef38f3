/** Tamper properties of compact JWS: any single-character change is refused with a typed error. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAkpPublicJwk } from '../src/crypto/jwk.js';
import { compactSign, compactVerify } from '../src/crypto/jws.js';
import { mlDsaJwsSigner } from '../src/crypto/sig/jws-ml-dsa.js';
import { mlDsaKeyPairFromSeed } from '../src/crypto/sig/ml-dsa.js';
import { QuantumApiError } from '../src/errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
const pair = mlDsaKeyPairFromSeed('ML-DSA-44', new Uint8Array(32).fill(1));
const jwk = toAkpPublicJwk('ML-DSA-44', pair.publicKey);
const signer = mlDsaJwsSigner('ML-DSA-44', pair.privateKey);
const opts = { algorithms: ['ML-DSA-44', 'ML-DSA-65'] };

/** Every outcome except a typed refusal fails the property: a result, or an untyped throw. */
const refused = (jws: string): boolean => {
  try {
    compactVerify(jws, jwk, opts);
    return false;
  } catch (e) {
    return e instanceof QuantumApiError;
  }
};

describe('compact JWS tamper resistance', () => {
  it('changing any one character makes verification fail with a typed error', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 64 }),
        fc.nat(),
        fc.constantFrom(...ALPHABET),
        (payload, where, replacement) => {
          const jws = compactSign(payload, { alg: 'ML-DSA-44', kid: jwk.kid }, signer);
          const i = where % jws.length;
          fc.pre(jws[i] !== replacement);
          const tampered = jws.slice(0, i) + replacement + jws.slice(i + 1);
          // The control: the untouched token verifies, so a refusal is caused by the change.
          expect(refused(jws)).toBe(false);
          expect(refused(tampered)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('flipping any character in the header, payload, or the edges of the signature is refused', () => {
    const jws = compactSign('{"sub":"a"}', { alg: 'ML-DSA-44', kid: jwk.kid, typ: 'JWT' }, signer);
    const sigStart = jws.lastIndexOf('.') + 1;
    // Exhaustive over header and payload; the signature is covered at its first and last 64 characters.
    const positions = [...Array(sigStart + 64).keys(), ...Array.from({ length: 64 }, (_, k) => jws.length - 1 - k)];
    for (const i of positions) {
      const c = jws[i] === 'A' ? 'B' : 'A';
      expect(refused(jws.slice(0, i) + c + jws.slice(i + 1)), `position ${i}`).toBe(true);
    }
  });

  it('truncation or extension anywhere is refused', () => {
    const jws = compactSign('payload', { alg: 'ML-DSA-44' }, signer);
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), (cut, extra) => {
        const i = cut % jws.length;
        expect(refused(jws.slice(0, i))).toBe(true);
        expect(refused(jws.slice(0, i) + extra + jws.slice(i))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary strings are refused with a typed error, never an untyped crash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(refused(s)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
