/**
 * The batch path's direct encoder and the typed decoder's fast paths must give exactly the bytes
 * and values of the general codec, for every value they accept, and refuse the rest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldTypeMismatchError } from '../../src/fields/errors.js';
import {
  decodeValueAs,
  decodeValueAt,
  encodeSimpleInto,
  encodeValue,
  type FieldValue,
  simpleEncodedSize,
} from '../../src/fields/value-codec.js';

const value: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.date(),
  fc.date({ noInvalidDate: true }),
  fc.boolean(),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 20 }),
);

describe('batch-path value encoding', () => {
  it('writes the same bytes as encodeValue wherever it accepts a value, at any offset', () => {
    fc.assert(
      fc.property(value, fc.nat(16), (v, off) => {
        const size = simpleEncodedSize(v);
        if (size < 0) return;
        const expected = encodeValue(v);
        const out = new Uint8Array(off + size + 3).fill(0xee);
        encodeSimpleInto(v, out, off);
        expect(out.subarray(off, off + size)).toEqual(expected);
        // Nothing written outside the value's own bytes.
        expect([...out.subarray(0, off), ...out.subarray(off + size)].every((b) => b === 0xee)).toBe(true);
      }),
    );
  });

  it('accepts exactly ASCII strings up to 256 characters, numbers and valid dates', () => {
    expect(simpleEncodedSize('a'.repeat(256))).toBe(257);
    expect(simpleEncodedSize('a'.repeat(257))).toBe(-1);
    expect(simpleEncodedSize('café')).toBe(-1);
    expect(simpleEncodedSize(new Date(Number.NaN))).toBe(-1); // encodeValue's error, not bytes
    expect(simpleEncodedSize(true)).toBe(-1);
    expect(simpleEncodedSize(1n)).toBe(-1);
    expect(simpleEncodedSize(Number.NaN)).toBe(9);
  });
});

describe('typed decoding', () => {
  it('returns the encoded value for strings and dates, and refuses another declared type', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.date({ noInvalidDate: true })), (v) => {
        const type = typeof v === 'string' ? 'string' : 'date';
        expect(decodeValueAs(encodeValue(v), type, 'c')).toEqual(v);
        expect(() => decodeValueAs(encodeValue(v), type === 'string' ? 'date' : 'string', 'c')).toThrow(
          FieldTypeMismatchError,
        );
      }),
    );
  });

  it('fails closed on a date body of the wrong length', () => {
    const b = encodeValue(new Date(0));
    expect(() => decodeValueAs(b.subarray(0, 8), 'date', 'c')).toThrow(
      expect.objectContaining({ code: 'INVALID_CIPHERTEXT' }),
    );
  });
});

describe('decoding in place', () => {
  const outcome = (f: () => unknown): unknown => {
    try {
      return { value: f() };
    } catch (e) {
      const err = e as { constructor: unknown; code?: string; message: string };
      return { error: [err.constructor, err.code, err.message] };
    }
  };

  it('decodeValueAt on a slice of a larger buffer gives what decodeValueAs gives on a copy', () => {
    const declared = fc.constantFrom('string', 'number', 'bigint', 'boolean', 'date', 'json', 'bytes' as const);
    fc.assert(
      fc.property(
        fc.oneof(value, fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ minLength: 250, maxLength: 260 })),
        declared,
        fc.uint8Array({ maxLength: 9 }),
        fc.uint8Array({ maxLength: 9 }),
        fc.nat(3),
        (v, type, before, after, cut) => {
          const full = encodeValue(v);
          const enc = full.subarray(0, Math.max(0, full.length - (cut === 3 ? 1 : 0)));
          const buf = new Uint8Array(before.length + enc.length + after.length);
          buf.set(before, 0);
          buf.set(enc, before.length);
          buf.set(after, before.length + enc.length);
          const at = outcome(() => decodeValueAt(buf, before.length, before.length + enc.length, type, 'c'));
          expect(at).toEqual(outcome(() => decodeValueAs(enc.slice(), type, 'c')));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reuses its scratch without mixing values of the same length', () => {
    const ascii = encodeValue('abcdef');
    const other = encodeValue('ghé');
    const same = encodeValue('zzzzzz');
    expect(decodeValueAs(ascii, 'string', 'c')).toBe('abcdef');
    expect(decodeValueAs(other, 'string', 'c')).toBe('ghé');
    expect(decodeValueAs(same, 'string', 'c')).toBe('zzzzzz');
    expect(decodeValueAs(encodeValue(''), 'string', 'c')).toBe('');
  });
});
