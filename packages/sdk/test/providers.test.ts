/**
 * The node runtime providers against the noble reference, on the runtime vitest runs on (Node 20
 * here: node:crypto AES-GCM, noble ML-KEM / ML-DSA). Native PQ is exercised under Node 26 by
 * test/interop/native-pq.interop.test.ts.
 */
import nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEM_ALGORITHMS, ML_DSA_ALGORITHMS } from '../src/crypto/algorithms.js';
import { nobleAead, nobleKem, nobleSignature } from '../src/crypto/noble-provider.js';
import type { AeadProvider } from '../src/crypto/providers.js';
import { DecryptionFailedError, InvalidInputError, InvalidKeyError } from '../src/errors.js';
import {
  detectNativePq,
  type NativeCrypto,
  publicKeyToSpki,
  seedToPkcs8,
  spkiToPublicKey,
} from '../src/runtime/native-pq.js';
import { defaultProviders, nativePq, nodeAead, nodeRandom, runtimeName } from '../src/runtime/node.js';

const vector = (file: string): Uint8Array => {
  const text = readFileSync(new URL(`./vectors/${file}`, import.meta.url), 'utf8');
  return new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
};

const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce = fc.oneof(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 8, maxLength: 64 }));
const plaintext = fc.uint8Array({ maxLength: 2048 });
const aad = fc.option(fc.uint8Array({ maxLength: 256 }), { nil: undefined });

const AEADS: readonly AeadProvider[] = [nodeAead, nobleAead];

