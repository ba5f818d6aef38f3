/**
 * Field ciphertext format (docs/formats-fields.md):
 *
 *   qf1.<suite>.<dkid>.<base64url(nonce || ciphertext || tag)>
 *
 * ASCII-safe, no padding, one canonical encoding per byte string. `suite` is `A256GCM`
 * (AES-256-GCM, 96-bit random nonce, 128-bit tag). The AAD binds the header and the location
 * (table, column, optional row key), so a ciphertext copied to another column or row fails to open.
 */
import { fromBase64Url, lengthPrefixed, toBase64Url, utf8 } from '../crypto/bytes.js';
import { InvalidCiphertextError, InvalidInputError, UnsupportedAlgorithmError } from '../errors.js';
import { asciiBuffer, asciiText } from './ascii-out.js';

export const FIELD_VERSION = 'qf1';
export const FIELD_SUITE_AES256GCM = 'A256GCM';
export const FIELD_NONCE_LENGTH = 12;
export const FIELD_TAG_LENGTH = 16;
/** 12 bytes of SHA3-256 as base64url: 16 characters. */
export const DATA_KEY_ID_LENGTH = 16;

const DKID_RE = /^[A-Za-z0-9_-]{16}$/;

export interface ParsedField {
  readonly version: typeof FIELD_VERSION;
  readonly suite: typeof FIELD_SUITE_AES256GCM;
  readonly dataKeyId: string;
  readonly nonce: Uint8Array;
  readonly sealed: Uint8Array;
}

/** Where a field lives. The row key is bound only when the application supplies one. */
export interface FieldLocation {
  readonly table: string;
  readonly column: string;
  readonly rowKey?: string;
}

const VERSION_DOT = `${FIELD_VERSION}.`;
/** Cheap syntactic test used by migration mode to tell legacy plaintext from ciphertext. */
export const looksLikeFieldCiphertext = (s: string): boolean => s.startsWith(VERSION_DOT);

export const isDataKeyId = (s: string): boolean => DKID_RE.test(s);

// ---------- base64url for the body: output identical to crypto/bytes.ts, tuned for short inputs ----------
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_BYTES = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));
// Every UTF-16 code unit has an entry (-1 unless in the alphabet): lookups never go out of range.
const REV = new Int8Array(65_536).fill(-1);
for (let i = 0; i < 64; i++) REV[B64URL.charCodeAt(i)] = i;

const b64urlLength = (n: number): number => ((n / 3) | 0) * 4 + (n % 3 === 0 ? 0 : (n % 3) + 1);

