/** The seam between the compact JWS codec (../jws.ts) and per-algorithm code, so each is tree-shakable. */

/** A verification key imported from a JWK by one suite; opaque outside it. */
export interface JwsPublicKey {
  readonly alg: string;
  readonly inner: unknown;
}

export interface JwsSuite {
  /** The JOSE `alg` value. */
  readonly alg: string;
  /**
   * Import a public JWK for this `alg`. Throws InvalidJwkError when it is malformed and
   * KeyAlgorithmMismatchError when its kty/crv/alg belong to another algorithm. Private members
   * are ignored: only the public part is read.
   */
  importJwk(jwk: Readonly<Record<string, unknown>>): JwsPublicKey;
  /** True only for a valid signature; a malformed signature is simply invalid. */
  verify(key: JwsPublicKey, signingInput: Uint8Array, signature: Uint8Array): boolean;
}

export interface JwsSigner {
  readonly alg: string;
  sign(signingInput: Uint8Array): Uint8Array;
}
