/**
 * Field ciphertext format: exact round trips for every value type, compactness, and failure
 * modes (tampering, moved ciphertexts) that must always be typed errors.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FieldEngine } from '../../src/fields/engine.js';
import {
  fieldBodyLength,
  fieldHeader,
  parseField,
  serializeField,
  serializeFieldBody,
} from '../../src/fields/format.js';
import type { FieldValue, FieldValueType, JsonValue } from '../../src/fields/value-codec.js';
import { QuantumApiError } from '../../src/errors.js';
import { errorOf, makeEngine } from './helpers.js';

const loc = { table: 'User', column: 'email' };
let engine: FieldEngine;

beforeAll(async () => {
  ({ engine } = await makeEngine());
});

const jsonArb: fc.Arbitrary<JsonValue> = fc.jsonValue({ noUnicodeString: false }).map(
  // JSON has no -0: the JSON type round-trips JSON values, which is what JSON.parse can return.
  (v) => JSON.parse(JSON.stringify(v)) as JsonValue,
);

const cases: { type: FieldValueType; arb: fc.Arbitrary<FieldValue>; unwrap?: (v: FieldValue) => unknown }[] = [
  { type: 'string', arb: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { type: 'number', arb: fc.double() },
  { type: 'bigint', arb: fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }) },
  { type: 'boolean', arb: fc.boolean() },
  { type: 'date', arb: fc.date({ noInvalidDate: true }) },
  { type: 'bytes', arb: fc.uint8Array({ maxLength: 100 }) },
  { type: 'json', arb: jsonArb.map((json) => ({ json })), unwrap: (v) => (v as { json: JsonValue }).json },
];

describe('round trip', () => {
  for (const c of cases) {
    it(`decrypts a ${c.type} to exactly the value encrypted`, async () => {
      await fc.assert(
        fc.asyncProperty(c.arb, async (v) => {
          const ct = await engine.encrypt(v, loc);
          const back = await engine.decrypt(ct, c.type, loc);
          expect(back).toStrictEqual(c.unwrap ? c.unwrap(v) : v);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('keeps -0, NaN and infinities as numbers', async () => {
    for (const n of [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE]) {
      expect(Object.is(await engine.decrypt(await engine.encrypt(n, loc), 'number', loc), n)).toBe(true);
    }
  });

  it('refuses to decrypt as another type than was encrypted (typed decryption)', async () => {
    const ct = await engine.encrypt(42, loc);
    const e = await errorOf(() => engine.decrypt(ct, 'string', loc));
    expect(e.code).toBe('FIELD_CONFIG');
    expect(e.name).toBe('FieldTypeMismatchError');
    expect(e.message).toContain('email');
    expect((await engine.decryptAny(ct, loc)).value).toBe(42);
  });

  it('a string "true" stays a string and a JSON string stays JSON', async () => {
    expect(await engine.decrypt(await engine.encrypt('true', loc), 'string', loc)).toBe('true');
    expect(await engine.decrypt(await engine.encrypt({ json: 'x' }, loc), 'json', loc)).toBe('x');
  });

  it('rejects values it cannot encode exactly', async () => {
    expect((await errorOf(() => engine.encrypt(new Date(Number.NaN), loc))).code).toBe('INVALID_INPUT');
    expect((await errorOf(() => engine.encrypt(null as unknown as string, loc))).code).toBe('INVALID_INPUT');
    expect((await errorOf(() => engine.encrypt({ json: undefined } as unknown as FieldValue, loc))).code).toBe(
      'INVALID_INPUT',
    );
  });
});

describe('shape', () => {
  it('a 30-character email encrypts to well under 150 ASCII characters', async () => {
    const email = 'jane.doe.1987@examplemail.com';
    expect(email.length).toBeLessThanOrEqual(30);
    const ct = await engine.encrypt(`${email}x`.slice(0, 30), loc);
    expect(ct.length).toBe(108); // docs/formats-fields.md: 29 + ceil(4 (29 + 30) / 3)
    expect(ct).toMatch(/^qf1\.A256GCM\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  });

  it('never repeats a ciphertext for the same value (random nonce)', async () => {
    const a = await engine.encrypt('same', loc);
    const b = await engine.encrypt('same', loc);
    expect(a).not.toBe(b);
    expect(parseField(a).dataKeyId).toBe(parseField(b).dataKeyId);
  });
});

describe('tampering and moved ciphertexts', () => {
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.Q';

  it('changing any single character gives a typed error, never a value', async () => {
    const ct = await engine.encrypt('alice@example.com', loc);
    await fc.assert(
      fc.asyncProperty(fc.nat(ct.length - 1), fc.constantFrom(...ALPHABET), async (pos, ch) => {
        fc.pre(ct[pos] !== ch);
        const tampered = ct.slice(0, pos) + ch + ct.slice(pos + 1);
        const e = await errorOf(() => engine.decrypt(tampered, 'string', loc));
        expect(e).toBeInstanceOf(QuantumApiError);
        expect(['INVALID_CIPHERTEXT', 'DECRYPTION_FAILED', 'UNSUPPORTED_ALGORITHM', 'KEY_NOT_FOUND']).toContain(e.code);
        expect(JSON.stringify(e)).not.toContain('alice');
      }),
      { numRuns: 300 },
    );
  });

  it('truncation and extension are typed errors', async () => {
    const ct = await engine.encrypt('alice@example.com', loc);
    for (let n = 0; n < ct.length; n += 7) {
      expect((await errorOf(() => engine.decrypt(ct.slice(0, n), 'string', loc))) as unknown).toBeInstanceOf(
        QuantumApiError,
      );
    }
    expect((await errorOf(() => engine.decrypt(`${ct}A`, 'string', loc))) as unknown).toBeInstanceOf(QuantumApiError);
    expect((await errorOf(() => engine.decrypt(`${ct}.x`, 'string', loc))).code).toBe('INVALID_CIPHERTEXT');
  });

  it('a ciphertext moved to another table, column or row fails with DecryptionFailedError', async () => {
    const names = fc.string({ minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(names, names, fc.option(names, { nil: undefined }), async (table, column, rowKey) => {
        const from = { table: 'User', column: 'email', rowKey: 'row-1' };
        const to = { table, column, ...(rowKey === undefined ? {} : { rowKey }) };
        fc.pre(table !== from.table || column !== from.column || rowKey !== from.rowKey);
        const ct = await engine.encrypt('bob@example.com', from);
        const e = await errorOf(() => engine.decrypt(ct, 'string', to));
        expect(e.code).toBe('DECRYPTION_FAILED');
        expect(e.name).toBe('DecryptionFailedError');
      }),
      { numRuns: 100 },
    );
  });

  it('binds the row key only when supplied: with and without are not interchangeable', async () => {
    const ct = await engine.encrypt('x', { ...loc, rowKey: '' });
    expect((await errorOf(() => engine.decrypt(ct, 'string', loc))).code).toBe('DECRYPTION_FAILED');
    expect(await engine.decrypt(ct, 'string', { ...loc, rowKey: '' })).toBe('x');
  });

  it('errors about malformed values never quote them (a plaintext may sit in the column)', async () => {
    for (const planted of ['a.b.c.d', 'jane.doe@mail.example.com', 'qf1.jane.doe@x.y', 'x']) {
      const e = await errorOf(() => engine.decrypt(planted, 'string', loc));
      expect(e.code).toMatch(/INVALID_CIPHERTEXT|UNSUPPORTED_ALGORITHM/);
      expect(JSON.stringify({ ...e, message: e.message })).not.toMatch(/jane|doe|a\.b/);
    }
  });

  it('rejects unknown versions and suites without trying weaker crypto', async () => {
    const ct = await engine.encrypt('x', loc);
    expect((await errorOf(() => engine.decrypt(ct.replace('qf1.', 'qf2.'), 'string', loc))).code).toBe(
      'INVALID_CIPHERTEXT',
    );
    expect((await errorOf(() => engine.decrypt(ct.replace('A256GCM', 'A128GCM'), 'string', loc))).code).toBe(
      'UNSUPPORTED_ALGORITHM',
    );
  });

  it('writes only well-formed data-key ids (they are copied into the ciphertext byte by byte)', async () => {
    const nonce = new Uint8Array(12);
    const sealed = new Uint8Array(17);
    const good = 'AAAAAAAAAAAAAAAA';
    expect(parseField(serializeField(good, nonce, sealed)).dataKeyId).toBe(good);
    for (const bad of ['', 'short', 'AAAAAAAAAAAAAAA\u00e9', 'AAAAAAAAAAAAAAA\u0141', 'AAAAAAAA.AAAAAAA']) {
      expect((await errorOf(() => serializeField(bad, nonce, sealed))).code).toBe('INVALID_INPUT');
      expect((await errorOf(() => serializeFieldBody(bad, sealed, 0, sealed.length))).code).toBe('INVALID_INPUT');
    }
  });
});

describe('batch header check', () => {
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const dkid = fc.string({ unit: fc.constantFrom(...B64URL), minLength: 16, maxLength: 16 });
  const edit = fc.oneof(
    fc.constant((s: string) => s),
    fc.tuple(fc.nat(), fc.constantFrom(...`${B64URL}.é=Q`)).map(
      ([pos, ch]) =>
        (s: string) =>
          s.slice(0, pos % s.length) + ch + s.slice((pos % s.length) + 1),
    ),
    fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1))),
    fc.string({ maxLength: 3 }).map((tail) => (s: string) => s + tail),
  );

  it('agrees with fieldHeader for any string and any id (the strict parser stays the reference)', () => {
    fc.assert(
      fc.property(
        dkid,
        fc.oneof(dkid, fc.constant('abc.defghijklmno'), fc.string({ maxLength: 20 })),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 60 }),
        edit,
        (id, other, nonce, sealed, change) => {
          const s = change(serializeField(id, nonce, sealed));
          for (const asked of [id, other]) {
            const h = fieldHeader(s);
            expect(fieldBodyLength(s, asked)).toBe(h !== undefined && h.dataKeyId === asked ? h.bodyLength : -1);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses an id that is not one, even where the text starts with it', () => {
    const odd = 'abc.defghijklmno';
    expect(fieldBodyLength(`qf1.A256GCM.${odd}.${'A'.repeat(40)}`, odd)).toBe(-1);
  });
});
