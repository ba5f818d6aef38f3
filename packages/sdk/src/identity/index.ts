export type * from './backend.js';
export * from './errors.js';
export type { FetchLike } from './fetch.js';
export { createJwksCache, type Jwk, type JwksCache, type JwksCacheOptions, type JwksLoader } from './jwks.js';
export type { JwtClaims, JwtVerifyResult } from './jwt.js';
export { createLocalIdentity, hasLocalIssuerKey, type LocalIdentityOptions } from './local.js';
export {
  type ClientCredentialsOptions,
  IdentityNamespace,
  type IdentityNamespaceOptions,
  type IntrospectOptions,
  type IssueTokenOptions,
  SUPPORTED_TOKEN_ALGORITHMS,
  type VerifyTokenOptions,
} from './namespace.js';
export type { AccessToken, IntrospectionResult } from './oauth.js';
