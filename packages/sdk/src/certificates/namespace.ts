/**
 * `client.certificates`: ergonomics over a CertificatesBackend. Key generation and CSR signing for
 * `issue()` / `rotating()` happen here, client-side, so the CA (local engine or remote service) only
 * ever receives a CSR; verification and manifests are offline.
 */
import { z } from 'zod';
import type { Page } from '../backend/types.js';
import { equalBytes } from '../crypto/bytes.js';
import { nobleProviders } from '../crypto/noble-provider.js';
import type { CryptoProviders } from '../crypto/providers.js';
import { parseInput, parseOptions } from '../client/validation.js';
import { InvalidInputError } from '../errors.js';
import type {
  CaInfo,
  CertificateRecord,
  CertificatesBackend,
  CrlInfo,
  IssuedCertificate,
  RevocationInfo,
} from './backend.js';
import {
  type JsonValue,
  type SignedManifest,
  type VerifiedManifest,
  signManifest,
  verifyManifest,
} from './manifest.js';
import { type CertificateBundle, RotatingCertificate, type Scheduler, realScheduler } from './rotating.js';
import { type CertificateInput, parseCertificate, parseCertificates } from './x509/certificate.js';
import { REVOCATION_REASONS, type CrlInput, type RevocationReason } from './x509/crl.js';
import { createCsr } from './x509/csr.js';
import { type MlDsaSigningKey, privateKeyToPem, signingKeyFromSeed } from './x509/keys.js';
import { toPem } from './x509/pem.js';
import { type CertificatePurpose, type VerifiedCertificate, verifyCertificate } from './x509/verify.js';

/** Seconds, or `'30s'`, `'15m'`, `'4h'`, `'1d'`. */
export type Duration = number | `${number}${'s' | 'm' | 'h' | 'd'}`;

const UNIT = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const durationSchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+[smhd]$/, 'a duration like 30s, 15m, 4h or 1d')])
  .transform((d) => (typeof d === 'number' ? d : Number(d.slice(0, -1)) * UNIT[d.slice(-1) as keyof typeof UNIT]))
  .refine((s) => s > 0, 'must be positive');

/** Duration → seconds (validated). */
export const durationSeconds = (d: Duration, what = 'duration'): number => parseInput(durationSchema, d, what);

const dnsName = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    'a DNS name',
  );
const uri = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/, 'an absolute URI (e.g. spiffe://trust-domain/path)');
const names = {
  dnsNames: z.array(dnsName).max(100).optional(),
  uris: z.array(uri).max(100).optional(),
};

const issueSchema = z
  .strictObject({
    commonName: z.string().min(1).max(64).optional(),
    ...names,
    ttl: durationSchema.optional(),
  })
  .refine((o) => o.commonName || (o.dnsNames?.length ?? 0) + (o.uris?.length ?? 0) > 0, {
    message: 'give a commonName or at least one DNS name / URI',
  });

const issueFromCsrSchema = z.strictObject({
  csr: z.union([z.string().min(1), z.instanceof(Uint8Array)]),
  ...names,
  ttl: durationSchema.optional(),
});

const revokeSchema = z.strictObject({
  serialNumber: z.string().regex(/^[0-9A-Fa-f:]{2,59}$/, 'hex serial number'),
  reason: z.enum(REVOCATION_REASONS).optional(),
});

const rotatingSchema = z
  .strictObject({
    commonName: z.string().min(1).max(64).optional(),
    ...names,
    ttl: durationSchema.optional(),
    renewBefore: durationSchema.default(4 * 3600),
    checkInterval: durationSchema.default(3600),
    backoffInitial: durationSchema.default(30),
    backoffMax: durationSchema.default(3600),
    requestCert: z.boolean().default(true),
    rejectUnauthorized: z.boolean().default(true),
    // Injection points for tests (fake clocks) and special runtimes.
    now: z.custom<() => Date>((v) => typeof v === 'function').optional(),
    scheduler: z
      .custom<Scheduler>(
        (v) => typeof v === 'object' && v !== null && typeof (v as Scheduler).setTimeout === 'function',
      )
      .optional(),
  })
  .refine((o) => o.commonName || (o.dnsNames?.length ?? 0) + (o.uris?.length ?? 0) > 0, {
    message: 'give a commonName or at least one DNS name / URI',
  });