describe('AES-256-GCM: node:crypto and noble', () => {
  it('seal to the same bytes for any key, nonce, plaintext and AAD', () => {
    fc.assert(
      fc.property(key, nonce, plaintext, aad, (k, n, p, a) => {
        const sealed = nodeAead.seal(k, n, p, a);
        expect(sealed).toEqual(nobleAead.seal(k, n, p, a));
        expect(sealed.length).toBe(p.length + 16);
      }),
      { numRuns: 300 },
    );
  });

  it('open each other’s output', () => {
    fc.assert(
      fc.property(key, nonce, plaintext, aad, (k, n, p, a) => {
        expect(nobleAead.open(k, n, nodeAead.seal(k, n, p, a), a)).toEqual(p);
        expect(nodeAead.open(k, n, nobleAead.seal(k, n, p, a), a)).toEqual(p);
      }),
      { numRuns: 200 },
    );
  });

  it('treat absent and empty AAD alike', () => {
    const k = new Uint8Array(32).fill(7);
    const n = new Uint8Array(12).fill(1);
    const p = new TextEncoder().encode('same either way');
    for (const aead of AEADS) expect(aead.seal(k, n, p)).toEqual(aead.seal(k, n, p, new Uint8Array(0)));
  });

  it('refuse any single flipped bit in ciphertext or tag with DecryptionFailedError, on both', () => {
    fc.assert(
      fc.property(
        key,
        nonce,
        fc.uint8Array({ maxLength: 256 }),
        aad,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (k, n, p, a, at, bit) => {
          const sealed = nodeAead.seal(k, n, p, a);
          const tampered = sealed.slice();
          const i = at % tampered.length;
          tampered[i] = (tampered[i] ?? 0) ^ (1 << bit);
          for (const aead of AEADS) expect(() => aead.open(k, n, tampered, a)).toThrow(DecryptionFailedError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuse a different key, nonce or AAD with DecryptionFailedError, on both', () => {
    fc.assert(
      fc.property(
        key,
        key,
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        plaintext,
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (k1, k2, n, p, a) => {
          fc.pre(!k1.every((b, i) => b === k2[i]));
          const sealed = nodeAead.seal(k1, n, p, a);
          const otherNonce = n.slice();
          otherNonce[0] = (otherNonce[0] ?? 0) ^ 1;
          for (const aead of AEADS) {
            expect(() => aead.open(k2, n, sealed, a)).toThrow(DecryptionFailedError);
            expect(() => aead.open(k1, otherNonce, sealed, a)).toThrow(DecryptionFailedError);
            expect(() => aead.open(k1, n, sealed)).toThrow(DecryptionFailedError);
            expect(() => aead.open(k1, n, sealed, a.subarray(1))).toThrow(DecryptionFailedError);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuse input shorter than the tag with DecryptionFailedError, on both', () => {
    const k = new Uint8Array(32);
    const n = new Uint8Array(12);
    for (let len = 0; len < 16; len++) {
      for (const aead of AEADS) expect(() => aead.open(k, n, new Uint8Array(len))).toThrow(DecryptionFailedError);
    }
  });

  it('node refuses keys that are not 32 bytes and nonces under 8 bytes, with typed errors', () => {
    const n = new Uint8Array(12);
    for (const len of [0, 16, 24, 31, 33]) {
      expect(() => nodeAead.seal(new Uint8Array(len), n, new Uint8Array(1))).toThrow(InvalidKeyError);
      expect(() => nodeAead.open(new Uint8Array(len), n, new Uint8Array(17))).toThrow(InvalidKeyError);
    }
    for (const len of [0, 1, 7]) {
      expect(() => nodeAead.seal(new Uint8Array(32), new Uint8Array(len), new Uint8Array(1))).toThrow(
        InvalidInputError,
      );
      expect(() => nodeAead.open(new Uint8Array(32), new Uint8Array(len), new Uint8Array(17))).toThrow(
        InvalidInputError,
      );
    }
  });
});

describe('node randomness', () => {
  it('returns plain Uint8Arrays of the requested length that differ between calls', () => {
    const a = nodeRandom.randomBytes(32);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(32);
    expect(a).not.toEqual(nodeRandom.randomBytes(32));
    expect(nodeRandom.randomBytes(0).length).toBe(0);
  });
});

describe('seed-only PKCS#8 and SPKI encodings (RFC 9935 / RFC 9881)', () => {
  it('encodes the RFC 9935 ML-KEM-768 and RFC 9881 ML-DSA-65 example seeds byte for byte', () => {
    const kem = vector('rfc9935-ML-KEM-768-seed.priv');
    expect(seedToPkcs8('ML-KEM-768', kem.slice(-64))).toEqual(kem);
    const dsa = vector('rfc9881-ML-DSA-65-seed.priv');
    expect(seedToPkcs8('ML-DSA-65', dsa.slice(-32))).toEqual(dsa);
  });

  it('reads the RFC example SPKIs as the public keys noble derives from the example seeds', () => {
    const kemSeed = vector('rfc9935-ML-KEM-768-seed.priv').slice(-64);
    const kemSpki = vector('rfc9935-ML-KEM-768.pub');
    expect(spkiToPublicKey('ML-KEM-768', kemSpki)).toEqual(nobleKem.keyPairFromSeed('ML-KEM-768', kemSeed).publicKey);
    expect(publicKeyToSpki('ML-KEM-768', spkiToPublicKey('ML-KEM-768', kemSpki))).toEqual(kemSpki);

    const dsaSeed = vector('rfc9881-ML-DSA-65-seed.priv').slice(-32);
    const dsaSpki = vector('rfc9881-ML-DSA-65.pub');
    expect(spkiToPublicKey('ML-DSA-65', dsaSpki)).toEqual(
      nobleSignature.keyPairFromSeed('ML-DSA-65', dsaSeed).publicKey,
    );
    expect(publicKeyToSpki('ML-DSA-65', spkiToPublicKey('ML-DSA-65', dsaSpki))).toEqual(dsaSpki);
  });

  it('refuses an SPKI with any header byte changed, or of the wrong length, with InvalidKeyError', () => {
    const spki = vector('rfc9881-ML-DSA-65.pub');
    const headerLength = spki.length - 1952;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: headerLength - 1 }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const bad = spki.slice();
        bad[at] = ((bad[at] ?? 0) + delta) & 0xff;
        expect(() => spkiToPublicKey('ML-DSA-65', bad)).toThrow(InvalidKeyError);
      }),
    );
    expect(() => spkiToPublicKey('ML-DSA-65', spki.subarray(0, -1))).toThrow(InvalidKeyError);
    expect(() => spkiToPublicKey('ML-DSA-44', spki)).toThrow(InvalidKeyError);
  });
});

describe('native PQ detection', () => {
  const hasNativeKem = typeof (nodeCrypto as unknown as NativeCrypto).encapsulate === 'function';

  it.runIf(!hasNativeKem)('falls back to noble for ML-KEM and ML-DSA on a runtime without them', () => {
    expect(runtimeName).toBe('node');
    expect(nativePq().kem).toBeUndefined();
    expect(nativePq().signature).toBeUndefined();
    expect(defaultProviders.kem.name).toBe('noble');
    expect(defaultProviders.signature.name).toBe('noble');
    expect(defaultProviders.aead).toBe(nodeAead);
    // Keys made through the default provider are noble keys: noble itself can use them.
    const { privateKey } = defaultProviders.kem.keyPairFromSeed('ML-KEM-768', new Uint8Array(64));
    expect(privateKey.provider).toBe('noble');
  });

  it.runIf(hasNativeKem)('selects node-native ML-KEM and ML-DSA where node:crypto has them', () => {
    expect(defaultProviders.kem.name).toBe('node-native');
    expect(defaultProviders.signature.name).toBe('node-native');
  });

  it('reports nothing when encapsulate exists but key import fails (detection by feature, not name)', () => {
    const broken: NativeCrypto = {
      ...(nodeCrypto as unknown as NativeCrypto),
      encapsulate: () => ({ sharedKey: new Uint8Array(32), ciphertext: new Uint8Array(1088) }),
      decapsulate: () => new Uint8Array(32),
      createPrivateKey: () => {
        throw new Error('unsupported');
      },
    };
    const found = detectNativePq(broken);
    expect(found.kem).toBeUndefined();
    expect(found.signature).toBeUndefined();
    expect(found.nativeContext).toBe(false);
  });

  it('reports nothing for a node:crypto without encapsulate/decapsulate', () => {
    const { encapsulate: _e, decapsulate: _d, ...rest } = nodeCrypto as unknown as NativeCrypto;
    const found = detectNativePq(rest as NativeCrypto);
    expect(found.kem).toBeUndefined();
  });
});

describe('default providers on this runtime', () => {
  it.each(KEM_ALGORITHMS)('%s: keys from a seed match noble and round-trip', (alg) => {
    const seed = nodeRandom.randomBytes(64);
    const { publicKey, privateKey } = defaultProviders.kem.keyPairFromSeed(alg, seed);
    expect(publicKey).toEqual(nobleKem.keyPairFromSeed(alg, seed).publicKey);
    const { encapsulatedKey, sharedSecret } = defaultProviders.kem.encapsulate(alg, publicKey);
    expect(defaultProviders.kem.decapsulate(alg, privateKey, encapsulatedKey)).toEqual(sharedSecret);
  });

  it.each(ML_DSA_ALGORITHMS)('%s: keys from a seed match noble; signatures verify with and without context', (alg) => {
    const seed = nodeRandom.randomBytes(32);
    const { publicKey, privateKey } = defaultProviders.signature.keyPairFromSeed(alg, seed);
    expect(publicKey).toEqual(nobleSignature.keyPairFromSeed(alg, seed).publicKey);
    const msg = new TextEncoder().encode('message');
    const ctx = new TextEncoder().encode('ctx');
    const s = defaultProviders.signature.sign(alg, privateKey, msg, ctx);
    expect(nobleSignature.verify(alg, publicKey, msg, s, ctx)).toBe(true);
    expect(defaultProviders.signature.verify(alg, publicKey, msg, s)).toBe(false);
  });
});
