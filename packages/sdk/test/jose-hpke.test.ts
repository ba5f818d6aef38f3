/**
 * JWE Integrated Encryption with HPKE-12 / HPKE-9 / HPKE-13: the draft's published vectors decrypt,
 * our own JWEs round-trip, and every malformed, mismatched or tampered input is a typed error.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../src/crypto/bytes.js';
import {
  HPKE_KEM,
  hpkeGenerateKeyPair,
  JOSE_HPKE_ALGORITHMS,
  type JoseHpkeAlgorithm,
} from '../src/crypto/hpke/index.js';
import { type FlattenedJwe, jweDecrypt, jweEncrypt } from '../src/crypto/jose-hpke.js';
import { akpThumbprint, toAkpPrivateJwk, toAkpPublicJwk } from '../src/crypto/jwk.js';
import {
  DecryptionFailedError,
  InvalidCiphertextError,
  InvalidJwkError,
  InvalidOptionsError,
  isQuantumApiError,
  UnsupportedAlgorithmError,
} from '../src/errors.js';
import { nodeAead } from '../src/runtime/node.js';

interface JoseVector {
  alg: JoseHpkeAlgorithm;
  jwk: { kty: 'AKP'; alg: string; kid: string; pub: string; priv: string };
  flattened: FlattenedJwe;
  compact: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('./vectors/jose-hpke-12-and-9.json', import.meta.url), 'utf8'),
) as JoseVector[];

// The vector file does not carry its plaintext: this is the constant in scripts/jwe.js of
// panva/draft-jose-hpke-pq-pqt (the generator of examples/jose-vectors.json), "–" being U+2013.
const VECTOR_PLAINTEXT =
  'You can trust us to stick with you through thick and thin\u2013to the bitter end. And you can trust us to keep ' +
  'any secret of yours\u2013closer than you keep it yourself. But you cannot trust us to let you face trouble ' +
  'alone, and go off without a word. We are your friends, Frodo.';
const VECTOR_AAD = 'The Fellowship of the Ring';

const TYPED_CODES = ['INVALID_CIPHERTEXT', 'DECRYPTION_FAILED', 'UNSUPPORTED_ALGORITHM', 'INVALID_JWK'];

/** Decrypting must fail with one of our typed errors whose message never echoes the plaintext. */
const expectTypedRejection = (run: () => unknown, plaintext: string): void => {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(isQuantumApiError(caught), `expected a typed error, got ${String(caught)}`).toBe(true);
  if (!isQuantumApiError(caught)) return;
  expect(TYPED_CODES).toContain(caught.code);
  expect(caught.message).not.toContain(plaintext.slice(0, 12));
};

const reencodeHeader = (compact: string, edit: (h: Record<string, unknown>) => Record<string, unknown>): string => {
  const [p, ...rest] = compact.split('.');
  const header = JSON.parse(fromUtf8(fromBase64Url(p!))) as Record<string, unknown>;
  return [toBase64Url(utf8(JSON.stringify(edit(header)))), ...rest].join('.');
};

const keyPair = (alg: JoseHpkeAlgorithm) => {
  const { publicKey, privateKey } = hpkeGenerateKeyPair(JOSE_HPKE_ALGORITHMS[alg].kem);
  return { pub: toAkpPublicJwk(alg, publicKey), priv: toAkpPrivateJwk(alg, publicKey, privateKey) };
};

