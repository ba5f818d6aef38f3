/**
 * The identity section of the backend contract (attached as `Backend.identity`): the issuer side
 * for the embedded engine. Verification of tokens is not a backend concern: it needs only the
 * issuer's public keys, which the namespace fetches (remote) or takes from `jwks()` (local).
 */
export type IssuerAlgorithm = 'ML-DSA-65' | 'ES256';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [k: string]: JsonValue };

export interface IssueTokenInput {
  /** Custom and registered claims except iss, iat, exp, nbf (set by the issuer). */
  readonly claims: Readonly<Record<string, JsonValue>>;
  readonly expiresInSeconds: number;
  readonly audience?: string | readonly string[];
  /** ML-DSA-65 by default; ES256 only where the issuer publishes a classical key. */
  readonly algorithm?: IssuerAlgorithm;
}

export interface IssuedToken {
  readonly token: string;
  readonly algorithm: IssuerAlgorithm;
  readonly kid: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

/** A public JWK as published in a JWKS: AKP (ML-DSA) or EC (ES256), never private members. */
export type IssuerJwk = Readonly<Record<string, unknown>> & {
  readonly kty: string;
  readonly alg: string;
  readonly kid: string;
  readonly use?: string;
};

export interface Jwks {
  readonly keys: readonly IssuerJwk[];
}

/** Methods only: the local engine wraps each section in a lazily-opening proxy. */
export interface IdentityBackend {
  /** The `iss` of every token this backend issues. */
  issuer(): Promise<string>;
  issueToken(input: IssueTokenInput): Promise<IssuedToken>;
  /** The public keys tokens are verified with. */
  jwks(): Promise<Jwks>;
}
