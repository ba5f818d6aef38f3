/**
 * Typed plaintext encoding: one type-tag byte, then the value. The tag is inside the AEAD, so the
 * type is authenticated and decryption returns exactly the JavaScript type that was encrypted.
 */
import { fromUtf8, utf8 } from '../crypto/bytes.js';
import { InvalidCiphertextError, InvalidInputError } from '../errors.js';
import { FieldTypeMismatchError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The value types a field can hold. JSON is explicit ({ json }) so a string never turns into JSON. */
export const FIELD_VALUE_TYPES = ['string', 'number', 'bigint', 'boolean', 'date', 'json', 'bytes'] as const;
export type FieldValueType = (typeof FIELD_VALUE_TYPES)[number];

export type FieldValue = string | number | bigint | boolean | Date | Uint8Array | { readonly json: JsonValue };

export interface FieldValueOf {
  string: string;
  number: number;
  bigint: bigint;
  boolean: boolean;
  date: Date;
  json: JsonValue;
  bytes: Uint8Array;
}

const TAG = {
  string: 0x01,
  number: 0x02,
  bigint: 0x03,
  boolean: 0x04,
  date: 0x05,
  json: 0x06,
  bytes: 0x07,
} as const satisfies Record<FieldValueType, number>;

const TYPE_BY_TAG: ReadonlyMap<number, FieldValueType> = new Map(
  Object.entries(TAG).map(([k, v]) => [v, k as FieldValueType]),
);

export const valueTypeOf = (value: FieldValue): FieldValueType => {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value instanceof Date) return 'date';
      if (value instanceof Uint8Array) return 'bytes';
      if (value !== null && 'json' in value) return 'json';
      break;
  }
  throw new InvalidInputError('unsupported field value type');
};

const f64 = (n: number): Uint8Array => {
  const out = new Uint8Array(9);
  new DataView(out.buffer).setFloat64(1, n, false);
  return out;
};

const withTag = (tag: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(body.length + 1);
  out[0] = tag;
  out.set(body, 1);
  return out;
};

const te = new TextEncoder();
/** Tag byte + UTF-8 in one allocation (strings are the common case on the hot path). */
const taggedUtf8 = (s: string): Uint8Array => {
  // ASCII (most emails, phone numbers, ids): bytes are the char codes, no encoder call.
  const n = s.length;
  let ascii = n <= 256;
  for (let i = 0; ascii && i < n; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) {
    const out = new Uint8Array(1 + n);
    out[0] = TAG.string;
    for (let i = 0; i < n; i++) out[i + 1] = s.charCodeAt(i);
    return out;
  }
  const out = new Uint8Array(1 + n * 3);
  out[0] = TAG.string;
  const { written } = te.encodeInto(s, out.subarray(1));
  return out.subarray(0, 1 + written);
};

// One plain array per length (up to 256) for String.fromCharCode.apply: V8 spreads a plain array
// onto the stack directly, but copies a typed array into a fresh list first (and the subarray view
// it needs is another allocation), which made up half the cost of a short string's decode.
const CHARS: number[][] = [];
const chars = (n: number): number[] => {
  let a = CHARS[n];
  if (!a) {
    a = [];
    for (let i = 0; i < n; i++) a.push(0);
    CHARS[n] = a;
  }
  return a;
};

/** Strict UTF-8 of `b[start, end)`, with the ASCII case (no decoder call) first. */
const utf8Text = (b: Uint8Array, start: number, end: number): string => {
  const n = end - start;
  if (n <= 256) {
    const a = chars(n);
    let high = 0;
    for (let i = 0; i < n; i++) {
      const c = b[start + i] as number;
      high |= c;
      a[i] = c;
    }
    const text = high <= 0x7f ? String.fromCharCode.apply(null, a) : undefined;
    // The scratch held plaintext: cleared before anything else runs.
    for (let i = 0; i < n; i++) a[i] = 0;
    if (text !== undefined) return text;
  }
  return fromUtf8(b.subarray(start, end));
};

export const encodeValue = (value: FieldValue): Uint8Array => {
  const type = valueTypeOf(value);
  switch (type) {
    case 'string':
      return taggedUtf8(value as string);
    case 'number': {
      const out = f64(value as number);
      out[0] = TAG.number;
      return out;
    }
    case 'bigint':
      return withTag(TAG.bigint, utf8((value as bigint).toString(10)));
    case 'boolean':
      return Uint8Array.of(TAG.boolean, value ? 1 : 0);
    case 'date': {
      const t = (value as Date).getTime();
      if (Number.isNaN(t)) throw new InvalidInputError('cannot encrypt an invalid Date');
      const out = f64(t);
      out[0] = TAG.date;
      return out;
    }
    case 'json': {
      let text: string | undefined;
      try {
        text = JSON.stringify((value as { json: JsonValue }).json);
      } catch (cause) {
        throw new InvalidInputError('JSON field value is not serializable', { cause });
      }
      if (text === undefined) throw new InvalidInputError('JSON field value is not serializable');
      return withTag(TAG.json, utf8(text));
    }
    case 'bytes':
      return withTag(TAG.bytes, value as Uint8Array);
  }
};

