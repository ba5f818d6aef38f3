/**
 * A minimal DER TLV walker. Signatures are checked over the exact bytes that were signed, so the
 * TBS portion is sliced from the input here rather than re-serialised from a parsed object.
 */

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte in the input. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset one past the last content byte. */
  readonly end: number;
}

/** Reads one TLV at `offset`; returns undefined on any malformed or non-minimal length. */
export const readTlv = (der: Uint8Array, offset: number): Tlv | undefined => {
  if (offset + 2 > der.length) return undefined;
  const tag = der[offset] as number;
  // High-tag-number form never occurs in the structures we slice.
  if ((tag & 0x1f) === 0x1f) return undefined;
  let p = offset + 1;
  const first = der[p++] as number;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > der.length) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[p++] as number);
    // DER: long form only when needed, and no leading zero byte.
    if (length < 0x80 || (n > 1 && der[p - n] === 0)) return undefined;
  }
  if (p + length > der.length) return undefined;
  return { tag, start: offset, contentStart: p, end: p + length };
};

/**
 * Splits a signed SEQUENCE { tbs, algorithm, signature } (certificate, CRL, CSR) into its raw
 * parts, requiring that the outer SEQUENCE spans the whole input.
 */
export const splitSigned = (
  der: Uint8Array,
): { tbs: Uint8Array; algorithm: Uint8Array; signature: Uint8Array } | undefined => {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30 || outer.end !== der.length) return undefined;
  const tbs = readTlv(der, outer.contentStart);
  if (tbs?.tag !== 0x30) return undefined;
  const alg = readTlv(der, tbs.end);
  if (alg?.tag !== 0x30) return undefined;
  const sig = readTlv(der, alg.end);
  if (sig?.tag !== 0x03 || sig.end !== outer.end) return undefined;
  return {
    tbs: der.subarray(tbs.start, tbs.end),
    algorithm: der.subarray(alg.start, alg.end),
    signature: der.subarray(sig.start, sig.end),
  };
};

export const toArrayBuffer = (b: Uint8Array): ArrayBuffer => {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
};
