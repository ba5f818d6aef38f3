/**
 * One local engine per tenant over the shared store, opened on first use and kept. Each tenant's
 * token issuer is named by `urls.issuer` (its OIDC URL on this server), so tokens carry an `iss`
 * that relying parties can discover. Every token signed here is reported to `onTokenIssued`
 * listeners with its key id, whichever route issued it: that is how caches of the issuer's keys
 * learn at once that a key was created (or rotated) in this process. Likewise every revocation
 * (`onCertificateRevoked`) and every CRL this process obtains (`onCrl`), so that the public CRL
 * cache never serves a list older than one this process has already produced.
 */
import {
  type Backend,
  type CertificatesBackend,
  createLocalBackend,
  hasLocalCa,
  hasLocalIssuerKey,
  type IdentityBackend,
  type RecordStore,
} from '@quantumapi/sdk';
import type { CryptoProviders } from '@quantumapi/sdk/crypto';

/** Per tenant, where what it publishes lives; each one absent is simply not written anywhere. */
export interface TenantUrls {
  /** The `iss` of its tokens (its OIDC URL on this server). */
  readonly issuer?: (tenant: string) => string;
  /** Its CRL, served publicly: issued certificates carry it as their CRL distribution point. */
  readonly crl?: (tenant: string) => string;
  /** Its issuing CA certificate, served publicly as DER: issued certificates' AIA caIssuers URI. */
  readonly caIssuers?: (tenant: string) => string;
}

export class TenantBackends {
  readonly #backends = new Map<string, Backend>();
  readonly #store: RecordStore;
  readonly #masterKey: Uint8Array;
  readonly #providers: CryptoProviders;
  readonly #urls: TenantUrls;
  readonly #issued = new Set<(tenant: string, kid: string) => void>();
  readonly #revoked = new Set<(tenant: string) => void>();
  readonly #crls = new Set<(tenant: string, crlNumber: number) => void>();

  constructor(store: RecordStore, masterKey: Uint8Array, providers: CryptoProviders, urls: TenantUrls = {}) {
    this.#store = store;
    this.#masterKey = masterKey;
    this.#providers = providers;
    this.#urls = urls;
  }

  /** The `iss` of the tenant's tokens (the local engine's default URN without `urls.issuer`). */
  issuer(tenant: string): string {
    return this.#urls.issuer?.(tenant) ?? `urn:quantumapi:local:${tenant}`;
  }

  /**
   * Whether the tenant's issuer has a signing key, i.e. has issued a token. Read straight from the
   * store, so that unauthenticated OIDC requests for arbitrary tenant names create nothing.
   */
  hasIssuer(tenant: string): Promise<boolean> {
    return hasLocalIssuerKey(this.#store, tenant);
  }

  /**
   * Whether the tenant's CA exists, read straight from the store, so that unauthenticated requests
   * for the CA chain or CRL of arbitrary tenants create nothing (`caCertificate()` and `crl()`
   * create the CA on first use, and opening an engine creates the tenant's data key).
   */
  hasCa(tenant: string): Promise<boolean> {
    return hasLocalCa(this.#store, tenant);
  }

  /** Calls `listener(tenant)` after every revocation attempted here (done or not); returns the unsubscribe. */
  onCertificateRevoked(listener: (tenant: string) => void): () => void {
    this.#revoked.add(listener);
    return () => this.#revoked.delete(listener);
  }

  /** Calls `listener(tenant, crlNumber)` with every CRL this process signs or reads; returns the unsubscribe. */
  onCrl(listener: (tenant: string, crlNumber: number) => void): () => void {
    this.#crls.add(listener);
    return () => this.#crls.delete(listener);
  }

  /** Calls `listener(tenant, kid)` after every token this process signs; returns the unsubscribe. */
  onTokenIssued(listener: (tenant: string, kid: string) => void): () => void {
    this.#issued.add(listener);
    return () => this.#issued.delete(listener);
  }

  get(tenant: string): Backend {
    let b = this.#backends.get(tenant);
    if (!b) {
      b = this.#reportingIssuance(
        tenant,
        createLocalBackend({
          store: this.#store,
          masterKey: this.#masterKey,
          providers: this.#providers,
          tenant,
          ownsStore: false,
          identity: { issuer: this.issuer(tenant) },
          certificates: {
            ...(this.#urls.crl ? { crlDistributionPoint: this.#urls.crl(tenant) } : {}),
            ...(this.#urls.caIssuers ? { caIssuersUrl: this.#urls.caIssuers(tenant) } : {}),
          },
        }),
      );
      this.#backends.set(tenant, b);
    }
    return b;
  }

  /**
   * The backend with `identity.issueToken` reporting the key it signed with, and `certificates`
   * reporting revocations and CRLs. Sections stay lazy (getters and the engine's own proxies).
   */
  #reportingIssuance(tenant: string, inner: Backend): Backend {
    const listeners = this.#issued;
    const revoked = this.#revoked;
    const crls = this.#crls;
    const identity: IdentityBackend = {
      issuer: () => inner.identity.issuer(),
      jwks: () => inner.identity.jwks(),
      issueToken: async (input) => {
        const issued = await inner.identity.issueToken(input);
        for (const l of listeners) l(tenant, issued.kid);
        return issued;
      },
    };
    const certificates: CertificatesBackend = {
      issueFromCsr: (input) => inner.certificates.issueFromCsr(input),
      revoke: async (input) => {
        try {
          return await inner.certificates.revoke(input);
        } finally {
          // Also on failure: the revocation record may be written even if a later step threw.
          for (const l of revoked) l(tenant);
        }
      },
      crl: async () => {
        const crl = await inner.certificates.crl();
        for (const l of crls) l(tenant, crl.crlNumber);
        return crl;
      },
      caCertificate: () => inner.certificates.caCertificate(),
      getCertificate: (serialNumber) => inner.certificates.getCertificate(serialNumber),
      listCertificates: (input) => inner.certificates.listCertificates(input),
    };
    return {
      kind: inner.kind,
      get encryption() {
        return inner.encryption;
      },
      get vault() {
        return inner.vault;
      },
      certificates,
      identity,
      ready: () => inner.ready(),
      close: () => inner.close(),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#backends.values()].map((b) => b.close()));
    this.#backends.clear();
  }
}
