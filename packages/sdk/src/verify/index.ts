/**
 * `@quantumapi/sdk/verify`: verify ML-DSA JWS / JWTs and detached ML-DSA signatures in the browser
 * (or any fetch-based runtime). Verification only, ML-DSA only, no Node modules, no zod: the bundle
 * is ML-DSA verify + SHA-3 plus a few kB of JOSE and claim checks. Tokens from classical issuers
 * (ES256, EdDSA, RS256) are the full SDK's `identity.verifyToken`.
 */
import { isMlDsaAlgorithm, type MlDsaAlgorithm } from '../crypto/algorithms.js';
import { parseAkpJwk } from '../crypto/jwk.js';
import type { JwsProtectedHeader } from '../crypto/jws.js';
import { ML_DSA_JWS_SUITES } from '../crypto/sig/jws-ml-dsa.js';
import { mlDsaVerify } from '../crypto/sig/ml-dsa.js';
import { InvalidOptionsError } from '../errors.js';
import { JwksNoMatchingKeyError } from '../identity/errors.js';
import { createJwksCache, type Jwk, type JwksCache, type JwksCacheOptions, selectJwk } from '../identity/jwks.js';
import {
  type ClaimChecks,
  type JwtVerifyResult,
  verifyJws as verifyJwsCore,
  verifyJwt as verifyJwtCore,
} from '../identity/jwt.js';

export { isQuantumApiError, QuantumApiError } from '../errors.js';
export type { JwsProtectedHeader } from '../crypto/jws.js';
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

export interface VerifyJwsResult {
  readonly payload: Uint8Array;
  readonly protectedHeader: JwsProtectedHeader;
}

const remotes = new Map<string, JwksCache>();

/** A cached remote JWKS (refetch on unknown kid with cooldown, stale-if-error). Reuse it across calls. */
export const createRemoteJwks: (url: string, options?: JwksCacheOptions) => JwksCache = createJwksCache;

const resolverOf = (source: KeySource): ((h: JwsProtectedHeader) => Promise<Jwk>) => {
  if ('getKey' in source) return source.getKey;
  if ('jwksUri' in source) {
    const cache = remotes.get(source.jwksUri) ?? createJwksCache(source.jwksUri, source.cache);
    remotes.set(source.jwksUri, cache);
    return cache.getKey;
  }
  return async (h) => {
    // A single given JWK is used whatever the kid; a set is searched by kid.
    const k = 'jwk' in source ? source.jwk : selectJwk(source.jwks.keys, h);
    if (!k) throw new JwksNoMatchingKeyError('no key matches the token');
    return k;
  };
};

const suitesOf = (o: VerifyJwsOptions | undefined) => {
  const algorithms = o?.algorithms ?? ['ML-DSA-65'];
  if (!Array.isArray(algorithms) || !algorithms.every(isMlDsaAlgorithm)) {
    throw new InvalidOptionsError('"algorithms" must list ML-DSA algorithms');
  }
  return { algorithms, suites: ML_DSA_JWS_SUITES };
};

/** Verify a compact JWS; returns the payload bytes only when the signature verifies. */
export const verifyJws = (jws: string, key: KeySource, options?: VerifyJwsOptions): Promise<VerifyJwsResult> =>
  verifyJwsCore(jws, resolverOf(key), suitesOf(options));

/** Verify a JWT: ML-DSA signature, then exp / nbf / iat / iss / aud. */
export const verifyJwt = (jwt: string, key: KeySource, options: VerifyJwtOptions): Promise<JwtVerifyResult> =>
  verifyJwtCore(jwt, resolverOf(key), { ...options, ...suitesOf(options) });

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
  const alg = input.algorithm ?? 'ML-DSA-65';
  if (!isMlDsaAlgorithm(alg)) throw new InvalidOptionsError('"algorithm" must be an ML-DSA algorithm');
  const pk = input.publicKey instanceof Uint8Array ? input.publicKey : parseAkpJwk(input.publicKey, alg).publicKey;
  return mlDsaVerify(alg, pk, input.data, input.signature, input.context ? { context: input.context } : {});
};
