/**
 * `@quantumapi/sdk/verify`: verify ML-DSA JWS / JWTs and detached ML-DSA signatures in the browser
 * (or any fetch-based runtime). Verification only, ML-DSA only, no Node modules, no zod: the bundle
 * is ML-DSA verify + SHA-3 (~9.2 kB) plus ~3 kB of JOSE, claim checks, JWKS caching and typed errors, held under 12 kB
 * gzip by test/browser/check-size.ts. Tokens from classical issuers (ES256, EdDSA, RS256) are the
 * full SDK's `identity.verifyToken`.
 *
 * The JOSE layer here (./jws.ts) is a slim ML-DSA-only twin of crypto/jws.ts; the claim checks and
 * the JWKS cache are the identity namespace's own (identity/jwt.ts, identity/jwks.ts).
 */
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';
import { InvalidInputError, InvalidOptionsError } from '../errors.js';
import { JwksNoMatchingKeyError } from '../identity/errors.js';
import { createJwksCache, type Jwk, type JwksCache, type JwksCacheOptions, selectJwk } from '../identity/jwks.js';
import { type ClaimChecks, type JwtVerifyResult, verifyJwtWith } from '../identity/jwt.js';
import { readAkpJwk } from './jwk.js';
import { type KeyResolver, type VerifiedJws, verifyCompact } from './jws.js';
import { isMlDsa, verifyMlDsa } from './ml-dsa.js';

export type { MlDsaAlgorithm } from '../crypto/algorithms.js';
export type { JwsProtectedHeader } from '../crypto/jws.js';
export { isQuantumApiError, QuantumApiError } from '../errors.js';
export type { Jwk, JwksCache, JwksCacheOptions } from '../identity/jwks.js';
export type { JwtClaims, JwtVerifyResult } from '../identity/jwt.js';

/** Where the verification key comes from: one JWK, a JWKS object, a JWKS URL, or a cache from createRemoteJwks. */
export type KeySource =
  | { readonly jwk: Jwk }
  | { readonly jwks: { readonly keys: readonly Jwk[] } }
  | { readonly jwksUri: string; readonly cache?: JwksCacheOptions }
  | JwksCache;

export interface VerifyJwsOptions {
  /** Default `['ML-DSA-65']`. Any of ML-DSA-44 / -65 / -87. */
  readonly algorithms?: readonly MlDsaAlgorithm[];
}

export interface VerifyJwtOptions extends VerifyJwsOptions, ClaimChecks {}

export type VerifyJwsResult = VerifiedJws;

// One cache per JWKS URL for `{ jwksUri }` sources. No prototype: a "__proto__" or "toString" URL
// must miss here and be refused by createJwksCache's https check.
const remotes: Record<string, JwksCache> = Object.create(null);

/** A cached remote JWKS (refetch on unknown kid with cooldown, stale-if-error). Reuse it across calls. */
export const createRemoteJwks: (url: string, options?: JwksCacheOptions) => JwksCache = createJwksCache;

const resolverOf = (source: KeySource): KeyResolver => {
  if ('getKey' in source) return source.getKey;
  if ('jwksUri' in source) {
    // biome-ignore lint/suspicious/noAssignInExpressions: memoise per URL
    return (remotes[source.jwksUri] ??= createJwksCache(source.jwksUri, source.cache)).getKey;
  }
  return async (h) => {
    // A single given JWK is used whatever the kid; a set is searched by kid.
    const k = 'jwk' in source ? source.jwk : selectJwk(source.jwks.keys, h);
    if (!k) throw new JwksNoMatchingKeyError('no key for the token');
    return k;
  };
};

const ONLY_ML_DSA = 'ML-DSA algorithms only';

const allowList = (options: VerifyJwsOptions | undefined): readonly MlDsaAlgorithm[] => {
  const algorithms = options?.algorithms ?? ['ML-DSA-65'];
  if (!Array.isArray(algorithms) || !algorithms.length || !algorithms.every(isMlDsa)) {
    throw new InvalidOptionsError(ONLY_ML_DSA);
  }
  return algorithms;
};

/** Verify a compact JWS; returns the payload bytes only when the signature verifies. */
export const verifyJws = async (jws: string, key: KeySource, options?: VerifyJwsOptions): Promise<VerifyJwsResult> =>
  verifyCompact(jws, resolverOf(key), allowList(options));

/** Verify a JWT: ML-DSA signature, then exp / nbf / iat / iss / aud. */
export const verifyJwt = (jwt: string, key: KeySource, options: VerifyJwtOptions): Promise<JwtVerifyResult> =>
  verifyJwtWith(jwt, (jws) => verifyJws(jws, key, options), options);

export interface DetachedSignatureInput {
  /** Raw public key bytes, or an AKP JWK (whose `alg` must equal `algorithm`). */
  readonly publicKey: Uint8Array | Jwk;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  /** Default `ML-DSA-65`. */
  readonly algorithm?: MlDsaAlgorithm;
  /** FIPS 204 context string (at most 255 bytes); empty by default. */
  readonly context?: Uint8Array;
}

/** Verify a detached ML-DSA signature over bytes. False for any invalid signature; throws on a bad key or input. */
export const verifySignature = (input: DetachedSignatureInput): boolean => {
  const { algorithm: alg = 'ML-DSA-65', publicKey, data, signature, context = new Uint8Array(0) } = input;
  if (!isMlDsa(alg)) throw new InvalidOptionsError(ONLY_ML_DSA);
  const pk = publicKey instanceof Uint8Array ? publicKey : readAkpJwk(publicKey, alg).publicKey;
  if (![context, data, signature].every((b) => b instanceof Uint8Array) || context.length > 255) {
    throw new InvalidInputError('data, signature, context (<= 255 B) must be Uint8Array');
  }
  return verifyMlDsa(alg, pk, data, signature, context);
};
