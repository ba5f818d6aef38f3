/**
 * The identity section over http: the tenant's issuer on the server. Tokens are signed there (the
 * issuer's private key never leaves it); `jwks()` is what `verifyToken` checks them with, and the
 * issuer URL also serves OIDC discovery, so relying parties can verify without an API key.
 */
import type { IdentityBackend, IssuedToken, IssuerJwk, Jwks } from '../identity/backend.js';
import { defined } from './codec.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';
import { issuedTokenSchema, issuerSchema, jwksSchema } from './wire.js';

export class HttpIdentityBackend implements IdentityBackend {
  readonly #t: Transport;
  /** The issuer of a tenant does not change while a server runs: asked once per backend. */
  #issuer: Promise<string> | undefined;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  issuer = (): Promise<string> => {
    this.#issuer ??= this.#t.call('identityIssuer', ROUTES.identityIssuer, issuerSchema).then(
      (r) => r.issuer,
      (e: unknown) => {
        this.#issuer = undefined;
        throw e;
      },
    );
    return this.#issuer;
  };

  issueToken: IdentityBackend['issueToken'] = async (input): Promise<IssuedToken> =>
    this.#t.call('issueToken', ROUTES.issueToken, issuedTokenSchema, {
      body: defined({
        claims: input.claims,
        expiresInSeconds: input.expiresInSeconds,
        audience: input.audience,
        algorithm: input.algorithm,
      }),
    });

  jwks = async (): Promise<Jwks> => {
    const r = await this.#t.call('identityJwks', ROUTES.identityJwks, jwksSchema);
    return { keys: r.keys as IssuerJwk[] };
  };
}