describe('JOSE HPKE vectors (draft-ietf-jose-hpke-pq-pqt)', () => {
  it('holds HPKE-9 and HPKE-12, whose kids are RFC 7638 thumbprints', () => {
    expect(vectors.map((v) => v.alg).sort()).toEqual(['HPKE-12', 'HPKE-9']);
    for (const v of vectors) expect(akpThumbprint(v.jwk)).toBe(v.jwk.kid);
  });

  describe.each(vectors.map((v) => [v.alg, v] as const))('%s', (alg, v) => {
    it('compact decrypts to the plaintext, with the header it was sent with', () => {
      const out = jweDecrypt(v.compact, v.jwk);
      expect(fromUtf8(out.plaintext)).toBe(VECTOR_PLAINTEXT);
      expect(out.alg).toBe(alg);
      expect(out.protectedHeader).toEqual({ alg, kid: v.jwk.kid });
      expect(out.additionalAuthenticatedData).toBeUndefined();
    });

    it('flattened (with JWE AAD) decrypts to the plaintext, as an object and as JSON text', () => {
      for (const input of [v.flattened, JSON.stringify(v.flattened)]) {
        const out = jweDecrypt(input, v.jwk);
        expect(fromUtf8(out.plaintext)).toBe(VECTOR_PLAINTEXT);
        expect(fromUtf8(out.additionalAuthenticatedData!)).toBe(VECTOR_AAD);
      }
    });

    it('decrypts the same with the node:crypto AES-256-GCM provider', () => {
      expect(fromUtf8(jweDecrypt(v.compact, v.jwk, { aeadProvider: nodeAead }).plaintext)).toBe(VECTOR_PLAINTEXT);
    });

    it('the flattened JWE fails without its AAD or with another one', () => {
      const { aad: _aad, ...noAad } = v.flattened;
      expect(() => jweDecrypt(noAad, v.jwk)).toThrow(DecryptionFailedError);
      expect(() => jweDecrypt({ ...v.flattened, aad: toBase64Url(utf8('The Two Towers')) }, v.jwk)).toThrow(
        DecryptionFailedError,
      );
    });

    // Every position costs one decapsulation: exhaustive for ML-KEM (~2 ms each); for X-Wing (~6 ms
    // with noble's X25519) the header and separators exhaustively, the rest by the property below.
    it('any single changed character of the compact JWE is a typed error (every position)', () => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const headerEnd = v.compact.indexOf('.') + 1;
      const positions = Array.from(v.compact, (_c, i) => i).filter(
        (i) => alg === 'HPKE-12' || i < headerEnd || v.compact[i] === '.',
      );
      expect(positions.length).toBeGreaterThan(alg === 'HPKE-12' ? 1900 : 90);
      for (const i of positions) {
        const c = v.compact[i]!;
        // A deterministic other character ('.' becomes a letter, letters rotate).
        const r = c === '.' ? 'A' : alphabet[(alphabet.indexOf(c) + 17) % alphabet.length]!;
        const tampered = v.compact.slice(0, i) + r + v.compact.slice(i + 1);
        expectTypedRejection(() => jweDecrypt(tampered, v.jwk), VECTOR_PLAINTEXT);
      }
    });

    it('any character replaced by any other (property) is a typed error', () => {
      const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '.split('');
      fc.assert(
        fc.property(fc.integer({ min: 0, max: v.compact.length - 1 }), fc.constantFrom(...chars), (i, r) => {
          fc.pre(v.compact[i] !== r);
          const tampered = v.compact.slice(0, i) + r + v.compact.slice(i + 1);
          expectTypedRejection(() => jweDecrypt(tampered, v.jwk), VECTOR_PLAINTEXT);
        }),
        { numRuns: alg === 'HPKE-12' ? 100 : 200 },
      );
    });
  });

  it('a JWK of the other algorithm is refused before any decryption', () => {
    const [a, b] = vectors as [JoseVector, JoseVector];
    expect(() => jweDecrypt(a.compact, b.jwk)).toThrow(InvalidJwkError);
    expect(() => jweDecrypt(b.flattened, a.jwk)).toThrow(InvalidJwkError);
  });
});

