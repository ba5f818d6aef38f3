/** OIDC discovery (`/.well-known/openid-configuration`), cached per issuer. */
import { QuantumApiError } from '../errors.js';
import { DiscoveryFailedError } from './errors.js';
import { checkUrl, getJson, type HttpOptions } from './fetch.js';

export interface OidcMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly token_endpoint?: string;
  readonly introspection_endpoint?: string;
  readonly id_token_signing_alg_values_supported?: readonly string[];
  readonly [member: string]: unknown;
}

export const discoveryUrl = (issuer: string): string =>
  `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`;

const optionalUrl = (v: unknown, what: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new DiscoveryFailedError(`discovery "${what}" is not a string`);
  checkUrl(v, what);
  return v;
};

export const fetchDiscovery = async (issuer: string, http: HttpOptions): Promise<OidcMetadata> => {
  const url = discoveryUrl(issuer);
  try {
    checkUrl(url, 'issuer');
    const res = await getJson(url, { retries: 2, ...http });
    if (!res.ok)
      throw new DiscoveryFailedError(`discovery answered ${res.status}`, { details: { status: res.status } });
    const b = res.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw new DiscoveryFailedError('discovery document is not a JSON object');
    const doc = b as Record<string, unknown>;
    // OIDC Discovery §4.3: the document must name exactly the issuer it was fetched for.
    if (doc['issuer'] !== issuer) throw new DiscoveryFailedError('discovery "issuer" does not match the issuer');
    const jwksUri = optionalUrl(doc['jwks_uri'], 'jwks_uri');
    if (jwksUri === undefined) throw new DiscoveryFailedError('discovery document has no "jwks_uri"');
    optionalUrl(doc['token_endpoint'], 'token_endpoint');
    optionalUrl(doc['introspection_endpoint'], 'introspection_endpoint');
    return doc as OidcMetadata;
  } catch (e) {
    if (e instanceof QuantumApiError && e.code === 'DISCOVERY_FAILED') throw e;
    throw new DiscoveryFailedError('OIDC discovery failed', { cause: e, details: { issuer } });
  }
};

/** Caches successful discovery per issuer for `maxAgeMs`; serves the old document if a refresh fails. */
export class DiscoveryCache {
  readonly #entries = new Map<string, { doc: OidcMetadata; at: number }>();
  readonly #inflight = new Map<string, Promise<OidcMetadata>>();
  constructor(
    private readonly http: HttpOptions,
    private readonly maxAgeMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(issuer: string): Promise<OidcMetadata> {
    const hit = this.#entries.get(issuer);
    if (hit && this.now() - hit.at < this.maxAgeMs) return Promise.resolve(hit.doc);
    let p = this.#inflight.get(issuer);
    if (!p) {
      p = fetchDiscovery(issuer, this.http)
        .then((doc) => {
          this.#entries.set(issuer, { doc, at: this.now() });
          return doc;
        })
        .catch((e: unknown) => {
          if (hit) return hit.doc;
          throw e;
        })
        .finally(() => this.#inflight.delete(issuer));
      this.#inflight.set(issuer, p);
    }
    return p;
  }
}
