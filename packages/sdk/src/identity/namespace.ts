/**
 * `client.identity`: verify tokens from any OIDC issuer (ML-DSA-65 and classical), obtain and cache
 * client-credentials tokens, introspect tokens (fail closed), and issue tokens from the embedded
 * engine's local issuer. Options are validated here; the pieces below are zod-free.
 */
import { z } from 'zod';
import { InvalidOptionsError } from '../errors.js';
import { CLASSICAL_JWS_SUITES } from '../crypto/sig/jws-classical.js';
import { ML_DSA_JWS_SUITES } from '../crypto/sig/jws-ml-dsa.js';
import type { JwsSuite } from '../crypto/jws.js';
import type { IdentityBackend, IssuedToken, IssuerAlgorithm, JsonValue, Jwks } from './backend.js';
import { DiscoveryCache } from './discovery.js';
import { DiscoveryFailedError, JwksNoMatchingKeyError, JwksUnavailableError } from './errors.js';
import { checkUrl, type FetchLike, getJson, type HttpOptions } from './fetch.js';
import { createJwksCache, type Jwk, type JwksCache, type JwksCacheOptions, selectJwk } from './jwks.js';
import { type JwtVerifyResult, verifyJwt } from './jwt.js';
import { type AccessToken, ClientCredentialsCache, type IntrospectionResult, introspectToken } from './oauth.js';

/** Every algorithm identity can verify. Which ones a token may use is the per-issuer allow-list. */
export const SUPPORTED_TOKEN_ALGORITHMS = [
  'ML-DSA-44',
  'ML-DSA-65',
  'ML-DSA-87',
  'ES256',
  'EdDSA',
  'Ed25519',
  'RS256',
] as const;
const SUITES: readonly JwsSuite[] = [...ML_DSA_JWS_SUITES, ...CLASSICAL_JWS_SUITES];
/** Post-quantum unless the caller opts in to more. */
const DEFAULT_ALGORITHMS = ['ML-DSA-65'] as const;

export interface IdentityNamespaceOptions extends Omit<JwksCacheOptions, 'load'> {
  /** Defaults to global fetch. */
  readonly fetch?: FetchLike;
  /** Per-issuer allow-lists used when verifyToken is not given `algorithms`. */
  readonly issuers?: Readonly<Record<string, { readonly algorithms: readonly string[] }>>;
  /** Cache lifetime of discovery documents (default 1 h). */
  readonly discoveryMaxAgeMs?: number;
}

export interface VerifyTokenOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  /** Allow-list for this call; else the issuer's configured list; else ['ML-DSA-65']. */
  readonly algorithms?: readonly string[];
  /** Seconds of tolerated clock skew (default 0). */
  readonly clockTolerance?: number;
  readonly maxTokenAge?: number;
  /** Skip discovery and use this JWKS. */
  readonly jwksUri?: string;
  /** Verify against these keys instead of fetching (e.g. `await identity.jwks()`). */
  readonly jwks?: { readonly keys: readonly Jwk[] };
  readonly currentDate?: Date;
}