describe('jweEncrypt / jweDecrypt round trip', () => {
  const algs = Object.keys(JOSE_HPKE_ALGORITHMS) as JoseHpkeAlgorithm[];

  it.each(algs)('%s compact: header carries alg, kid and extras; no enc', (alg) => {
    const { pub, priv } = keyPair(alg);
    const jwe = jweEncrypt('hello, post-quantum world', pub, { protectedHeader: { typ: 'JWT', cty: 'text' } });
    const parts = jwe.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[2]).toBe('');
    expect(parts[4]).toBe('');
    const out = jweDecrypt(jwe, priv);
    expect(fromUtf8(out.plaintext)).toBe('hello, post-quantum world');
    expect(out.protectedHeader).toEqual({ alg, kid: pub.kid, typ: 'JWT', cty: 'text' });
    expect(fromBase64Url(parts[1]!).length).toBe(alg === 'HPKE-9' ? 1120 : alg === 'HPKE-12' ? 1088 : 1568);
  });

  it('HPKE-12 flattened with AAD and info, for arbitrary plaintexts and AADs (property)', () => {
    const { pub, priv } = keyPair('HPKE-12');
    const info = utf8('mutually known');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (pt, aad) => {
        const jwe = jweEncrypt(pt, pub, { serialization: 'flattened', aad, info });
        expect(jwe.aad).toBe(toBase64Url(aad));
        const out = jweDecrypt(jwe, priv, { info });
        expect(out.plaintext).toEqual(pt);
        expect(out.additionalAuthenticatedData).toEqual(aad);
        expect(() => jweDecrypt(jwe, priv)).toThrow(DecryptionFailedError);
      }),
      { numRuns: 25 },
    );
  });

  it('accepts the general JSON serialization with exactly one recipient', () => {
    const { pub, priv } = keyPair('HPKE-12');
    const f = jweEncrypt('one recipient', pub, { serialization: 'flattened' });
    const general = {
      protected: f.protected,
      ciphertext: f.ciphertext,
      recipients: [{ encrypted_key: f.encrypted_key }],
    };
    expect(fromUtf8(jweDecrypt(general, priv).plaintext)).toBe('one recipient');
    const two = { ...general, recipients: [general.recipients[0], general.recipients[0]] };
    expect(() => jweDecrypt(two, priv)).toThrow(InvalidCiphertextError);
  });

  it('a different key of the same algorithm cannot decrypt', () => {
    const a = keyPair('HPKE-9');
    const b = keyPair('HPKE-9');
    expect(() => jweDecrypt(jweEncrypt('x', a.pub), b.priv)).toThrow(DecryptionFailedError);
  });
});

