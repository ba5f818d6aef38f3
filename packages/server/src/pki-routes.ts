/**
 * Public PKI distribution: each tenant's CA chain and CRL for relying parties that hold no API key
 * (mTLS peers checking a chain, CRL checkers), beside the OIDC issuer in the URL scheme:
 *
 *   {base}/pki/{tenant}/ca.pem    the CA chain, PEM (application/pem-certificate-chain, RFC 8555 §9.1)
 *   {base}/pki/{tenant}/ca.cer    the issuing CA certificate alone, DER (application/pkix-cert,
 *                                 RFC 2585): what an AIA caIssuers URI must serve (RFC 5280 §4.2.2.1)
 *   {base}/pki/{tenant}/crl       the current CRL, DER (application/pkix-crl, RFC 5280 / RFC 2585)
 *   {base}/pki/{tenant}/crl.pem   the same CRL, PEM (RFC 7468)
 *
 * The bytes are exactly what the authenticated `GET /cas/default` and `/cas/default/crl` return
 * (`ca.cer`: the first certificate of that chain, decoded).
 * An anonymous request never creates anything: without the tenant's CA already in the store it is
 * a 404 and no engine is opened (opening one would create the tenant's data key, and the CA
 * methods create the CA on first use). For a CA that exists, serving the CRL may re-sign it when a
 * new one is due, exactly as the authenticated route does: that is the CA's job, not new state.
 *
 * Rate limited per client address before any store read (the anonymous gate shared with the OIDC
 * reads), and served from a short per-tenant cache that unknown tenants never enter. The CRL entry
 * is dropped at once when this process revokes a certificate or obtains a newer CRL; other
 * processes' revocations show up within the TTL. The local CA has no rotation, so the chain entry
 * only ever expires; a rotation must report through TenantBackends like revocations do.
 *
 * Each success carries a strong ETag (a hash of its bytes, computed once per cache entry) and
 * answers a matching If-None-Match with 304 (conditional.ts); 404s and errors never carry one.
 */
import { fromPem } from '@quantumapi/sdk';
import { type Context, Hono } from 'hono';
import { type AnonymousGate, anonymousGate } from './anonymous.js';
import type { ClientAddress } from './client-address.js';
import { TENANT_RE } from './api-keys.js';
import type { AppEnv } from './app.js';
import { conditionalGet, strongEtag } from './conditional.js';
import { errorBody, toErrorResponse } from './http-errors.js';
import type { Logger } from './log.js';
import { TenantCache } from './tenant-cache.js';
import type { RateLimiter } from './rate-limit.js';
import type { TenantBackends } from './tenants.js';

const publicPkiUrl = (publicUrl: string, basePath: string, tenant: string, file: string): string =>
  `${publicUrl.replace(/\/+$/, '')}${basePath}/pki/${tenant}/${file}`;

/** Where a tenant's CRL is served publicly: the CRL distribution point of its certificates. */
export const publicCrlUrl = (publicUrl: string, basePath: string, tenant: string): string =>
  publicPkiUrl(publicUrl, basePath, tenant, 'crl');

/** Where a tenant's issuing CA certificate is served publicly: the AIA caIssuers URI of its certificates. */
export const publicCaIssuersUrl = (publicUrl: string, basePath: string, tenant: string): string =>
  publicPkiUrl(publicUrl, basePath, tenant, 'ca.cer');

export interface PkiOptions {
  /** How long a tenant's CA chain and CRL are served from memory. Default 30 s. */
  readonly cacheTtlSeconds?: number;
  /** Most tenants held in each of the two caches. Default 1000. */
  readonly cacheMaxTenants?: number;
  /** Milliseconds since the epoch: cache ages and max-age (tests). Default `Date.now`. */
  readonly now?: () => number;
}

export interface PkiDeps {
  readonly tenants: TenantBackends;
  /** Per client address, before anything else (the same limiter as the OIDC anonymous reads). */
  readonly anonymousLimiter: RateLimiter;
  /** Who the client is, for that limit (the TCP peer unless it is a trusted proxy). */
  readonly clientAddress?: ClientAddress;
  readonly logger: Logger;
  readonly options: PkiOptions;
}

const DEFAULT_CACHE_TTL = 30;
const DEFAULT_CACHE_TENANTS = 1000;

interface CachedChain {
  readonly pem: string;
  readonly etag: string;
  /** The issuing CA certificate (the chain's first), DER: a representation of its own, with its own tag. */
  readonly issuerDer: Uint8Array;
  readonly issuerEtag: string;
}

interface CachedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  /** One per representation: a client holding the DER must not revalidate the PEM with it. */
  readonly derEtag: string;
  readonly pemEtag: string;
  readonly crlNumber: number;
  readonly nextUpdate: number;
}

const noStore404 = (c: Context<AppEnv>, message: string) => {
  // Not cacheable: the tenant may get its CA a moment later.
  c.header('cache-control', 'no-store');
  return c.json(errorBody('NOT_FOUND', message, c.get('requestId')), 404);
};

const arrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export const createPkiRoutes = (deps: PkiDeps): Hono<AppEnv> => {
  const pki = new Hono<AppEnv>();
  const now = deps.options.now ?? Date.now;
  const ttlMs = (deps.options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL) * 1000;
  const maxTenants = deps.options.cacheMaxTenants ?? DEFAULT_CACHE_TENANTS;
  const limit: AnonymousGate = anonymousGate(deps.anonymousLimiter, deps.logger, deps.clientAddress);

  const chains = new TenantCache<CachedChain>({
    load: async (tenant) => {
      if (!(await deps.tenants.hasCa(tenant))) return undefined;
      const ca = await deps.tenants.get(tenant).certificates.caCertificate();
      const pem = ca.chain.join('');
      const issuerDer = fromPem(ca.chain[0] ?? ca.certificate, 'CERTIFICATE');
      return { pem, etag: strongEtag(pem), issuerDer, issuerEtag: strongEtag(issuerDer) };
    },
    ttlMs,
    maxTenants,
    now,
  });
  const crls = new TenantCache<CachedCrl>({
    // The chain entry doubles as "the CA exists": a cached one saves the store read.
    load: async (tenant) => {
      if ((await chains.get(tenant)) === undefined) return undefined;
      const crl = await deps.tenants.get(tenant).certificates.crl();
      const der = fromPem(crl.crl, 'X509 CRL');
      return {
        der,
        pem: crl.crl,
        derEtag: strongEtag(der),
        pemEtag: strongEtag(crl.crl),
        crlNumber: crl.crlNumber,
        nextUpdate: Date.parse(crl.nextUpdate),
      };
    },
    ttlMs,
    maxTenants,
    expiresAt: (crl) => crl.nextUpdate,
    now,
  });
  deps.tenants.onCertificateRevoked((tenant) => crls.invalidate(tenant));
  deps.tenants.onCrl((tenant, crlNumber) => {
    const cached = crls.peek(tenant);
    if (cached && cached.crlNumber < crlNumber) crls.invalidate(tenant);
  });

  /** The tenant named in the path, when the name is one a tenant can have. */
  const tenantName = (c: Context<AppEnv>): string | undefined => {
    const tenant = c.req.param('tenant') ?? '';
    return TENANT_RE.test(tenant) ? tenant : undefined;
  };

  /** Limit, resolve, and answer 404 / store errors uncacheably; `send` writes the success. */
  const serve =
    <V>(cache: TenantCache<V>, send: (c: Context<AppEnv>, value: V) => Response) =>
    async (c: Context<AppEnv>) => {
      const limited = limit(c);
      if (limited) return limited;
      const tenant = tenantName(c);
      let value: V | undefined;
      try {
        value = tenant === undefined ? undefined : await cache.get(tenant);
      } catch (e) {
        c.header('cache-control', 'no-store');
        const { status, body } = toErrorResponse(e, c.get('requestId'));
        return c.json(body, status as 500);
      }
      if (value === undefined) return noStore404(c, 'no such certificate authority');
      return send(c, value);
    };

  pki.get(
    '/:tenant/ca.pem',
    serve(chains, (c, chain) =>
      conditionalGet(
        c,
        // No longer than this process would serve the same chain.
        { etag: chain.etag, cacheControl: `public, max-age=${chains.ttlSeconds}` },
        () => c.body(chain.pem, 200, { 'content-type': 'application/pem-certificate-chain' }),
      ),
    ),
  );

  pki.get(
    '/:tenant/ca.cer',
    serve(chains, (c, chain) =>
      conditionalGet(c, { etag: chain.issuerEtag, cacheControl: `public, max-age=${chains.ttlSeconds}` }, () =>
        c.body(arrayBuffer(chain.issuerDer), 200, { 'content-type': 'application/pkix-cert' }),
      ),
    ),
  );

  /** Never cached downstream past the CRL's nextUpdate, nor longer than this process would serve it. */
  const crlMaxAge = (crl: CachedCrl): number =>
    Math.max(0, Math.min(crls.ttlSeconds, Math.floor((crl.nextUpdate - now()) / 1000)));

  pki.get(
    '/:tenant/crl',
    serve(crls, (c, crl) =>
      conditionalGet(c, { etag: crl.derEtag, cacheControl: `public, max-age=${crlMaxAge(crl)}` }, () =>
        c.body(arrayBuffer(crl.der), 200, { 'content-type': 'application/pkix-crl' }),
      ),
    ),
  );

  pki.get(
    '/:tenant/crl.pem',
    serve(crls, (c, crl) =>
      conditionalGet(c, { etag: crl.pemEtag, cacheControl: `public, max-age=${crlMaxAge(crl)}` }, () =>
        c.body(crl.pem, 200, { 'content-type': 'application/x-pem-file' }),
      ),
    ),
  );

  return pki;
};

/** With public PKI switched off (QAPI_PUBLIC_PKI): the paths do not exist, and nothing is read. */
export const disabledPkiRoutes = (): Hono<AppEnv> => {
  const pki = new Hono<AppEnv>();
  pki.all('*', (c) => noStore404(c, 'no such route'));
  return pki;
};
