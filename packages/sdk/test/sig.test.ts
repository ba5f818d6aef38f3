/** ML-DSA and SLH-DSA in the crypto core, the provider seam, and the uniform suite registry. */
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ML_DSA_ALGORITHMS, SEED_LENGTH } from '../src/crypto/algorithms.js';
import { utf8 } from '../src/crypto/bytes.js';
import { nobleSignature } from '../src/crypto/noble-provider.js';
import type { SignatureProvider } from '../src/crypto/providers.js';
import { ML_DSA_SIZES, mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from '../src/crypto/sig/ml-dsa.js';
import { slhDsaKeyPairFromSeed, slhDsaSign, slhDsaVerify } from '../src/crypto/sig/slh-dsa.js';
import {
  createSignatureSuites,
  SIGNATURE_SUITE_NAMES,
  signatureSuite,
  signatureSuites,
} from '../src/crypto/sig/suites.js';
import { QuantumApiError } from '../src/errors.js';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    return (e as QuantumApiError).code;
  }
  throw new Error('expected a typed error');
};

const msg = utf8('attack at dawn');

describe.each(ML_DSA_ALGORITHMS)('%s', (alg) => {
  const pair = mlDsaKeyPairFromSeed(alg, new Uint8Array(32).fill(42));

  it('is deterministic from the seed and has the FIPS 204 sizes', () => {
    expect(mlDsaKeyPairFromSeed(alg, new Uint8Array(32).fill(42)).publicKey).toEqual(pair.publicKey);
    expect(pair.publicKey.length).toBe(ML_DSA_SIZES[alg].publicKey);
    expect(mlDsaSign(alg, pair.privateKey, msg).length).toBe(ML_DSA_SIZES[alg].signature);
  });

  it('binds the context: a signature verifies only under the context it was made with', () => {
    const ctx = utf8('quantumapi/test');
    const sig = mlDsaSign(alg, pair.privateKey, msg, { context: ctx });
    expect(mlDsaVerify(alg, pair.publicKey, msg, sig, { context: ctx })).toBe(true);
    expect(mlDsaVerify(alg, pair.publicKey, msg, sig)).toBe(false);
    expect(mlDsaVerify(alg, pair.publicKey, msg, sig, { context: utf8('quantumapi/tesT') })).toBe(false);
    const plain = mlDsaSign(alg, pair.privateKey, msg);
    expect(mlDsaVerify(alg, pair.publicKey, msg, plain)).toBe(true);
    expect(mlDsaVerify(alg, pair.publicKey, msg, plain, { context: new Uint8Array(0) })).toBe(true);
  });

  it('accepts a 255-byte context and refuses 256 bytes, signing and verifying', () => {
    const c255 = new Uint8Array(255).fill(1);
    const sig = mlDsaSign(alg, pair.privateKey, msg, { context: c255 });
    expect(mlDsaVerify(alg, pair.publicKey, msg, sig, { context: c255 })).toBe(true);
    const c256 = new Uint8Array(256);
    expect(code(() => mlDsaSign(alg, pair.privateKey, msg, { context: c256 }))).toBe('INVALID_INPUT');
    expect(code(() => mlDsaVerify(alg, pair.publicKey, msg, sig, { context: c256 }))).toBe('INVALID_INPUT');
  });

  it('treats wrong-sized keys and signatures as invalid, not as crashes', () => {
    const sig = mlDsaSign(alg, pair.privateKey, msg);
    expect(mlDsaVerify(alg, pair.publicKey.subarray(1), msg, sig)).toBe(false);
    expect(mlDsaVerify(alg, pair.publicKey, msg, sig.subarray(1))).toBe(false);
    expect(mlDsaVerify(alg, pair.publicKey, msg, new Uint8Array(0))).toBe(false);
  });

  it('refuses bad seeds and keys of another algorithm with typed errors', () => {
    expect(code(() => mlDsaKeyPairFromSeed(alg, new Uint8Array(31)))).toBe('INVALID_KEY');
    const other = alg === 'ML-DSA-44' ? 'ML-DSA-65' : 'ML-DSA-44';
    expect(code(() => mlDsaSign(other, pair.privateKey, msg))).toBe('INVALID_KEY');
    expect(code(() => mlDsaKeyPairFromSeed('ML-DSA-99' as never, new Uint8Array(32)))).toBe('UNSUPPORTED_ALGORITHM');
  });
});

