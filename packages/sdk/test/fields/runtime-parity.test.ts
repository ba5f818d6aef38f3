/**
 * One format, whichever runtime computes it: an engine on the Node providers (OpenSSL AES, native
 * HMAC) and one on the browser providers (noble everywhere) read each other's ciphertexts and
 * compute the same blind indexes; the batched bulk paths and the one-at-a-time paths are
 * interchangeable; the tuned encoders give exactly the reference bytes and strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8 } from '../../src/crypto/bytes.js';
import { nobleProviders } from '../../src/crypto/noble-provider.js';
import { MemoryDataKeyDirectory } from '../../src/fields/data-key-directory.js';
import { FieldEngine } from '../../src/fields/engine.js';
import { parseField, serializeField } from '../../src/fields/format.js';
import { decodeValue, encodeValue } from '../../src/fields/value-codec.js';
import { defaultProviders as browserProviders } from '../../src/runtime/browser.js';
import { defaultProviders as nodeProviders } from '../../src/runtime/node.js';
import { errorOf, localBackend } from './helpers.js';

const loc = { table: 'User', column: 'email' };
const def = { name: 'emailHash', table: 'User', columns: ['email'] };

const pair = async () => {
  const backend = await localBackend();
  const directory = new MemoryDataKeyDirectory();
  const node = new FieldEngine({ backend, directory, providers: nodeProviders });
  const browser = new FieldEngine({ backend, directory, providers: browserProviders });
  // A provider set without a block cipher: bulk calls go field by field through its AEAD.
  const perField = new FieldEngine({
    backend,
    directory,
    providers: { aead: nodeProviders.aead, random: nodeProviders.random },
  });
  return { node, browser, perField };
};

describe('Node and browser providers', () => {
  it('the browser runtime is noble throughout, with the block-cipher and MAC seams filled', () => {
    expect(browserProviders).toBe(nobleProviders);
    expect(browserProviders.blockCipher?.name).toBe('noble');
    expect(browserProviders.mac?.name).toBe('noble');
    expect(nodeProviders.blockCipher?.name).toBe('node');
    expect(nodeProviders.mac?.name).toBe('node');
  });

  it('read each other’s bulk and single ciphertexts (batched or field by field)', async () => {
    const { node, browser, perField } = await pair();
    const values = ['ada@example.com', 'Zoë@exämple.org', '', 'x'.repeat(300)];
    for (const [writer, reader] of [
      [node, browser],
      [browser, node],
      [node, perField],
      [perField, browser],
    ] as const) {
      const bulk = await writer.encryptMany(values.map((value) => ({ value, location: loc })));
      const single = await Promise.all(values.map((v) => writer.encrypt(v, loc)));
      const items = [...bulk, ...single].map((ciphertext) => ({ ciphertext, location: loc, type: 'string' as const }));
      expect(await reader.decryptMany(items)).toEqual([...values, ...values]);
      for (const c of bulk) expect(values).toContain(await reader.decrypt(c, 'string', loc));
    }
  });

  it('compute identical blind indexes (HMAC-SHA3-256 and KMAC256)', async () => {
    const { node, browser, perField } = await pair();
    for (const algorithm of ['hmac-sha3-256', 'kmac256'] as const) {
      const d = { ...def, algorithm };
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 60 }), async (v) => {
          const expected = await node.blindIndex(d, v);
          expect(await browser.blindIndex(d, v)).toBe(expected);
          expect(await perField.blindIndex(d, v)).toBe(expected);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('the batched decrypt fails closed with the same typed error as the single path', async () => {
    const { node } = await pair();
    const [a, b] = await node.encryptMany([
      { value: 'a@x.io', location: loc },
      { value: 'b@x.io', location: loc },
    ]);
    const other = { table: 'User', column: 'phone' };
    const e = await errorOf(() =>
      node.decryptMany([
        { ciphertext: a!, location: loc, type: 'string' },
        { ciphertext: b!, location: other, type: 'string' },
      ]),
    );
    expect(e.code).toBe('DECRYPTION_FAILED');
    expect(e.message).not.toContain('b@x.io');
    expect((e as unknown as { details: unknown }).details).toEqual({ table: 'User', column: 'phone' });
  });
});

describe('tuned encoders', () => {
  it('the field body encodes exactly as the reference base64url, and parses back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 17, maxLength: 200 }),
        (nonce, sealed) => {
          const body = new Uint8Array([...nonce, ...sealed]);
          const s = serializeField('AAAAAAAAAAAAAAAA', nonce, sealed);
          expect(s).toBe(`qf1.A256GCM.AAAAAAAAAAAAAAAA.${toBase64Url(body)}`);
          const p = parseField(s);
          expect([...p.nonce, ...p.sealed]).toEqual([...body]);
        },
      ),
    );
  });

  it('the parser is as strict as the reference decoder: non-canonical tails and foreign characters fail', () => {
    const ok = serializeField('AAAAAAAAAAAAAAAA', new Uint8Array(12), new Uint8Array(18)); // 30 bytes: 40 chars
    const withTail = serializeField('AAAAAAAAAAAAAAAA', new Uint8Array(12), new Uint8Array(19)); // 31 bytes
    expect(() => parseField(ok)).not.toThrow();
    // 31 bytes end in 2 characters whose last one carries 4 unused bits: 'A' -> 'B' sets one of them.
    const nonCanonical = `${withTail.slice(0, -1)}B`;
    expect(() => fromBase64Url(nonCanonical.slice(29))).toThrow();
    for (const bad of [nonCanonical, `${ok}.x`, `${ok.slice(0, -1)}=`, `${ok.slice(0, -1)}+`, `${ok}A`]) {
      expect(() => parseField(bad)).toThrow(expect.objectContaining({ code: 'INVALID_CIPHERTEXT' }));
    }
  });

  it('strings encode to the tag byte + UTF-8, ASCII or not, and decode back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 80 })), (s) => {
        const b = encodeValue(s);
        expect([...b]).toEqual([1, ...utf8(s)]);
        expect(decodeValue(b)).toEqual({ type: 'string', value: s });
      }),
    );
  });
});
