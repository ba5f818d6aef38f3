/**
 * The few DER reads the signature core needs (ECPrivateKey inside a composite private key).
 * Strict DER only: definite, minimally encoded lengths and nothing left over, so one key has
 * exactly one accepted encoding. Full ASN.1 stays in the X.509 layer.
 */
import { InvalidKeyError } from '../../errors.js';

export interface Tlv {
  readonly tag: number;
  /** Content octets (a view, not a copy). */
  readonly value: Uint8Array;
  /** Offset just past this element in the input. */
  readonly end: number;
}

export const readTlv = (input: Uint8Array, offset: number, what: string): Tlv => {
  const fail = (): never => {
    throw new InvalidKeyError(`malformed DER in ${what}`);
  };
  if (offset + 2 > input.length) fail();
  const tag = input[offset] as number;
  // Multi-byte tags never occur in the structures read here.
  if ((tag & 0x1f) === 0x1f) fail();
  let len = input[offset + 1] as number;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || pos + n > input.length) fail();
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (input[pos + i] as number);
    if ((input[pos] as number) === 0 || len < 0x80) fail();
    pos += n;
  }
  if (pos + len > input.length) fail();
  return { tag, value: input.subarray(pos, pos + len), end: pos + len };
};

export const encodeLength = (len: number): Uint8Array => {
  if (len < 0x80) return Uint8Array.of(len);
  if (len < 0x100) return Uint8Array.of(0x81, len);
  if (len < 0x10000) return Uint8Array.of(0x82, len >> 8, len & 0xff);
  throw new InvalidKeyError('DER element too long');
};
