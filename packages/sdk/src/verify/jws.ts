/**
 * Compact JWS verification for RFC 9964 ML-DSA only: the browser counterpart of crypto/jws.ts
 * `compactVerifyAsync` + identity/jwt.ts `verifyJws`, with the same checks and the same error codes
 * (test/browser/verify-parity.test.ts holds the two to that), but none of the signing,
 * classical-suite or synchronous code.
 *
 * The caller's allow-list and the key decide, never the token: `alg` must be allowed and equal the
 * JWK's `alg`; `alg: none`, HMAC, `crit` and unencoded payloads are refused; no header member
 * (`jku`, `jwk`, `x5u`, `x5c`) ever makes us fetch or trust a key.
 */
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';
import type { JwsProtectedHeader } from '../crypto/jws.js';
import { AlgorithmNotAllowedError, KeyAlgorithmMismatchError } from '../crypto/sig/errors.js';
import { InvalidJwkError, UnsupportedAlgorithmError } from '../errors.js';
import { TokenInvalidError, TokenSignatureInvalidError } from '../identity/errors.js';
import { isRecord } from '../identity/jwks.js';
import { parseJsonObject } from '../identity/jwt.js';
import { fromBase64Url } from './base64url.js';
import { readAkpJwk } from './jwk.js';
import { publicKeyLength, verifyMlDsa } from './ml-dsa.js';

/** Returns the verification JWK for a header (a fixed JWK, a key set searched by kid, a remote JWKS). */
export type KeyResolver = (header: JwsProtectedHeader) => Promise<unknown>;

export interface VerifiedJws {
  readonly payload: Uint8Array;
  readonly protectedHeader: JwsProtectedHeader;
}

/** Most JOSE libraries use the same bound; anything bigger in a header is an attack, not a token. */
const MAX_HEADER_SEGMENT = 16_384;

// One code (TOKEN_INVALID) for every structural refusal; the message says which rule, tersely.
const invalid = (why: string) => new TokenInvalidError(`invalid token: ${why}`);

const parseHeader = (encoded: string): JwsProtectedHeader => {
  // Also refuses an empty or non-base64url segment: decoding undefined gives "", which is not JSON.
  const h = encoded.length <= MAX_HEADER_SEGMENT ? parseJsonObject(fromBase64Url(encoded)) : undefined;
  if (
    !h?.['alg'] ||
    typeof h['alg'] !== 'string' ||
    ['kid', 'typ'].some((m) => h[m] !== undefined && typeof h[m] !== 'string')
  ) {
    throw invalid('malformed header');
  }
  // No extension is understood, so any `crit` names something we would have to ignore (RFC 7515
  // §4.1.11); `b64: false` (RFC 7797) would change what the signature covers.
  if (h['crit'] !== undefined || (h['b64'] !== undefined && h['b64'] !== true)) {
    throw invalid('"crit" / "b64" unsupported');
  }
  return h as JwsProtectedHeader;
};

/** The ML-DSA public key bound to `alg` from a JWK, after the JWK's own use / key_ops / alg say it may verify. */
const importKey = (jwk: unknown, alg: MlDsaAlgorithm): Uint8Array => {
  if (!isRecord(jwk)) throw invalid('no JWK');
  const ops = jwk['key_ops'];
  const use = jwk['use'];
  if ((use !== undefined && use !== 'sig') || (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify')))) {
    throw new InvalidJwkError('JWK use / key_ops forbid verify');
  }
  // The key's algorithm, never the token's, is what counts: kty and alg must both be this alg's.
  const key = jwk['kty'] === 'AKP' ? readAkpJwk(jwk) : undefined;
  if (key?.alg !== alg) {
    throw new KeyAlgorithmMismatchError('alg does not match the JWK', { details: { alg } });
  }
  if (key.publicKey.length !== publicKeyLength(alg)) throw new InvalidJwkError(`JWK "pub" is not an ${alg} key`);
  return key.publicKey;
};

/**
 * Verify a compact JWS whose `alg` is in `allowed` (ML-DSA algorithms, checked by the caller) with
 * the key `resolve` picks. Returns the payload only when the signature verifies.
 */
export const verifyCompact = async (
  jws: unknown,
  resolve: KeyResolver,
  allowed: readonly MlDsaAlgorithm[],
): Promise<VerifiedJws> => {
  const [h = '', p, s, extra] = typeof jws === 'string' ? jws.split('.') : [];
  const header = parseHeader(h);
  const payload = fromBase64Url(p);
  const signature = fromBase64Url(s);
  if (extra !== undefined || !payload || !signature?.length) throw invalid('not a compact JWS');
  // `allowed` holds ML-DSA names only (the caller checked), so passing this check narrows the type.
  const alg = header.alg as MlDsaAlgorithm;
  if (/^none$/i.test(alg)) throw invalid('alg "none"');
  // HMAC needs a shared secret: with public keys it is the classic key-confusion hole.
  if (/^HS\d+$/i.test(alg)) throw new UnsupportedAlgorithmError('HMAC unsupported', { details: { alg } });
  if (!allowed.includes(alg)) throw new AlgorithmNotAllowedError('alg not allowed', { details: { alg } });
  const publicKey = importKey(await resolve(header), alg);
  // RFC 9964: pure ML-DSA over the ASCII signing input, with the empty context.
  if (!verifyMlDsa(alg, publicKey, new TextEncoder().encode(`${h}.${p}`), signature)) {
    throw new TokenSignatureInvalidError('bad token signature', { details: { alg } });
  }
  return { payload, protectedHeader: header };
};