describe('ML-DSA tamper property', () => {
  const pair = mlDsaKeyPairFromSeed('ML-DSA-44', new Uint8Array(32));
  it('any single-bit change to message or signature is rejected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.boolean(), (m, pos, inSig) => {
        const sig = mlDsaSign('ML-DSA-44', pair.privateKey, m);
        expect(mlDsaVerify('ML-DSA-44', pair.publicKey, m, sig)).toBe(true);
        const target = inSig ? sig.slice() : m.slice();
        const i = pos % target.length;
        target[i] = (target[i] as number) ^ (1 << (pos % 8));
        const ok = inSig
          ? mlDsaVerify('ML-DSA-44', pair.publicKey, m, target)
          : mlDsaVerify('ML-DSA-44', pair.publicKey, target, sig);
        expect(ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the SignatureProvider seam', () => {
  /** A second real provider: noble behind a recording wrapper, to prove calls go through the seam. */
  const recording = () => {
    const calls: string[] = [];
    const provider: SignatureProvider = {
      name: 'recording',
      supports: (alg) => alg !== 'ML-DSA-87',
      keyPairFromSeed(alg, seed) {
        calls.push(`keygen:${alg}`);
        return nobleSignature.keyPairFromSeed(alg, seed);
      },
      sign(alg, sk, m, ctx) {
        calls.push(`sign:${alg}:${ctx?.length ?? -1}`);
        return nobleSignature.sign(alg, sk, m, ctx);
      },
      verify(alg, pk, m, s, ctx) {
        calls.push(`verify:${alg}`);
        return nobleSignature.verify(alg, pk, m, s, ctx);
      },
    };
    return { calls, provider };
  };

  it('routes keygen, sign and verify to the injected provider, with the context', () => {
    const { calls, provider } = recording();
    const pair = mlDsaKeyPairFromSeed('ML-DSA-65', new Uint8Array(32), provider);
    const sig = mlDsaSign('ML-DSA-65', pair.privateKey, msg, { provider, context: utf8('ab') });
    expect(mlDsaVerify('ML-DSA-65', pair.publicKey, msg, sig, { provider, context: utf8('ab') })).toBe(true);
    expect(calls).toEqual(['keygen:ML-DSA-65', 'sign:ML-DSA-65:2', 'verify:ML-DSA-65']);
    // Same bytes as the reference implementation.
    expect(ml_dsa65.verify(sig, msg, pair.publicKey, { context: utf8('ab') })).toBe(true);
  });

  it('refuses an algorithm the provider does not support, never falling back', () => {
    const { provider } = recording();
    expect(code(() => mlDsaKeyPairFromSeed('ML-DSA-87', new Uint8Array(32), provider))).toBe('UNSUPPORTED_ALGORITHM');
    const suites = createSignatureSuites(provider);
    expect(code(() => suites['ML-DSA-87'].keyPairFromSeed(new Uint8Array(32)))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('the composite suite uses the injected provider for its ML-DSA half', () => {
    const { calls, provider } = recording();
    const suite = createSignatureSuites(provider)['MLDSA65-ECDSA-P256-SHA512'];
    const pair = suite.keyPairFromSeed(new Uint8Array(64).fill(1));
    const sig = suite.sign(pair.privateKey, msg);
    expect(suite.verify(pair.publicKey, msg, sig)).toBe(true);
    expect(calls.map((c) => c.split(':')[0])).toEqual(['keygen', 'sign', 'verify']);
  });
});

describe('SLH-DSA-SHA2-128s', () => {
  const seed = Uint8Array.from({ length: 48 }, (_, i) => i);
  const ctx = utf8('root-of-trust');
  let pair: ReturnType<typeof slhDsaKeyPairFromSeed>;
  let sig: Uint8Array;
  beforeAll(() => {
    pair = slhDsaKeyPairFromSeed(seed);
    // One signature only: 128s signing is slow by design (about a second in JS).
    sig = slhDsaSign(pair.privateKey, msg, ctx);
  });

  it('keygen from a 48-byte seed is deterministic; sizes per FIPS 205', () => {
    expect(slhDsaKeyPairFromSeed(seed).publicKey).toEqual(pair.publicKey);
    expect(pair.publicKey.length).toBe(32);
    expect(sig.length).toBe(7856);
    expect(code(() => slhDsaKeyPairFromSeed(new Uint8Array(32)))).toBe('INVALID_KEY');
  });

  it('verifies only with the same message, context and key', () => {
    expect(slhDsaVerify(pair.publicKey, msg, sig, ctx)).toBe(true);
    expect(slhDsaVerify(pair.publicKey, msg, sig)).toBe(false);
    expect(slhDsaVerify(pair.publicKey, utf8('attack at dusk'), sig, ctx)).toBe(false);
    const flipped = sig.slice();
    flipped[100] = (flipped[100] as number) ^ 1;
    expect(slhDsaVerify(pair.publicKey, msg, flipped, ctx)).toBe(false);
    expect(slhDsaVerify(slhDsaKeyPairFromSeed(new Uint8Array(48)).publicKey, msg, sig, ctx)).toBe(false);
    expect(slhDsaVerify(pair.publicKey, msg, sig.subarray(1), ctx)).toBe(false);
    expect(code(() => slhDsaVerify(pair.publicKey, msg, sig, new Uint8Array(256)))).toBe('INVALID_INPUT');
  });

  it('refuses a private key handle of another algorithm', () => {
    const ml = mlDsaKeyPairFromSeed('ML-DSA-44', new Uint8Array(32));
    expect(code(() => slhDsaSign(ml.privateKey, msg))).toBe('INVALID_KEY');
  });
});

describe('signatureSuites registry', () => {
  it('lists every suite under its own name, with seed lengths matching algorithms.ts', () => {
    expect(Object.keys(signatureSuites).sort()).toEqual([...SIGNATURE_SUITE_NAMES].sort());
    for (const name of SIGNATURE_SUITE_NAMES) {
      expect(signatureSuites[name].name).toBe(name);
      if (name in SEED_LENGTH)
        expect(signatureSuites[name].seedLength).toBe(SEED_LENGTH[name as keyof typeof SEED_LENGTH]);
    }
    expect(signatureSuites['MLDSA65-ECDSA-P256-SHA512'].seedLength).toBe(64);
  });

  it.each(SIGNATURE_SUITE_NAMES.filter((n) => n !== 'SLH-DSA-SHA2-128s'))(
    '%s: keygen, sign, verify uniformly; context and key are bound',
    (name) => {
      const suite = signatureSuite(name);
      const pair = suite.keyPairFromSeed(new Uint8Array(suite.seedLength).fill(11));
      expect(pair.publicKey.length).toBe(suite.publicKeyLength);
      const sig = suite.sign(pair.privateKey, msg, utf8('c'));
      expect(suite.verify(pair.publicKey, msg, sig, utf8('c'))).toBe(true);
      expect(suite.verify(pair.publicKey, msg, sig)).toBe(false);
      const other = suite.keyPairFromSeed(new Uint8Array(suite.seedLength).fill(12));
      expect(suite.verify(other.publicKey, msg, sig, utf8('c'))).toBe(false);
      expect(suite.verify(pair.publicKey, msg, new Uint8Array(7))).toBe(false);
    },
  );

  it('unknown names fail closed', () => {
    expect(code(() => signatureSuite('RSA-PSS'))).toBe('UNSUPPORTED_ALGORITHM');
    expect(code(() => signatureSuite('ML-DSA-65 '))).toBe('UNSUPPORTED_ALGORITHM');
  });
});