export interface ClientCredentialsOptions {
  readonly tokenEndpoint?: string;
  /** Discover the token endpoint from this issuer. */
  readonly issuer?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string | readonly string[];
  readonly audience?: string;
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Refresh this long before expiry (default 60 s, at most half the token's life). */
  readonly refreshSkewMs?: number;
}

export interface IntrospectOptions {
  readonly introspectionEndpoint?: string;
  readonly issuer?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenTypeHint?: string;
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface IssueTokenOptions {
  /** Seconds, or a duration such as `'15m'`, `'1h'`, `'30s'`, `'7d'`. */
  readonly expiresIn: number | string;
  readonly audience?: string | readonly string[];
  readonly algorithm?: IssuerAlgorithm;
}

const url = z.url({ protocol: /^https?$/ });
const nonEmpty = z.string().min(1);
const algList = z
  .array(z.enum(SUPPORTED_TOKEN_ALGORITHMS))
  .min(1)
  .refine((a) => new Set(a).size === a.length, 'duplicate algorithm');
const audience = z.union([nonEmpty, z.array(nonEmpty).min(1)]);

const verifySchema = z.object({
  issuer: nonEmpty,
  audience,
  algorithms: algList.optional(),
  clockTolerance: z.number().min(0).max(3600).optional(),
  maxTokenAge: z.number().positive().optional(),
  jwksUri: url.optional(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).optional(),
  currentDate: z.date().optional(),
});

const clientAuth = {
  clientId: nonEmpty,
  clientSecret: nonEmpty,
  authMethod: z.enum(['client_secret_basic', 'client_secret_post']).optional(),
};
const endpointOrIssuer = (field: string) => (o: Record<string, unknown>) =>
  (o[field] === undefined) !== (o['issuer'] === undefined);

const ccSchema = z
  .object({
    tokenEndpoint: url.optional(),
    issuer: nonEmpty.optional(),
    ...clientAuth,
    scope: z.union([z.string(), z.array(nonEmpty)]).optional(),
    audience: nonEmpty.optional(),
    refreshSkewMs: z.number().int().min(0).optional(),
  })
  .refine(endpointOrIssuer('tokenEndpoint'), 'give exactly one of tokenEndpoint or issuer');

const introspectSchema = z
  .object({
    introspectionEndpoint: url.optional(),
    issuer: nonEmpty.optional(),
    ...clientAuth,
    tokenTypeHint: nonEmpty.optional(),
  })
  .refine(endpointOrIssuer('introspectionEndpoint'), 'give exactly one of introspectionEndpoint or issuer');

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
const issueSchema = z.object({
  claims: z.record(z.string(), jsonValue),
  expiresIn: z.union([z.number().int().positive(), z.string().regex(/^\d+[smhd]$/)]),
  audience: audience.optional(),
  algorithm: z.enum(['ML-DSA-65', 'ES256']).optional(),
});

const parse = <T>(schema: z.ZodType<T>, input: unknown, what: string): T => {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  // Paths and rules only: the input may hold a client secret.
  const issues = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  throw new InvalidOptionsError(`invalid ${what}: ${issues}`);
};

const UNIT = { s: 1, m: 60, h: 3600, d: 86400 } as const;
export const durationSeconds = (d: number | string): number =>
  typeof d === 'number' ? d : Number(d.slice(0, -1)) * UNIT[d.slice(-1) as keyof typeof UNIT];

export class IdentityNamespace {
  readonly #backend: IdentityBackend | undefined;
  readonly #options: IdentityNamespaceOptions;
  readonly #http: HttpOptions;
  readonly #discovery: DiscoveryCache;
  readonly #jwks = new Map<string, JwksCache>();
  readonly #tokens: ClientCredentialsCache;

  constructor(backend?: IdentityBackend, options: IdentityNamespaceOptions = {}) {
    this.#backend = backend;
    this.#options = options;
    this.#http = {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
    this.#discovery = new DiscoveryCache(this.#http, options.discoveryMaxAgeMs, options.now);
    this.#tokens = new ClientCredentialsCache(this.#http, options.now);
    for (const [iss, cfg] of Object.entries(options.issuers ?? {}))
      parse(algList, cfg.algorithms, `issuers["${iss}"].algorithms`);
  }

  /**
   * Verify a JWT from `issuer`: signature with a key from the issuer's JWKS (discovered, cached,
   * refetched on an unknown kid), algorithm in the allow-list, exp/nbf/iat/iss/aud. Every refusal
   * is a typed error with its own code.
   */
  async verifyToken(jwt: string, options: VerifyTokenOptions): Promise<JwtVerifyResult> {
    const o = parse(verifySchema, options, 'verifyToken options');
    const algorithms = o.algorithms ?? this.#options.issuers?.[o.issuer]?.algorithms ?? DEFAULT_ALGORITHMS;
    let resolver: (h: { alg: string; kid?: string }) => Promise<Jwk>;
    if (o.jwks) {
      const keys = o.jwks.keys;
      resolver = async (h) => {
        const k = selectJwk(keys, h);
        if (!k)
          throw new JwksNoMatchingKeyError('no key in the given JWKS matches the token', { details: { alg: h.alg } });
        return k;
      };
    } else {
      const cache = await this.#jwksFor(o.issuer, o.jwksUri);
      resolver = (h) => cache.getKey(h);
    }
    return verifyJwt(jwt, resolver, {
      algorithms,
      suites: SUITES,
      issuer: o.issuer,
      audience: o.audience,
      ...(o.clockTolerance !== undefined ? { clockTolerance: o.clockTolerance } : {}),
      ...(o.maxTokenAge !== undefined ? { maxTokenAge: o.maxTokenAge } : {}),
      ...(o.currentDate !== undefined ? { currentDate: o.currentDate } : {}),
    });
  }