// ---------- batch path: the common values written straight into a record buffer ----------
// encryptMany / decryptMany handle tens of thousands of fields per call; a fresh array per value
// (encode) or a result object and DataView per value (decode) is most of their garbage.

const F64 = new DataView(new ArrayBuffer(8));

/**
 * The encoded size of an ASCII string (up to 256 characters), a number or a valid Date, which
 * `encodeSimpleInto` writes without allocating; -1 for anything else (use encodeValue).
 */
export const simpleEncodedSize = (value: FieldValue): number => {
  if (typeof value === 'string') {
    const n = value.length;
    if (n > 256) return -1;
    for (let i = 0; i < n; i++) if (value.charCodeAt(i) > 0x7f) return -1;
    return 1 + n;
  }
  if (typeof value === 'number') return 9;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? -1 : 9;
  return -1;
};

/** Writes a value `simpleEncodedSize` accepted at `out[off]`; same bytes as encodeValue. */
export const encodeSimpleInto = (value: FieldValue, out: Uint8Array, off: number): void => {
  if (typeof value === 'string') {
    out[off] = TAG.string;
    for (let i = 0; i < value.length; i++) out[off + 1 + i] = value.charCodeAt(i);
    return;
  }
  out[off] = typeof value === 'number' ? TAG.number : TAG.date;
  F64.setFloat64(0, typeof value === 'number' ? value : (value as Date).getTime(), false);
  for (let i = 0; i < 8; i++) out[off + 1 + i] = F64.getUint8(i);
  F64.setFloat64(0, 0);
};

/** The big-endian float64 at `b[off, off + 8)`. */
const f64At = (b: Uint8Array, off: number): number => {
  for (let i = 0; i < 8; i++) F64.setUint8(i, b[off + i] as number);
  const v = F64.getFloat64(0, false);
  F64.setFloat64(0, 0);
  return v;
};

const malformed = (type: string): InvalidCiphertextError =>
  new InvalidCiphertextError('field plaintext has an invalid value encoding', { details: { type } });

const readF64 = (b: Uint8Array, type: string): number => {
  if (b.length !== 9) throw malformed(type);
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getFloat64(1, false);
};

/** Decodes an authenticated plaintext. Malformed bodies are impossible without the key, but still fail closed. */
export const decodeValue = (b: Uint8Array): { type: FieldValueType; value: FieldValueOf[FieldValueType] } => {
  const type = TYPE_BY_TAG.get(b[0] ?? -1);
  if (type === undefined) throw new InvalidCiphertextError('field plaintext has an unknown type tag');
  const body = b.subarray(1);
  switch (type) {
    case 'string':
      return { type, value: utf8Text(b, 1, b.length) };
    case 'number':
      return { type, value: readF64(b, type) };
    case 'bigint': {
      const s = fromUtf8(body);
      if (!/^-?(0|[1-9][0-9]*)$/.test(s)) throw malformed(type);
      return { type, value: BigInt(s) };
    }
    case 'boolean':
      if (body.length !== 1 || (body[0] !== 0 && body[0] !== 1)) throw malformed(type);
      return { type, value: body[0] === 1 };
    case 'date':
      return { type, value: new Date(readF64(b, type)) };
    case 'json':
      try {
        return { type, value: JSON.parse(fromUtf8(body)) as JsonValue };
      } catch {
        // The JSON.parse message quotes the input: keep it out of the error (no cause).
        throw new InvalidCiphertextError('field plaintext has an invalid value encoding', { details: { type } });
      }
    case 'bytes':
      return { type, value: body.slice() };
  }
};

export const decodeValueAs = <T extends FieldValueType>(b: Uint8Array, expected: T, column: string): FieldValueOf[T] =>
  decodeValueAt(b, 0, b.length, expected, column);

/**
 * decodeValueAs of the plaintext `b[start, end)`: bulk reads decode each field where it lies in
 * the batch's record buffer, without a view object per field.
 */
export const decodeValueAt = <T extends FieldValueType>(
  b: Uint8Array,
  start: number,
  end: number,
  expected: T,
  column: string,
): FieldValueOf[T] => {
  // Strings and dates without the intermediate result object (the read path of every row).
  const tag = start < end ? b[start] : undefined;
  if (expected === 'string' && tag === TAG.string) return utf8Text(b, start + 1, end) as FieldValueOf[T];
  if (expected === 'date' && tag === TAG.date && end - start === 9) {
    return new Date(f64At(b, start + 1)) as FieldValueOf[T];
  }
  const { type, value } = decodeValue(b.subarray(start, end));
  if (type !== expected) {
    throw new FieldTypeMismatchError(`column ${column} holds a ${type}, declared as ${expected}`, {
      details: { column, expected, actual: type },
    });
  }
  return value as FieldValueOf[T];
};