export interface IssueOptions {
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  readonly ttl?: Duration;
}

export interface IssueFromCsrOptions {
  /** PEM or DER PKCS#10, signed by the key it certifies. */
  readonly csr: string | Uint8Array;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  readonly ttl?: Duration;
}

/** A freshly issued certificate with its locally generated key. `privateKey` is non-enumerable. */
export interface IssuedWithKey extends IssuedCertificate {
  /** Seed-only PKCS#8 PEM; never leaves this process unless you send it. */
  readonly privateKey: string;
  readonly key: MlDsaSigningKey;
}

export interface RotatingOptions extends IssueOptions {
  /** Renew when less than this remains. Default 4 h. */
  readonly renewBefore?: Duration;
  /** Periodic check. Default 1 h. */
  readonly checkInterval?: Duration;
  /** First retry delay after a failure (doubles). Default 30 s. */
  readonly backoffInitial?: Duration;
  /** Longest retry delay. Default 1 h. */
  readonly backoffMax?: Duration;
  /** tlsOptions() defaults: mutual TLS. */
  readonly requestCert?: boolean;
  readonly rejectUnauthorized?: boolean;
  readonly now?: () => Date;
  readonly scheduler?: Scheduler;
}

export interface NamespaceVerifyOptions {
  /** Trust anchors; defaults to this backend's root CA. */
  readonly ca?: CertificateInput | readonly CertificateInput[];
  readonly intermediates?: readonly CertificateInput[];
  readonly crl?: CrlInput | readonly CrlInput[];
  readonly at?: Date;
  readonly purpose?: CertificatePurpose;
}

export interface CertificatesNamespaceOptions {
  /** Crypto providers for local key generation, CSR signing and verification. */
  readonly providers?: CryptoProviders;
  readonly now?: () => Date;
}

const hidden = <T extends object, K extends string, V>(obj: T, key: K, value: V): T & Record<K, V> =>
  Object.defineProperty(obj, key, { value, enumerable: false }) as T & Record<K, V>;

export class CertificatesNamespace {
  readonly #backend: CertificatesBackend;
  readonly #providers: CryptoProviders;
  readonly #now: () => Date;

  constructor(backend: CertificatesBackend, options: CertificatesNamespaceOptions = {}) {
    this.#backend = backend;
    this.#providers = options.providers ?? nobleProviders;
    this.#now = options.now ?? (() => new Date());
  }

