/** Byte helpers shared by the crypto core. Pure: no Node Buffer, works in browsers. */
import { InvalidInputError } from '../errors.js';

const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });

export const utf8 = (s: string): Uint8Array => te.encode(s);

/** Strict UTF-8 decode: invalid sequences throw instead of turning into U+FFFD. */
export const fromUtf8 = (b: Uint8Array): string => {
  try {
    return td.decode(b);
  } catch (cause) {
    throw new InvalidInputError('bytes are not valid UTF-8', { cause });
  }
};

export const concat = (...parts: Uint8Array[]): Uint8Array => {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
};

export const i2osp = (value: number, length: number): Uint8Array => {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  if (v !== 0) throw new InvalidInputError(`integer does not fit in ${length} bytes`);
  return out;
};

/** Length-prefixed concatenation (u32 big-endian lengths): unambiguous framing for AAD and KDF info. */
export const lengthPrefixed = (...parts: Uint8Array[]): Uint8Array =>
  concat(...parts.flatMap((p) => [i2osp(p.length, 4), p]));

// ---------- hex ----------
// Byte -> two hex chars, one lookup per byte (blind indexes hex-encode once per written row).
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const toHex = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_PAIRS[b[i] as number];
  return s;
};
export const fromHex = (s: string): Uint8Array => {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new InvalidInputError('invalid hex string');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
};

// ---------- base64 / base64url (strict, canonical) ----------
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const rev = (alphabet: string): Int16Array => {
  const r = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) r[alphabet.charCodeAt(i)] = i;
  return r;
};
const REV_B64 = rev(B64);
const REV_B64URL = rev(B64URL);

const encode = (b: Uint8Array, alphabet: string, pad: boolean): string => {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rem = b.length - i;
  if (rem === 1) {
    const n = (b[i] as number) << 16;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rem === 2) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8);
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
};

/**
 * Strict decoder: rejects foreign characters, bad padding and non-canonical trailing bits, so that
 * each byte string has exactly one accepted encoding (a flipped character can never decode to the
 * same bytes).
 */
const decode = (s: string, table: Int16Array, padded: boolean, what: string): Uint8Array => {
  let body = s;
  if (padded) {
    if (s.length % 4 !== 0) throw new InvalidInputError(`invalid ${what}: length`);
    if (s.endsWith('==')) body = s.slice(0, -2);
    else if (s.endsWith('=')) body = s.slice(0, -1);
  }
  if (body.length % 4 === 1) throw new InvalidInputError(`invalid ${what}: length`);
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? (table[c] as number) : -1;
    if (v < 0) throw new InvalidInputError(`invalid ${what}: unexpected character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new InvalidInputError(`invalid ${what}: non-canonical`);
  return out;
};

export const toBase64 = (b: Uint8Array): string => encode(b, B64, true);
export const fromBase64 = (s: string): Uint8Array => decode(s, REV_B64, true, 'base64');
export const toBase64Url = (b: Uint8Array): string => encode(b, B64URL, false);
export const fromBase64Url = (s: string): Uint8Array => decode(s, REV_B64URL, false, 'base64url');
