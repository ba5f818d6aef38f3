/**
 * HPKE behaviour beyond the known answers: every implemented suite round-trips, contexts keep message
 * order, every failure is a typed error, and any changed byte of enc or ciphertext is rejected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../src/crypto/bytes.js';
import {
  HPKE_AEAD,
  HPKE_KDF,
  HPKE_KEM,
  type HpkeSuite,
  hpkeDeriveKeyPair,
  hpkeGenerateKeyPair,
  hpkeKemSizes,
  hpkeOpen,
  hpkePublicKey,
  hpkeReceiveExport,
  hpkeSeal,
  hpkeSendExport,
  hpkeSuite,
  setupBaseR,
  setupBaseS,
} from '../src/crypto/hpke/index.js';
import type { AeadProvider } from '../src/crypto/providers.js';
import {
  DecryptionFailedError,
  InvalidCiphertextError,
  InvalidInputError,
  InvalidKeyError,
  InvalidOptionsError,
  UnsupportedAlgorithmError,
} from '../src/errors.js';
import { nodeAead } from '../src/runtime/node.js';

const KEMS = Object.values(HPKE_KEM);
const KDFS = Object.values(HPKE_KDF);
const SEALING_AEADS = [HPKE_AEAD.AES_128_GCM, HPKE_AEAD.AES_256_GCM, HPKE_AEAD.CHACHA20_POLY1305];

// One key pair per KEM, derived so that failures reproduce.
const keys = new Map(KEMS.map((kem) => [kem, hpkeDeriveKeyPair(kem, new Uint8Array(32).fill(kem & 0xff))]));
const keyOf = (kem: HpkeSuite['kem']) => keys.get(kem)!;

const ML_KEM_768_SUITE = hpkeSuite(HPKE_KEM.ML_KEM_768, HPKE_KDF.SHAKE256, HPKE_AEAD.AES_256_GCM);
const info = utf8('app info');
const aad = utf8('header');
const msg = utf8('attack at dawn');

describe('HPKE suites', () => {
  const suites = KEMS.flatMap((kem) => KDFS.flatMap((kdf) => SEALING_AEADS.map((aead) => hpkeSuite(kem, kdf, aead))));
  const name = (s: HpkeSuite) =>
    `kem 0x${s.kem.toString(16)} kdf 0x${s.kdf.toString(16)} aead 0x${s.aead.toString(16)}`;

  it.each(suites.map((s) => [name(s), s] as const))('%s round-trips single-shot and rejects a wrong aad', (_n, s) => {
    const { publicKey, privateKey } = keyOf(s.kem);
    const { enc, ciphertext } = hpkeSeal(s, publicKey, msg, { info, aad });
    expect(enc.length).toBe(hpkeKemSizes(s.kem).nenc);
    expect(ciphertext.length).toBe(msg.length + 16);
    expect(hpkeOpen(s, enc, privateKey, ciphertext, { info, aad })).toEqual(msg);
    expect(() => hpkeOpen(s, enc, privateKey, ciphertext, { info, aad: utf8('other') })).toThrow(DecryptionFailedError);
  });

  it.each(
    KEMS.flatMap((kem) => KDFS.map((kdf) => hpkeSuite(kem, kdf, HPKE_AEAD.EXPORT_ONLY))).map((s) => [name(s), s]),
  )('%s (export-only) exports the same secret on both sides and refuses to seal', (_n, s) => {
    const { publicKey, privateKey } = keyOf(s.kem);
    const { enc, exported } = hpkeSendExport(s, publicKey, utf8('ctx'), 48, { info });
    expect(hpkeReceiveExport(s, enc, privateKey, utf8('ctx'), 48, { info })).toEqual(exported);
    expect(hpkeReceiveExport(s, enc, privateKey, utf8('ctx2'), 48, { info })).not.toEqual(exported);
    expect(() => setupBaseS(s, publicKey).context.seal(msg)).toThrow(UnsupportedAlgorithmError);
  });

  it('rejects ids it does not implement (never a fallback)', () => {
    expect(() => hpkeSuite(0x0020, 0x0001, 0x0001)).toThrow(UnsupportedAlgorithmError); // DHKEM(X25519)
    expect(() => hpkeSuite(0x0041, 0x0002, 0x0001)).toThrow(UnsupportedAlgorithmError); // HKDF-SHA384
    expect(() => hpkeSuite(0x0041, 0x0001, 0x0004)).toThrow(UnsupportedAlgorithmError);
    const forged = { kem: 0x0040, kdf: 0x0001, aead: 0x0001 } as unknown as HpkeSuite;
    expect(() => hpkeSeal(forged, new Uint8Array(800), msg)).toThrow(UnsupportedAlgorithmError);
  });
});

describe('HPKE key pairs', () => {
  it('DeriveKeyPair is deterministic and GenerateKeyPair yields seeds of Nsk bytes', () => {
    for (const kem of KEMS) {
      const a = hpkeDeriveKeyPair(kem, new Uint8Array(32).fill(7));
      expect(hpkeDeriveKeyPair(kem, new Uint8Array(32).fill(7))).toEqual(a);
      expect(hpkeDeriveKeyPair(kem, new Uint8Array(32).fill(8)).publicKey).not.toEqual(a.publicKey);
      const g = hpkeGenerateKeyPair(kem);
      expect(g.privateKey.length).toBe(hpkeKemSizes(kem).nsk);
      expect(hpkePublicKey(kem, g.privateKey)).toEqual(g.publicKey);
    }
  });

  it('refuses short ikm and keys of the wrong size', () => {
    expect(() => hpkeDeriveKeyPair(HPKE_KEM.ML_KEM_768, new Uint8Array(31))).toThrow(InvalidInputError);
    expect(() => hpkeSeal(ML_KEM_768_SUITE, new Uint8Array(1183), msg)).toThrow(InvalidKeyError);
    expect(() => hpkePublicKey(HPKE_KEM.X_WING, new Uint8Array(64))).toThrow(InvalidKeyError);
  });

  it('refuses an ML-KEM public key that fails the FIPS 203 modulus check', () => {
    const bad = keyOf(HPKE_KEM.ML_KEM_768).publicKey.slice();
    bad.fill(0xff, 0, 3);
    expect(() => hpkeSeal(ML_KEM_768_SUITE, bad, msg)).toThrow(InvalidKeyError);
  });
});

describe('HPKE contexts', () => {
  const { publicKey, privateKey } = keyOf(HPKE_KEM.ML_KEM_768);

  it('open follows the seal order; a failed open does not advance the sequence', () => {
    const { enc, context: s } = setupBaseS(ML_KEM_768_SUITE, publicKey, { info });
    const c0 = s.seal(utf8('m0'), aad);
    const c1 = s.seal(utf8('m1'), aad);
    expect(s.seq).toBe(2);
    expect(c0).not.toEqual(c1);
    const r = setupBaseR(ML_KEM_768_SUITE, enc, privateKey, { info });
    expect(() => r.open(c1, aad)).toThrow(DecryptionFailedError);
    expect(r.seq).toBe(0);
    expect(r.open(c0, aad)).toEqual(utf8('m0'));
    expect(r.open(c1, aad)).toEqual(utf8('m1'));
    expect(r.seq).toBe(2);
  });

  it('does not reveal its secrets through JSON', () => {
    const { context } = setupBaseS(ML_KEM_768_SUITE, publicKey);
    expect(JSON.stringify(context)).toBe(JSON.stringify({ suite: ML_KEM_768_SUITE }));
  });

  it('binds info, the key and enc', () => {
    const { enc, ciphertext } = hpkeSeal(ML_KEM_768_SUITE, publicKey, msg, { info });
    expect(() => hpkeOpen(ML_KEM_768_SUITE, enc, privateKey, ciphertext)).toThrow(DecryptionFailedError);
    const other = hpkeGenerateKeyPair(HPKE_KEM.ML_KEM_768).privateKey;
    expect(() => hpkeOpen(ML_KEM_768_SUITE, enc, other, ciphertext, { info })).toThrow(DecryptionFailedError);
    expect(() => hpkeOpen(ML_KEM_768_SUITE, enc.subarray(1), privateKey, ciphertext, { info })).toThrow(
      InvalidCiphertextError,
    );
  });

  it('validates export lengths and options', () => {
    const { context } = setupBaseS(ML_KEM_768_SUITE, publicKey);
    expect(() => context.export(utf8('x'), 0)).toThrow(InvalidInputError);
    expect(() => context.export(utf8('x'), 65536)).toThrow(InvalidInputError);
    expect(context.export(utf8('x'), 65535).length).toBe(65535);
    const hkdf = hpkeSuite(HPKE_KEM.ML_KEM_768, HPKE_KDF.HKDF_SHA256, HPKE_AEAD.AES_128_GCM);
    expect(() => setupBaseS(hkdf, publicKey).context.export(utf8('x'), 255 * 32 + 1)).toThrow(InvalidInputError);
    expect(() => setupBaseS(ML_KEM_768_SUITE, publicKey, { infos: info } as never)).toThrow(InvalidOptionsError);
    expect(() => setupBaseS(ML_KEM_768_SUITE, publicKey, { info: 'text' } as never)).toThrow(InvalidOptionsError);
    expect(() => setupBaseS(ML_KEM_768_SUITE, publicKey, { ikmE: new Uint8Array(31) })).toThrow(InvalidInputError);
  });
});

describe('HPKE tamper resistance', () => {
  const { publicKey, privateKey } = keyOf(HPKE_KEM.ML_KEM_768);
  const sealed = hpkeSeal(ML_KEM_768_SUITE, publicKey, msg, { aad });

  it('any flipped bit in enc or ciphertext is a DecryptionFailedError', () => {
    const total = sealed.enc.length + sealed.ciphertext.length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: total - 1 }), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
        const enc = sealed.enc.slice();
        const ct = sealed.ciphertext.slice();
        if (pos < enc.length) enc[pos] = (enc[pos] as number) ^ (1 << bit);
        else ct[pos - enc.length] = (ct[pos - enc.length] as number) ^ (1 << bit);
        expect(() => hpkeOpen(ML_KEM_768_SUITE, enc, privateKey, ct, { aad })).toThrow(DecryptionFailedError);
      }),
      { numRuns: 150 },
    );
  });

  it('X-Wing: a changed X25519 share or ML-KEM ciphertext both fail', () => {
    const xw = hpkeSuite(HPKE_KEM.X_WING, HPKE_KDF.SHAKE256, HPKE_AEAD.AES_256_GCM);
    const k = keyOf(HPKE_KEM.X_WING);
    const s = hpkeSeal(xw, k.publicKey, msg);
    for (const pos of [0, 1087, 1088, 1119]) {
      const enc = s.enc.slice();
      enc[pos] = (enc[pos] as number) ^ 1;
      expect(() => hpkeOpen(xw, enc, k.privateKey, s.ciphertext)).toThrow(DecryptionFailedError);
    }
  });
});

describe('HPKE AES-256-GCM provider seam', () => {
  it('uses the AeadProvider it is given, and its bytes match noble', () => {
    const calls: string[] = [];
    const recording: AeadProvider = {
      name: 'recording-node',
      seal(...a) {
        calls.push('seal');
        return nodeAead.seal(...a);
      },
      open(...a) {
        calls.push('open');
        return nodeAead.open(...a);
      },
    };
    const { publicKey, privateKey } = keyOf(HPKE_KEM.ML_KEM_768);
    const ikmE = new Uint8Array(32).fill(3);
    const viaNode = hpkeSeal(ML_KEM_768_SUITE, publicKey, msg, { aad, ikmE, aeadProvider: recording });
    const viaNoble = hpkeSeal(ML_KEM_768_SUITE, publicKey, msg, { aad, ikmE });
    expect(viaNode).toEqual(viaNoble);
    expect(
      hpkeOpen(ML_KEM_768_SUITE, viaNoble.enc, privateKey, viaNoble.ciphertext, { aad, aeadProvider: recording }),
    ).toEqual(msg);
    expect(calls).toEqual(['seal', 'open']);
    const tampered = viaNoble.ciphertext.slice();
    tampered[0] = (tampered[0] as number) ^ 1;
    expect(() =>
      hpkeOpen(ML_KEM_768_SUITE, viaNoble.enc, privateKey, tampered, { aad, aeadProvider: nodeAead }),
    ).toThrow(DecryptionFailedError);
  });
});
