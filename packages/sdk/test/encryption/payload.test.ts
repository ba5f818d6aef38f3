import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../src/crypto/bytes.js';
import { decodeEaasPayload, encodeEaasPayload, type EaasPayload } from '../../src/crypto/eaas-payload.js';
import { InvalidCiphertextError } from '../../src/errors.js';

const arbPayload = fc.record({
  ciphertext: fc.uint8Array({ maxLength: 64 }),
  encapsulatedKey: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 1088, maxLength: 1088 })),
  nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  tag: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  keyId: fc.uuid().map((u) => u.toLowerCase()),
  keyVersion: fc.integer({ min: 1, max: 2 ** 31 }),
  encoding: fc.constantFrom('utf8' as const, 'base64' as const),
});

const rewrap = (payload: string, edit: (json: Record<string, unknown>) => unknown): string =>
  toBase64(utf8(JSON.stringify(edit(JSON.parse(new TextDecoder().decode(fromBase64(payload)))))));

describe('EaaS payload format', () => {
  test('encodes members in the documented order c, ek, n, t, k, kv, e', () => {
    const p: EaasPayload = {
      ciphertext: utf8('hi'),
      encapsulatedKey: new Uint8Array(0),
      nonce: new Uint8Array(12),
      tag: new Uint8Array(16),
      keyId: '00000000-0000-4000-8000-000000000000',
      keyVersion: 1,
      encoding: 'utf8',
    };
    const json = new TextDecoder().decode(fromBase64(encodeEaasPayload(p)));
    expect(json).toBe(
      '{"c":"aGk=","ek":"","n":"AAAAAAAAAAAAAAAA","t":"AAAAAAAAAAAAAAAAAAAAAA==","k":"00000000-0000-4000-8000-000000000000","kv":1,"e":"utf8"}',
    );
  });

  test('round-trips every payload exactly', () => {
    fc.assert(
      fc.property(arbPayload, (p) => {
        const d = decodeEaasPayload(encodeEaasPayload(p));
        expect(d).toEqual({ ...p });
      }),
    );
  });

  test('accepts only the canonical text: any changed character is rejected or decodes to different values', () => {
    fc.assert(
      fc.property(arbPayload, fc.nat(), fc.integer({ min: 1, max: 63 }), (p, at, delta) => {
        const text = encodeEaasPayload(p);
        const i = at % text.length;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const idx = alphabet.indexOf(text[i] as string);
        const replaced = idx < 0 ? 'A' : (alphabet[(idx + delta) % 64] as string);
        const mutated = text.slice(0, i) + replaced + text.slice(i + 1);
        if (mutated === text) return;
        let decoded: EaasPayload | undefined;
        try {
          decoded = decodeEaasPayload(mutated);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidCiphertextError);
          return;
        }
        expect(decoded).not.toEqual(decodeEaasPayload(text));
      }),
      { numRuns: 2000 },
    );
  });

  test.each([
    ['empty', ''],
    ['not base64', '!!!!'],
    ['base64 of non-JSON', toBase64(utf8('hello'))],
    ['JSON array', toBase64(utf8('[]'))],
  ])('rejects %s with INVALID_CIPHERTEXT', (_name, text) => {
    expect(() => decodeEaasPayload(text)).toThrow(InvalidCiphertextError);
  });

  const sample = encodeEaasPayload({
    ciphertext: utf8('x'),
    encapsulatedKey: new Uint8Array(0),
    nonce: new Uint8Array(12),
    tag: new Uint8Array(16),
    keyId: 'abcdef00-0000-4000-8000-00000000beef',
    keyVersion: 3,
    encoding: 'base64',
  });

  test.each([
    ['an extra member', (j: Record<string, unknown>) => ({ ...j, x: 1 })],
    ['a missing member', ({ t: _t, ...rest }: Record<string, unknown>) => rest],
    ['reordered members', ({ c, ...rest }: Record<string, unknown>) => ({ ...rest, c })],
    ['a short nonce', (j: Record<string, unknown>) => ({ ...j, n: 'AAAA' })],
    ['a short tag', (j: Record<string, unknown>) => ({ ...j, t: 'AAAA' })],
    ['version 0', (j: Record<string, unknown>) => ({ ...j, kv: 0 })],
    ['a fractional version', (j: Record<string, unknown>) => ({ ...j, kv: 1.5 })],
    ['a version as string', (j: Record<string, unknown>) => ({ ...j, kv: '3' })],
    ['an unknown encoding', (j: Record<string, unknown>) => ({ ...j, e: 'hex' })],
    ['an uppercase key id', (j: Record<string, unknown>) => ({ ...j, k: String(j['k']).toUpperCase() })],
    ['a key id that is no UUID', (j: Record<string, unknown>) => ({ ...j, k: 'default' })],
    ['base64url in a member', (j: Record<string, unknown>) => ({ ...j, c: 'eA' })],
  ])('rejects a payload with %s', (_name, edit) => {
    expect(() => decodeEaasPayload(rewrap(sample, edit))).toThrow(InvalidCiphertextError);
  });

  test('rejects whitespace and duplicate members (non-canonical JSON)', () => {
    const json = new TextDecoder().decode(fromBase64(sample));
    expect(() => decodeEaasPayload(toBase64(utf8(json.replace(',', ', '))))).toThrow(InvalidCiphertextError);
    expect(() => decodeEaasPayload(toBase64(utf8(json.replace('{', '{"kv":3,'))))).toThrow(InvalidCiphertextError);
  });
});