describe('JOSE HPKE rejections', () => {
  const [v9, v12] = [vectors.find((v) => v.alg === 'HPKE-9')!, vectors.find((v) => v.alg === 'HPKE-12')!];

  it('unknown or key-encryption algorithms are unsupported, from the header or the JWK', () => {
    for (const alg of ['HPKE-0', 'HPKE-12-KE', 'RSA-OAEP-256', 'none']) {
      expect(() =>
        jweDecrypt(
          reencodeHeader(v12.compact, (h) => ({ ...h, alg })),
          v12.jwk,
        ),
      ).toThrow(UnsupportedAlgorithmError);
      expect(() => jweEncrypt('x', { ...v12.jwk, alg })).toThrow(UnsupportedAlgorithmError);
    }
  });

  it('a header alg that differs from the JWK alg is refused', () => {
    const relabelled = reencodeHeader(v12.compact, (h) => ({ ...h, alg: 'HPKE-9' }));
    expect(() => jweDecrypt(relabelled, v12.jwk)).toThrow(InvalidJwkError);
  });

  it('"enc" and "ek" are forbidden; "zip", "psk_id", "crit" are not implemented', () => {
    for (const extra of [{ enc: 'dir' }, { enc: 'A256GCM' }, { ek: 'AAAA' }]) {
      expect(() =>
        jweDecrypt(
          reencodeHeader(v12.compact, (h) => ({ ...h, ...extra })),
          v12.jwk,
        ),
      ).toThrow(InvalidCiphertextError);
    }
    for (const extra of [{ zip: 'DEF' }, { psk_id: 'a' }, { crit: ['b64'] }]) {
      expect(() =>
        jweDecrypt(
          reencodeHeader(v12.compact, (h) => ({ ...h, ...extra })),
          v12.jwk,
        ),
      ).toThrow(UnsupportedAlgorithmError);
    }
  });

  it('IV and tag must be empty; the compact form has five parts', () => {
    const p = v9.compact.split('.');
    expect(() => jweDecrypt([p[0], p[1], 'AAAAAAAAAAAAAAAA', p[3], ''].join('.'), v9.jwk)).toThrow(
      InvalidCiphertextError,
    );
    expect(() => jweDecrypt([p[0], p[1], '', p[3], 'AAAAAAAAAAAAAAAAAAAAAA'].join('.'), v9.jwk)).toThrow(
      InvalidCiphertextError,
    );
    expect(() => jweDecrypt(p.slice(0, 4).join('.'), v9.jwk)).toThrow(InvalidCiphertextError);
    expect(() => jweDecrypt(42, v9.jwk)).toThrow(InvalidCiphertextError);
    const huge = reencodeHeader(v9.compact, (h) => ({ ...h, pad: 'x'.repeat(13_000) }));
    expect(() => jweDecrypt(huge, v9.jwk)).toThrow(InvalidCiphertextError);
    expect(() => jweDecrypt({ ...v9.flattened, iv: 'AAAA' }, v9.jwk)).toThrow(InvalidCiphertextError);
  });

  it('"alg" must be protected, and header names must not repeat across headers', () => {
    expect(() => jweDecrypt({ ...v9.flattened, header: { alg: 'HPKE-9' } }, v9.jwk)).toThrow(InvalidCiphertextError);
    expect(() => jweDecrypt({ ...v9.flattened, unprotected: { kid: 'x' } }, v9.jwk)).toThrow(InvalidCiphertextError);
    expect(() => jweDecrypt({ ...v9.flattened, header: { enc: 'A256GCM' } }, v9.jwk)).toThrow(InvalidCiphertextError);
    const withTyp = jweDecrypt({ ...v9.flattened, header: { typ: 'x' } }, v9.jwk);
    expect(withTyp.unprotectedHeader).toEqual({ typ: 'x' });
  });

  it('private JWKs must be complete, consistent and meant for encryption', () => {
    const { priv: _priv, ...publicOnly } = v12.jwk;
    expect(() => jweDecrypt(v12.compact, publicOnly)).toThrow(InvalidJwkError);
    const other = keyPair('HPKE-12').priv;
    expect(() => jweDecrypt(v12.compact, { ...v12.jwk, pub: other.pub })).toThrow(InvalidJwkError);
    expect(() => jweDecrypt(v12.compact, { ...v12.jwk, priv: toBase64Url(new Uint8Array(32)) })).toThrow(
      InvalidJwkError,
    );
    expect(() => jweDecrypt(v12.compact, { ...v12.jwk, use: 'sig' })).toThrow(InvalidJwkError);
    expect(() => jweDecrypt(v12.compact, { ...v12.jwk, kty: 'OKP' })).toThrow(InvalidJwkError);
  });

  it('encryption refuses bad public JWKs and options', () => {
    const pub = toAkpPublicJwk('HPKE-12', hpkeGenerateKeyPair(HPKE_KEM.ML_KEM_768).publicKey);
    expect(() => jweEncrypt('x', { ...pub, pub: toBase64Url(new Uint8Array(1183)) })).toThrow(InvalidJwkError);
    const outOfRange = toBase64Url(new Uint8Array(1184).fill(0xff));
    expect(() => jweEncrypt('x', { ...pub, pub: outOfRange })).toThrow(InvalidJwkError);
    expect(() => jweEncrypt('x', pub, { aad: 'x' } as never)).toThrow(InvalidOptionsError);
    for (const name of ['alg', 'enc', 'ek', 'zip', 'psk_id', 'crit']) {
      expect(() => jweEncrypt('x', pub, { protectedHeader: { [name]: 'x' } })).toThrow(InvalidOptionsError);
    }
    expect(() => jweEncrypt('x', pub, { serialization: 'general' } as never)).toThrow(InvalidOptionsError);
  });
});