  /** A client-credentials access token, cached until shortly before expiry; one request in flight. */
  async clientCredentials(options: ClientCredentialsOptions): Promise<AccessToken> {
    const o = parse(ccSchema, options, 'clientCredentials options');
    const tokenEndpoint = o.tokenEndpoint ?? (await this.#endpoint(o.issuer as string, 'token_endpoint'));
    const scope = Array.isArray(o.scope) ? o.scope.join(' ') : (o.scope as string | undefined);
    return this.#tokens.get(
      {
        tokenEndpoint,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        ...(scope ? { scope } : {}),
        ...(o.audience ? { audience: o.audience } : {}),
        ...(o.authMethod ? { authMethod: o.authMethod } : {}),
      },
      o.refreshSkewMs,
    );
  }

  /** RFC 7662 introspection. Any failure, including discovery, is `{ active: false }`. */
  async introspect(token: string, options: IntrospectOptions): Promise<IntrospectionResult> {
    const o = parse(introspectSchema, options, 'introspect options');
    if (typeof token !== 'string' || token.length === 0) return { active: false, failure: 'INVALID_INPUT' };
    let endpoint = o.introspectionEndpoint;
    if (endpoint === undefined) {
      try {
        endpoint = await this.#endpoint(o.issuer as string, 'introspection_endpoint');
      } catch {
        return { active: false, failure: 'DISCOVERY_FAILED' };
      }
    }
    return introspectToken(
      token,
      {
        introspectionEndpoint: endpoint,
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        ...(o.tokenTypeHint ? { tokenTypeHint: o.tokenTypeHint } : {}),
        ...(o.authMethod ? { authMethod: o.authMethod } : {}),
      },
      this.#http,
    );
  }

  /** Sign a token with the local issuer (embedded engine only). */
  async issueToken(claims: Readonly<Record<string, JsonValue>>, options: IssueTokenOptions): Promise<IssuedToken> {
    const o = parse(issueSchema, { claims, ...options }, 'issueToken options');
    return this.#issuer().issueToken({
      claims: o.claims,
      expiresInSeconds: durationSeconds(o.expiresIn),
      ...(o.audience !== undefined ? { audience: o.audience } : {}),
      ...(o.algorithm !== undefined ? { algorithm: o.algorithm } : {}),
    });
  }

  /** The local issuer's public keys (serve them at your `jwks_uri`). */
  async jwks(): Promise<Jwks> {
    return this.#issuer().jwks();
  }

  /** The local issuer's `iss` (what verifiers pass as `issuer`). */
  async issuer(): Promise<string> {
    return this.#issuer().issuer();
  }

  #issuer(): IdentityBackend {
    if (!this.#backend) throw new InvalidOptionsError('this client has no local issuer (identity backend)');
    return this.#backend;
  }

  async #endpoint(issuer: string, field: 'token_endpoint' | 'introspection_endpoint'): Promise<string> {
    const doc = await this.#discovery.get(issuer);
    const v = doc[field];
    if (typeof v !== 'string')
      throw new DiscoveryFailedError(`discovery document has no "${field}"`, { details: { issuer } });
    return v;
  }

  async #jwksFor(issuer: string, jwksUri: string | undefined): Promise<JwksCache> {
    const uri = jwksUri ?? (await this.#discovery.get(issuer)).jwks_uri;
    let cache = this.#jwks.get(uri);
    if (!cache) {
      const http = this.#http;
      cache = createJwksCache(uri, {
        ...this.#options,
        load: async (u) => {
          checkUrl(u, 'jwks_uri');
          const res = await getJson(u, { retries: 1, ...http });
          if (!res.ok)
            throw new JwksUnavailableError(`JWKS endpoint answered ${res.status}`, { details: { status: res.status } });
          return res.body;
        },
      });
      this.#jwks.set(uri, cache);
    }
    return cache;
  }
}