  /** Issue from a CSR (the service keeps its private key). */
  async issueFromCsr(options: IssueFromCsrOptions): Promise<IssuedCertificate> {
    const o = parseInput(issueFromCsrSchema, options, 'issueFromCsr options');
    const csr = typeof o.csr === 'string' ? o.csr : toPem('CERTIFICATE REQUEST', o.csr);
    return this.#backend.issueFromCsr({
      csr,
      ...(o.ttl === undefined ? {} : { ttlSeconds: o.ttl }),
      ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
      ...(o.uris ? { uris: o.uris } : {}),
    });
  }

  /**
   * Generates an ML-DSA-65 key here, sends only a CSR, and returns the certificate with its key.
   * The key is in memory only; store it yourself if you must (it is a seed-only PKCS#8 PEM).
   */
  async issue(options: IssueOptions): Promise<IssuedWithKey> {
    const o = parseInput(issueSchema, options, 'issue options');
    return this.#issueWithKey(o);
  }

  async #issueWithKey(o: {
    commonName?: string;
    dnsNames?: string[];
    uris?: string[];
    ttl?: number;
  }): Promise<IssuedWithKey> {
    const seed = this.#providers.random.randomBytes(32);
    const key = signingKeyFromSeed('ML-DSA-65', seed, this.#providers.signature);
    const csr = createCsr({
      key,
      subject: o.commonName ? { commonName: o.commonName } : {},
      dnsNames: o.dnsNames ?? [],
      uris: o.uris ?? [],
    });
    const issued = await this.#backend.issueFromCsr({
      csr: csr.pem,
      ...(o.ttl === undefined ? {} : { ttlSeconds: o.ttl }),
    });
    // The CA must have certified *our* key: anything else is a misbehaving backend.
    const cert = parseCertificate(issued.certificate);
    if (cert.publicKey.algorithm !== key.algorithm || !equalBytes(cert.publicKey.publicKey, key.publicKey)) {
      throw new InvalidInputError('issued certificate does not certify the requested key');
    }
    const pem = privateKeyToPem('ML-DSA-65', seed);
    const withKey = hidden(hidden({ ...issued }, 'privateKey', pem), 'key', key);
    return withKey;
  }

  async revoke(serialNumber: string, reason?: RevocationReason): Promise<RevocationInfo> {
    const o = parseInput(revokeSchema, { serialNumber, ...(reason === undefined ? {} : { reason }) }, 'revoke options');
    return this.#backend.revoke(o);
  }

  crl(): Promise<CrlInfo> {
    return this.#backend.crl();
  }

  caCertificate(): Promise<CaInfo> {
    return this.#backend.caCertificate();
  }

  async getCertificate(serialNumber: string): Promise<CertificateRecord> {
    return this.#backend.getCertificate(parseInput(revokeSchema.shape.serialNumber, serialNumber, 'serial number'));
  }

  listCertificates(options?: { pageSize?: number; continuationToken?: string }): Promise<Page<CertificateRecord>> {
    return this.#backend.listCertificates(options);
  }

  /**
   * Offline chain verification. Without `ca`, trusts this backend's root (fetched once per call);
   * pass `ca` explicitly in relying parties that must not depend on the issuer being reachable.
   */
  async verify(certificate: CertificateInput, options: NamespaceVerifyOptions = {}): Promise<VerifiedCertificate> {
    let { ca, intermediates } = options;
    if (ca === undefined) {
      const info = await this.#backend.caCertificate();
      ca = info.root;
      intermediates = [...(intermediates ?? []), ...info.chain.slice(0, -1)];
    }
    return verifyCertificate(certificate, {
      ca,
      ...(intermediates ? { intermediates } : {}),
      ...(options.crl === undefined ? {} : { crl: options.crl }),
      at: options.at ?? this.#now(),
      ...(options.purpose ? { purpose: options.purpose } : {}),
      provider: this.#providers.signature,
    });
  }

  /** A started holder: first certificate issued (fails fast), renewal scheduled. */
  async rotating(options: RotatingOptions): Promise<RotatingCertificate> {
    const o = parseOptions(rotatingSchema, options, 'rotating certificate options');
    const now = o.now ?? this.#now;
    const issue = async (): Promise<CertificateBundle> => {
      const issued = await this.#issueWithKey(o);
      return hidden(
        {
          certificate: issued.certificate,
          chain: issued.chain,
          serialNumber: issued.serialNumber,
          notBefore: new Date(issued.notBefore),
          notAfter: new Date(issued.notAfter),
          key: issued.key,
        },
        'privateKey',
        issued.privateKey,
      );
    };
    const holder = new RotatingCertificate({
      issue,
      renewBeforeMs: o.renewBefore * 1000,
      checkIntervalMs: o.checkInterval * 1000,
      backoffInitialMs: o.backoffInitial * 1000,
      backoffMaxMs: o.backoffMax * 1000,
      now,
      scheduler: o.scheduler ?? realScheduler,
      requestCert: o.requestCert,
      rejectUnauthorized: o.rejectUnauthorized,
    });
    return holder.start();
  }

  /** Signs a manifest with a service certificate's key (e.g. `holder.current`). */
  signManifest(
    manifest: JsonValue,
    signer: {
      readonly key: MlDsaSigningKey;
      readonly certificate: CertificateInput;
      readonly chain?: readonly string[];
    },
  ): SignedManifest {
    return signManifest(manifest, {
      key: signer.key,
      certificate: signer.certificate,
      ...(signer.chain ? { intermediates: signer.chain.slice(0, -1) } : {}),
    });
  }

  /** Offline: signature, signer chain to `ca` (default: this backend's root), CRL if given. */
  async verifyManifest(
    signed: SignedManifest,
    options: {
      ca?: CertificateInput | readonly CertificateInput[];
      crl?: CrlInput | readonly CrlInput[];
      at?: Date;
    } = {},
  ): Promise<VerifiedManifest> {
    const ca = options.ca ?? parseCertificates((await this.#backend.caCertificate()).root);
    return verifyManifest(signed, {
      ca,
      ...(options.crl === undefined ? {} : { crl: options.crl }),
      at: options.at ?? this.#now(),
      provider: this.#providers.signature,
    });
  }
}
