/**
 * Strict base64url (RFC 4648 §5, unpadded) on the platform's atob/btoa rather than lookup tables,
 * which is most of what keeps it small. Canonical only, like crypto/bytes.ts: a foreign character,
 * padding, an impossible length or non-zero trailing bits is refused, so each byte string has
 * exactly one accepted encoding and a flipped character can never decode to the same bytes.
 */

/** The bytes, or undefined when `s` is not a canonical base64url string. */
export const fromBase64Url = (s: unknown): Uint8Array | undefined => {
  // `\w` is [A-Za-z0-9_]: with `-` that is exactly the alphabet, so no padding and no whitespace.
  if (typeof s !== 'string' || !/^[\w-]*$/.test(s)) return undefined;
  const std = s.replace(/-/g, '+').replace(/_/g, '/');
  let bin: string;
  try {
    bin = atob(std);
  } catch {
    return undefined;
  }
  // atob forgives non-zero trailing bits; re-encoding to the same text is what proves canonical form.
  return btoa(bin).replace(/=+$/, '') === std ? Uint8Array.from(bin, (c) => c.charCodeAt(0)) : undefined;
};
