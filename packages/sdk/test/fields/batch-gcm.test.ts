/**
 * The batched GCM of the field engine is AES-256-GCM: for any key, nonce, plaintext and AAD it
 * produces exactly the bytes of node:crypto and of noble, opens what they seal, and refuses any
 * changed byte. Run on both block-cipher providers (OpenSSL and noble).
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleAead, nobleBlockCipher, nobleMac } from '../../src/crypto/noble-provider.js';
import type { BlockCipherProvider } from '../../src/crypto/providers.js';
import { BatchGcm, BatchOpenError } from '../../src/crypto/batch-gcm.js';
import { nodeAead, nodeBlockCipher, nodeMac } from '../../src/runtime/node.js';

const item = fc.record({
  nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  plaintext: fc.uint8Array({ maxLength: 120 }),
  aad: fc.uint8Array({ maxLength: 90 }),
});

const nodeGcm = (key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array => {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
};

const providers: [string, BlockCipherProvider][] = [
  ['node', nodeBlockCipher],
  ['noble', nobleBlockCipher],
];

describe.each(providers)('batched AES-256-GCM over the %s block cipher', (_, blockCipher) => {
  it('seals exactly as node:crypto and noble do, for batches of any shape', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.array(item, { maxLength: 12 }), (key, items) => {
        const sealed = new BatchGcm(blockCipher, key).sealMany(items);
        items.forEach((it, i) => {
          const expected = nodeGcm(key, it.nonce, it.plaintext, it.aad);
          expect(sealed[i]).toStrictEqual(expected);
          expect(gcm(key, it.nonce, it.aad).encrypt(it.plaintext)).toStrictEqual(expected);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('opens what the single-shot providers sealed, reusing cached AAD states', () => {
    const key = new Uint8Array(randomBytes(32));
    const aads = [new Uint8Array(randomBytes(41)), new Uint8Array(0), new Uint8Array(randomBytes(64))];
    const items = Array.from({ length: 300 }, (_, i) => {
      const nonce = new Uint8Array(randomBytes(12));
      const pt = new Uint8Array(randomBytes(i % 70));
      const aad = aads[i % 3]!;
      const provider = i % 2 ? nodeAead : nobleAead;
      return { pt, nonce, aad, sealed: provider.seal(key, nonce, pt, aad) };
    });
    const b = new BatchGcm(blockCipher, key);
    for (let round = 0; round < 2; round++) {
      expect(b.openMany(items)).toStrictEqual(items.map((x) => x.pt));
    }
  });

  it('refuses a flipped bit anywhere (ciphertext, tag, nonce, AAD) and names the item', () => {
    const key = new Uint8Array(randomBytes(32));
    const b = new BatchGcm(blockCipher, key);
    const base = Array.from({ length: 5 }, () => ({
      nonce: new Uint8Array(randomBytes(12)),
      plaintext: new Uint8Array(randomBytes(23)),
      aad: new Uint8Array(randomBytes(30)),
    }));
    const sealed = b.sealMany(base);
    const good = base.map((x, i) => ({ nonce: x.nonce, aad: x.aad, sealed: sealed[i]! }));
    const tamper = (which: 'sealed' | 'nonce' | 'aad', byte: number) => {
      const items = good.map((x) => ({ ...x }));
      const copy = items[3]![which].slice();
      copy[byte % copy.length] = (copy[byte % copy.length] as number) ^ 1;
      items[3]![which] = copy;
      return items;
    };
    for (const [which, byte] of [
      ['sealed', 0],
      ['sealed', 22],
      ['sealed', 38],
      ['nonce', 11],
      ['aad', 7],
    ] as const) {
      let err: unknown;
      try {
        b.openMany(tamper(which, byte));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BatchOpenError);
      expect((err as BatchOpenError).index).toBe(3);
      expect((err as BatchOpenError).code).toBe('DECRYPTION_FAILED');
    }
  });

  it('seals and opens records at any offsets, whatever the bytes around them and in the tag room', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(fc.tuple(item, fc.uint8Array({ maxLength: 7 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), {
          maxLength: 8,
        }),
        (key, parts) => {
          // Layout: gap | nonce | plaintext | junk where the tag goes, for each record.
          const starts: number[] = [];
          const ends: number[] = [];
          const chunks: Uint8Array[] = [];
          let o = 0;
          for (const [it, gap, junk] of parts) {
            chunks.push(gap, it.nonce, it.plaintext, junk);
            o += gap.length;
            starts.push(o);
            o += 12 + it.plaintext.length + 16;
            ends.push(o);
          }
          const buf = new Uint8Array(o);
          let w = 0;
          for (const c of chunks) {
            buf.set(c, w);
            w += c.length;
          }
          const original = buf.slice();
          const aads = parts.map(([it]) => it.aad);
          const b = new BatchGcm(blockCipher, key);
          b.sealInPlace({ buf, starts, ends, aads });
          parts.forEach(([it], i) => {
            const sealed = buf.slice(starts[i]! + 12, ends[i]!);
            expect(sealed).toStrictEqual(nodeGcm(key, it.nonce, it.plaintext, it.aad));
          });
          b.openInPlace({ buf, starts, ends, aads });
          parts.forEach(([it, gap], i) => {
            expect(buf.slice(starts[i]!, ends[i]! - 16)).toStrictEqual(original.slice(starts[i]!, ends[i]! - 16));
            expect(buf.slice(starts[i]! - gap.length, starts[i]!)).toStrictEqual(gap);
            expect(it.plaintext.length).toBe(ends[i]! - starts[i]! - 28);
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('handles batches larger than one raw AES call and long values', () => {
    const key = new Uint8Array(randomBytes(32));
    const items = Array.from({ length: 9000 }, (_, i) => ({
      nonce: new Uint8Array(randomBytes(12)),
      plaintext: new Uint8Array(i === 0 ? 40_000 : 100), // 70k+ counter blocks in total
      aad: new Uint8Array(3),
    }));
    const sealed = new BatchGcm(blockCipher, key).sealMany(items);
    for (const i of [0, 1, 4500, 8999]) {
      expect(sealed[i]).toStrictEqual(nodeGcm(key, items[i]!.nonce, items[i]!.plaintext, items[i]!.aad));
    }
  });

  it('a destroyed context refuses to work', () => {
    const b = new BatchGcm(blockCipher, new Uint8Array(32));
    b.destroy();
    expect(() => b.sealMany([])).toThrow(/destroyed/);
  });
});

describe('MAC providers', () => {
  it('node and noble HMAC-SHA3-256 give the same bytes as createHmac, for any key and message', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 5 }),
        (key, messages) => {
          const n = nodeMac.hmacSha3_256(key);
          const j = nobleMac.hmacSha3_256(key);
          for (const m of messages) {
            const expected = new Uint8Array(createHmac('sha3-256', key).update(m).digest());
            expect(n(m)).toStrictEqual(expected);
            expect(j(m)).toStrictEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
