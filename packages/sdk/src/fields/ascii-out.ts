/**
 * Short ASCII strings (field ciphertexts, hex blind indexes) written as bytes into one reused
 * buffer and decoded in one call. Built by concatenation instead, each value is a rope of dozens
 * of string objects, flattened again when the database driver reads it: in a bulk write that was
 * most of the garbage the collector had to chase. The buffer only ever holds ciphertext and index
 * text, never plaintext.
 */
const decoder = new TextDecoder();
// Larger outputs (a big JSON or bytes field) get a buffer of their own rather than growing this one.
const MAX_KEPT = 1 << 16;
let scratch = new Uint8Array(1024);

/** A buffer with room for `n` bytes; its contents are overwritten by the next caller. */
export const asciiBuffer = (n: number): Uint8Array => {
  if (n <= scratch.length) return scratch;
  if (n > MAX_KEPT) return new Uint8Array(n);
  scratch = new Uint8Array(Math.min(MAX_KEPT, Math.max(n, scratch.length * 2)));
  return scratch;
};

/** The first `n` bytes of `b` (ASCII) as a flat string. */
export const asciiText = (b: Uint8Array, n: number): string => decoder.decode(b.subarray(0, n));

const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Lowercase hex of the first `n` bytes of `b`. */
export const hexText = (b: Uint8Array, n: number): string => {
  const out = asciiBuffer(2 * n);
  for (let i = 0; i < n; i++) {
    const v = b[i] as number;
    out[2 * i] = HEX[v >> 4] as number;
    out[2 * i + 1] = HEX[v & 15] as number;
  }
  return asciiText(out, 2 * n);
};