/** Writes base64url of `b[from, to)` at `out[o]`; returns the end offset. */
const b64urlInto = (b: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number => {
  const A = B64URL_BYTES;
  let i = from;
  for (; i + 2 < to; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    out[o] = A[n >> 18] as number;
    out[o + 1] = A[(n >> 12) & 63] as number;
    out[o + 2] = A[(n >> 6) & 63] as number;
    out[o + 3] = A[n & 63] as number;
    o += 4;
  }
  const rem = to - i;
  if (rem === 1) {
    out[o++] = A[(b[i] as number) >> 2] as number;
    out[o++] = A[((b[i] as number) & 3) << 4] as number;
  } else if (rem === 2) {
    const n = ((b[i] as number) << 8) | (b[i + 1] as number);
    out[o++] = A[n >> 10] as number;
    out[o++] = A[(n >> 4) & 63] as number;
    out[o++] = A[(n & 15) << 2] as number;
  }
  return o;
};

/** Bytes that the base64url text `s[start..]` decodes to; -1 when no length can be right. */
const decodedLength = (s: string, start: number): number => {
  const len = s.length - start;
  const rem = len & 3;
  return rem === 1 ? -1 : (len >> 2) * 3 + (rem === 0 ? 0 : rem - 1);
};

/**
 * Strict decode of `s[start..]` into `out` at `off` (room checked by the caller): foreign
 * characters and non-canonical tails throw.
 */
const unb64urlInto = (s: string, start: number, out: Uint8Array, off: number): void => {
  const rem = (s.length - start) & 3;
  if (rem === 1) throw new InvalidCiphertextError('field ciphertext body is not canonical base64url');
  // Any bad character makes `bad` negative; checked once at the end (this loop runs per field read).
  let bad = 0;
  let o = off;
  let i = start;
  for (const end = s.length - rem; i < end; i += 4) {
    const a = REV[s.charCodeAt(i)] as number;
    const b = REV[s.charCodeAt(i + 1)] as number;
    const c = REV[s.charCodeAt(i + 2)] as number;
    const d = REV[s.charCodeAt(i + 3)] as number;
    bad |= a | b | c | d;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rem === 2) {
    const a = REV[s.charCodeAt(i)] as number;
    const b = REV[s.charCodeAt(i + 1)] as number;
    bad |= a | b | (b & 15 ? -1 : 0); // the 4 unused bits must be zero
    out[o] = (a << 2) | (b >> 4);
  } else if (rem === 3) {
    const a = REV[s.charCodeAt(i)] as number;
    const b = REV[s.charCodeAt(i + 1)] as number;
    const c = REV[s.charCodeAt(i + 2)] as number;
    bad |= a | b | c | (c & 3 ? -1 : 0);
    out[o] = (a << 2) | (b >> 4);
    out[o + 1] = ((b & 15) << 4) | (c >> 2);
  }
  if (bad < 0) throw new InvalidCiphertextError('field ciphertext body is not canonical base64url');
};

const unb64url = (s: string, start: number): Uint8Array => {
  const n = decodedLength(s, start);
  if (n < 0) throw new InvalidCiphertextError('field ciphertext body is not canonical base64url');
  const out = new Uint8Array(n);
  unb64urlInto(s, start, out, 0);
  return out;
};

const PREFIX = `${FIELD_VERSION}.${FIELD_SUITE_AES256GCM}.`;
const PREFIX_BYTES = Uint8Array.from(PREFIX, (c) => c.charCodeAt(0));
const BODY_AT = PREFIX.length + DATA_KEY_ID_LENGTH + 1;
/** Smallest valid body: nonce, the type-tag byte, tag. */
const MIN_BODY = FIELD_NONCE_LENGTH + 1 + FIELD_TAG_LENGTH;

/**
 * `qf1.A256GCM.<dkid>.`, then base64url of `b[from, to)` and of `more` if given (the body is
 * nonce | sealed, and a 12-byte nonce encodes to whole characters): written as bytes, decoded once.
 */
let lastWrittenId = '';
const serialize = (dataKeyId: string, b: Uint8Array, from: number, to: number, more?: Uint8Array): string => {
  // The id is copied byte by byte: anything but its 16 base64url characters would be mangled.
  if (dataKeyId !== lastWrittenId) {
    if (!DKID_RE.test(dataKeyId)) throw new InvalidInputError('malformed data key id');
    lastWrittenId = dataKeyId;
  }
  const n =
    BODY_AT - DATA_KEY_ID_LENGTH + dataKeyId.length + b64urlLength(to - from) + (more ? b64urlLength(more.length) : 0);
  const out = asciiBuffer(n);
  out.set(PREFIX_BYTES, 0);
  let o = PREFIX_BYTES.length;
  for (let i = 0; i < dataKeyId.length; i++) out[o++] = dataKeyId.charCodeAt(i);
  out[o++] = 46; // .
  o = b64urlInto(b, from, to, out, o);
  if (more) o = b64urlInto(more, 0, more.length, out, o);
  return asciiText(out, o);
};

export const serializeField = (dataKeyId: string, nonce: Uint8Array, sealed: Uint8Array): string => {
  // A 12-byte nonce is exactly 16 base64 characters, so nonce and sealed encode separately
  // to the same string as their concatenation (no copy into one buffer).
  if (nonce.length % 3 === 0) return serialize(dataKeyId, nonce, 0, nonce.length, sealed);
  const body = new Uint8Array(nonce.length + sealed.length);
  body.set(nonce, 0);
  body.set(sealed, nonce.length);
  return `${PREFIX}${dataKeyId}.${toBase64Url(body)}`;
};

/** A decoded body split into nonce and sealed part; too short for a type tag byte is an error. */
const parsedBody = (dataKeyId: string, bytes: Uint8Array): ParsedField => {
  if (bytes.length < MIN_BODY) throw new InvalidCiphertextError('field ciphertext body is too short');
  return {
    version: FIELD_VERSION,
    suite: FIELD_SUITE_AES256GCM,
    dataKeyId,
    nonce: bytes.subarray(0, FIELD_NONCE_LENGTH),
    sealed: bytes.subarray(FIELD_NONCE_LENGTH),
  };
};

/** The common case (current version and suite, well-formed): fixed offsets, no split. */
const parseFast = (s: string): ParsedField | undefined => {
  if (!s.startsWith(PREFIX) || s.charCodeAt(BODY_AT - 1) !== 46 /* . */) return undefined;
  const dataKeyId = s.slice(PREFIX.length, BODY_AT - 1);
  if (!DKID_RE.test(dataKeyId)) return undefined;
  return parsedBody(dataKeyId, unb64url(s, BODY_AT));
};

/**
 * Batch form of parseField for the common case: the data-key id and the body's byte length of a
 * current-format ciphertext, or undefined when `s` needs the full parser (which also produces
 * the precise error). Nothing is allocated besides the id string.
 */
let lastCheckedId = '';
export const fieldHeader = (s: string): { readonly dataKeyId: string; readonly bodyLength: number } | undefined => {
  if (!s.startsWith(PREFIX) || s.charCodeAt(BODY_AT - 1) !== 46 /* . */) return undefined;
  const dataKeyId = s.slice(PREFIX.length, BODY_AT - 1);
  const bodyLength = decodedLength(s, BODY_AT);
  if (bodyLength < MIN_BODY) return undefined;
  // A batch names one data key over and over: check the id's syntax once.
  if (dataKeyId !== lastCheckedId) {
    if (!DKID_RE.test(dataKeyId)) return undefined;
    lastCheckedId = dataKeyId;
  }
  return { dataKeyId, bodyLength };
};

// `qf1.A256GCM.<dkid>.` for the id fieldBodyLength was last asked about (validated once).
let headId = '';
let head = '';

/**
 * The body's byte length when `s` is a current-format ciphertext under `dataKeyId`, as fieldHeader
 * would give it; -1 for anything else (call fieldHeader then). For the run of one data key that
 * a batch nearly always is: one prefix comparison, no id string or result object per field.
 */
export const fieldBodyLength = (s: string, dataKeyId: string): number => {
  if (dataKeyId !== headId) {
    if (!DKID_RE.test(dataKeyId)) return -1;
    headId = dataKeyId;
    head = `${PREFIX}${dataKeyId}.`;
  }
  if (!s.startsWith(head)) return -1;
  const n = decodedLength(s, BODY_AT);
  return n < MIN_BODY ? -1 : n;
};

/** Decodes the body of a ciphertext accepted by fieldHeader into `out` at `off` (strict). */
export const decodeFieldBodyInto = (s: string, out: Uint8Array, off: number): void =>
  unb64urlInto(s, BODY_AT, out, off);

/** serializeField for a body (nonce | ciphertext | tag) held in `buf[start, end)`. */
export const serializeFieldBody = (dataKeyId: string, buf: Uint8Array, start: number, end: number): string =>
  serialize(dataKeyId, buf, start, end);

export const parseField = (s: string): ParsedField => {
  if (typeof s !== 'string') throw new InvalidCiphertextError('field ciphertext must be a string');
  const fast = parseFast(s);
  if (fast) return fast;
  const parts = s.split('.');
  if (parts.length !== 4) throw new InvalidCiphertextError('field ciphertext must have 4 parts');
  const [version, suite, dataKeyId, body] = parts as [string, string, string, string];
  if (version !== FIELD_VERSION) {
    // No details: a plaintext planted in an encrypted column must not end up in an error.
    throw new InvalidCiphertextError('unknown field ciphertext version');
  }
  if (suite !== FIELD_SUITE_AES256GCM) {
    throw new UnsupportedAlgorithmError('unsupported field ciphertext suite');
  }
  if (!DKID_RE.test(dataKeyId)) throw new InvalidCiphertextError('malformed data key id in field ciphertext');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(body);
  } catch (cause) {
    throw new InvalidCiphertextError('field ciphertext body is not canonical base64url', { cause });
  }
  return parsedBody(dataKeyId, bytes);
};

const AAD_LABEL = utf8('quantumapi/field/v1');
const NO_ROW = Uint8Array.of(0);
const ROW = Uint8Array.of(1);

/** Length-prefixed so no two (table, column, row) triples share an AAD. */
export const fieldAad = (dataKeyId: string, loc: FieldLocation): Uint8Array =>
  lengthPrefixed(
    AAD_LABEL,
    utf8(`${FIELD_VERSION}.${FIELD_SUITE_AES256GCM}.${dataKeyId}`),
    utf8(loc.table),
    utf8(loc.column),
    loc.rowKey === undefined ? NO_ROW : ROW,
    utf8(loc.rowKey ?? ''),
  );
