/**
 * AKP public JWKs (RFC 9964) for the browser verifier: the checks of crypto/jwk.ts `parseAkpJwk`
 * (one message for all of them, to stay small), on the small base64url decoder.
 */
import { InvalidJwkError } from '../errors.js';
import { isRecord } from '../identity/jwks.js';
import { fromBase64Url } from './base64url.js';

/**
 * The JWK's `alg` and raw public key; with `expectedAlg`, `alg` must be exactly that. A `priv`, if
 * present, must still be well formed.
 */
export const readAkpJwk = (
  jwk: unknown,
  expectedAlg?: string,
): { readonly alg: string; readonly publicKey: Uint8Array } => {
  const { kty, alg, pub, priv, kid } = isRecord(jwk) ? jwk : {};
  const publicKey = fromBase64Url(pub);
  if (
    kty !== 'AKP' ||
    !alg ||
    typeof alg !== 'string' ||
    (expectedAlg !== undefined && alg !== expectedAlg) ||
    !publicKey ||
    (priv !== undefined && !fromBase64Url(priv)) ||
    (kid !== undefined && typeof kid !== 'string')
  ) {
    throw new InvalidJwkError('not a well-formed AKP JWK (for this alg)');
  }
  return { alg, publicKey };
};
