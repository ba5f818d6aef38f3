/**
 * Token and OIDC errors. The codes already exist in ERROR_CODES; the classes live here because only
 * identity (and the browser verifier built from it) raises them. Messages name claims and URLs,
 * never token contents or client secrets.
 */
import { QuantumApiError, type QuantumApiErrorOptions } from '../errors.js';

type Ctor<C> = new (message: string, options?: QuantumApiErrorOptions) => QuantumApiError & { readonly code: C };

const make = <C extends ConstructorParameters<typeof QuantumApiError>[0]>(code: C, name: string): Ctor<C> => {
  const Cls = class extends QuantumApiError {
    constructor(message: string, options?: QuantumApiErrorOptions) {
      super(code, message, options);
    }
  };
  Object.defineProperty(Cls, 'name', { value: name });
  return Cls as unknown as Ctor<C>;
};

/** Malformed token: not a compact JWS, bad JSON, forbidden header (`alg: none`, `crit`). */
export const TokenInvalidError = /* @__PURE__ */ make('TOKEN_INVALID', 'TokenInvalidError');
export const TokenSignatureInvalidError = /* @__PURE__ */ make('TOKEN_SIGNATURE_INVALID', 'TokenSignatureInvalidError');
export const TokenExpiredError = /* @__PURE__ */ make('TOKEN_EXPIRED', 'TokenExpiredError');
export const TokenNotYetValidError = /* @__PURE__ */ make('TOKEN_NOT_YET_VALID', 'TokenNotYetValidError');
export const TokenIssuerInvalidError = /* @__PURE__ */ make('TOKEN_ISSUER_INVALID', 'TokenIssuerInvalidError');
export const TokenAudienceInvalidError = /* @__PURE__ */ make('TOKEN_AUDIENCE_INVALID', 'TokenAudienceInvalidError');
/** A registered claim has the wrong type, or `iat` lies in the future. */
export const TokenClaimInvalidError = /* @__PURE__ */ make('TOKEN_CLAIM_INVALID', 'TokenClaimInvalidError');
/** The JWKS could not be fetched and no usable cached copy exists. */
export const JwksUnavailableError = /* @__PURE__ */ make('JWKS_UNAVAILABLE', 'JwksUnavailableError');
/** The JWKS (even after a refetch) has no key for the token's `kid` / `alg`. */
export const JwksNoMatchingKeyError = /* @__PURE__ */ make('JWKS_NO_MATCHING_KEY', 'JwksNoMatchingKeyError');
export const DiscoveryFailedError = /* @__PURE__ */ make('DISCOVERY_FAILED', 'DiscoveryFailedError');
export const TokenRequestFailedError = /* @__PURE__ */ make('TOKEN_REQUEST_FAILED', 'TokenRequestFailedError');

// Instance types under the same names, so `catch (e: TokenExpiredError)`-style annotations work.
export type TokenInvalidError = InstanceType<typeof TokenInvalidError>;
export type TokenSignatureInvalidError = InstanceType<typeof TokenSignatureInvalidError>;
export type TokenExpiredError = InstanceType<typeof TokenExpiredError>;
export type TokenNotYetValidError = InstanceType<typeof TokenNotYetValidError>;
export type TokenIssuerInvalidError = InstanceType<typeof TokenIssuerInvalidError>;
export type TokenAudienceInvalidError = InstanceType<typeof TokenAudienceInvalidError>;
export type TokenClaimInvalidError = InstanceType<typeof TokenClaimInvalidError>;
export type JwksUnavailableError = InstanceType<typeof JwksUnavailableError>;
export type JwksNoMatchingKeyError = InstanceType<typeof JwksNoMatchingKeyError>;
export type DiscoveryFailedError = InstanceType<typeof DiscoveryFailedError>;
export type TokenRequestFailedError = InstanceType<typeof TokenRequestFailedError>;
