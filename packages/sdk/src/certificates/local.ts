/**
 * The local engine's CA: a root (ML-DSA-65, or ML-DSA-87) and an optional ML-DSA-65 intermediate,
 * created on first use. CA keys are stored only as 32-byte seeds sealed under the tenant data key
 * (`keyring.seal('ca:<id>', seed)`); issued certificates, revocations and the current CRL are
 * plain records (nothing secret in them).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Page } from '../backend/types.js';
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';
import { equalBytes, toHex, utf8 } from '../crypto/bytes.js';
import { ConflictError, InvalidInputError, InvalidOptionsError, NotFoundError, StoreCorruptError } from '../errors.js';
import type { LocalContext } from '../local/context.js';
import type { RecordStore } from '../local/stores/types.js';
import type {
  CaInfo,
  CertificateRecord,
  CertificatesBackend,
  CrlInfo,
  IssueFromCsrInput,
  IssuedCertificate,
  ListCertificatesInput,
  RevocationInfo,
  RevokeInput,
} from './backend.js';
import {
  type CertificateInfo,
  type IssuerMaterial,
  createIntermediateCertificate,
  createRootCertificate,
  createServiceCertificate,
  parseCertificate,
  randomSerial,
} from './x509/certificate.js';
import { REVOCATION_REASONS, type RevocationReason, createCrl } from './x509/crl.js';
import { parseCsr } from './x509/csr.js';
import { signingKeyFromSeed } from './x509/keys.js';
import type { DistinguishedName } from './x509/name.js';

export interface LocalCaOptions {
  /** Root key algorithm. ML-DSA-87 implies an ML-DSA-65 intermediate (leaves and CRLs stay ML-DSA-65). */
  readonly rootAlgorithm?: 'ML-DSA-65' | 'ML-DSA-87';
  /** Issue from an intermediate (pathLen 0) instead of directly from the root. Default: only for ML-DSA-87 roots. */
  readonly intermediate?: boolean;
  readonly subject?: DistinguishedName;
  readonly rootValidityDays?: number;
  readonly intermediateValidityDays?: number;
  /** Default service certificate lifetime: 24 h. */
  readonly defaultTtlSeconds?: number;
  /** Longest lifetime a caller may ask for: 30 days. */
  readonly maxTtlSeconds?: number;
  /** CRL nextUpdate - thisUpdate: 24 h. A CRL is re-signed once half of that has passed. */
  readonly crlValiditySeconds?: number;
  /**
   * An http(s) URL where the issuing CA's CRL is served as DER (e.g. the server's public
   * `{base}/pki/{tenant}/crl`): written into every service certificate as its CRL distribution
   * point, so that relying parties find the CRL by themselves. None by default.
   */
  readonly crlDistributionPoint?: string;
  /**
   * An http(s) URL where the issuing CA's certificate is served as DER (e.g. the server's public
   * `{base}/pki/{tenant}/ca.cer`): written into every service certificate as its AIA caIssuers
   * access description, so that relying parties can build the path by themselves. None by default.
   */
  readonly caIssuersUrl?: string;
}

const C_CA = 'certificates.ca';
const C_ISSUED = 'certificates.issued';
const C_REVOKED = 'certificates.revoked';
const C_CRL = 'certificates.crl';

/**
 * Whether a tenant's local CA exists yet (it is made on first use). Lets a server answer "no such
 * CA" to anonymous requests without opening the backend, which would create one.
 */
export const hasLocalCa = async (store: RecordStore, tenant: string): Promise<boolean> =>
  (await store.get(tenant, C_CA, 'root')) !== undefined;

const MINUTE = 60_000;
const DAY_S = 86_400;
/** Clock-skew allowance: notBefore = now - 5 min (issue 3 profile). */
const BACKDATE_MS = 5 * MINUTE;

interface CaRecord {
  readonly v: 1;
  readonly algorithm: MlDsaAlgorithm;
  /** keyring.seal('ca:<id>', seed) */
  readonly seed: string;
  readonly certificate: string;
  readonly createdAt: string;
}

interface IssuedRecord {
  readonly v: 1;
  readonly certificate: string;
  readonly serialNumber: string;
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly issuedAt: string;
  readonly revokedAt?: string;
  readonly revocationReason?: RevocationReason;
}

interface RevokedRecord {
  readonly v: 1;
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason: RevocationReason;
  /** Entries drop off the CRL once the certificate has expired (RFC 5280 §3.3). */
  readonly notAfter: string;
}

interface CrlRecord {
  readonly v: 1;
  readonly crlNumber: number;
  readonly crl: string;
  readonly thisUpdate: string;
  readonly nextUpdate: string;
  /** SHA-256 over the sorted revoked serials the CRL lists: changes when a new CRL is due. */
  readonly digest: string;
}

interface CaState {
  readonly root: IssuerMaterial;
  readonly issuing: IssuerMaterial;
  readonly chain: readonly string[];
}

/** An absolute http(s) URL without credentials, or undefined. */
const httpUrl = (v: string | undefined, name: string): string | undefined => {
  if (v === undefined) return undefined;
  let u: URL | undefined;
  try {
    u = new URL(v);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) {
    throw new InvalidOptionsError(`${name} must be an http(s) URL without credentials`);
  }
  return v;
};

const positiveInt = (v: number | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new InvalidOptionsError(`${name} must be a positive integer`);
  return v;
};

/** Accepts `0A:1B...` or `0a1b...`; stored form is lower-case hex without separators. */
export const normalizeSerial = (serial: string): string => {
  const s = serial.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{2,40}$/.test(s) || s.length % 2 !== 0)
    throw new InvalidInputError('serial number must be 1-20 bytes of hex');
  return s;
};

export class LocalCertificatesBackend implements CertificatesBackend {
  readonly #ctx: LocalContext;
  readonly #rootAlgorithm: MlDsaAlgorithm;
  readonly #intermediate: boolean;
  readonly #subject: DistinguishedName;
  readonly #rootDays: number;
  readonly #intermediateDays: number;
  readonly #defaultTtl: number;
  readonly #maxTtl: number;
  readonly #crlValidity: number;
  readonly #crlDistributionPoint: string | undefined;
  readonly #caIssuersUrl: string | undefined;
  #ca: Promise<CaState> | undefined;

  constructor(ctx: LocalContext, options: LocalCaOptions = {}) {
    this.#ctx = ctx;
    this.#rootAlgorithm = options.rootAlgorithm ?? 'ML-DSA-65';
    if (this.#rootAlgorithm !== 'ML-DSA-65' && this.#rootAlgorithm !== 'ML-DSA-87') {
      throw new InvalidOptionsError('rootAlgorithm must be ML-DSA-65 or ML-DSA-87');
    }
    // Service certificates and CRLs are ML-DSA-65 (issue 3): an ML-DSA-87 root therefore signs only
    // an ML-DSA-65 intermediate, which does the issuing.
    this.#intermediate = options.intermediate ?? this.#rootAlgorithm === 'ML-DSA-87';
    if (this.#rootAlgorithm === 'ML-DSA-87' && !this.#intermediate) {
      throw new InvalidOptionsError('an ML-DSA-87 root requires intermediate: true (leaves and CRLs are ML-DSA-65)');
    }
    this.#subject = options.subject ?? {
      organization: 'QuantumAPI',
      commonName: `QuantumAPI Local CA (${ctx.tenant})`,
    };
    this.#rootDays = positiveInt(options.rootValidityDays, 'rootValidityDays', 3650);
    this.#intermediateDays = positiveInt(options.intermediateValidityDays, 'intermediateValidityDays', 365);
    this.#defaultTtl = positiveInt(options.defaultTtlSeconds, 'defaultTtlSeconds', DAY_S);
    this.#maxTtl = positiveInt(options.maxTtlSeconds, 'maxTtlSeconds', 30 * DAY_S);
    this.#crlValidity = positiveInt(options.crlValiditySeconds, 'crlValiditySeconds', DAY_S);
    if (this.#defaultTtl > this.#maxTtl) throw new InvalidOptionsError('defaultTtlSeconds exceeds maxTtlSeconds');
    this.#crlDistributionPoint = httpUrl(options.crlDistributionPoint, 'crlDistributionPoint');
    this.#caIssuersUrl = httpUrl(options.caIssuersUrl, 'caIssuersUrl');
  }

  // ---------- CA bootstrap ----------

  #state(): Promise<CaState> {
    this.#ca ??= this.#loadCa().catch((e) => {
      this.#ca = undefined;
      throw e;
    });
    return this.#ca;
  }

  async #loadCa(): Promise<CaState> {
    const root = await this.#loadOrCreate('root', this.#rootAlgorithm, (key, now) =>
      createRootCertificate({
        subject: this.#subject,
        key,
        serialNumber: this.#serial(),
        notBefore: new Date(now.getTime() - BACKDATE_MS),
        notAfter: new Date(now.getTime() + this.#rootDays * DAY_S * 1000),
        ...(this.#intermediate ? { pathLength: 1 } : { pathLength: 0 }),
      }),
    );
    if (!this.#intermediate) return { root, issuing: root, chain: [root.certificate.pem] };
    const issuing = await this.#loadOrCreate('intermediate', 'ML-DSA-65', (key, now) =>
      createIntermediateCertificate({
        subject: { ...this.#subject, commonName: `${this.#subject.commonName ?? 'QuantumAPI Local CA'} Issuing` },
        publicKey: { algorithm: key.algorithm, publicKey: key.publicKey },
        issuer: root,
        serialNumber: this.#serial(),
        notBefore: new Date(now.getTime() - BACKDATE_MS),
        notAfter: new Date(
          Math.min(now.getTime() + this.#intermediateDays * DAY_S * 1000, root.certificate.notAfter.getTime()),
        ),
      }),
    );
    return { root, issuing, chain: [issuing.certificate.pem, root.certificate.pem] };
  }

  async #loadOrCreate(
    id: 'root' | 'intermediate',
    algorithm: MlDsaAlgorithm,
    build: (key: ReturnType<typeof signingKeyFromSeed>, now: Date) => CertificateInfo,
  ): Promise<IssuerMaterial> {
    const { store, tenant, keyring, providers } = this.#ctx;
    const existing = await store.get<CaRecord>(tenant, C_CA, id);
    if (existing) return this.#unseal(id, existing.data);
    const seed = providers.random.randomBytes(32);
    const key = signingKeyFromSeed(algorithm, seed, providers.signature);
    const certificate = build(key, this.#ctx.now());
    const record: CaRecord = {
      v: 1,
      algorithm,
      seed: keyring.seal(`ca:${id}`, seed),
      certificate: certificate.pem,
      createdAt: this.#ctx.now().toISOString(),
    };
    seed.fill(0);
    try {
      await store.put(tenant, C_CA, id, record, 0);
    } catch (e) {
      // Another instance sharing the store created the CA first: use theirs.
      if (!(e instanceof ConflictError)) throw e;
      const won = await store.get<CaRecord>(tenant, C_CA, id);
      if (!won) throw e;
      return this.#unseal(id, won.data);
    }
    return { certificate, key: { ...key, seed: undefined } };
  }

  #unseal(id: string, rec: CaRecord): IssuerMaterial {
    if (rec?.v !== 1 || (rec.algorithm !== 'ML-DSA-65' && rec.algorithm !== 'ML-DSA-87')) {
      throw new StoreCorruptError('CA record has an unknown version or algorithm', { details: { id } });
    }
    const seed = this.#ctx.keyring.open(`ca:${id}`, rec.seed);
    const key = signingKeyFromSeed(rec.algorithm, seed, this.#ctx.providers.signature);
    seed.fill(0);
    let certificate: CertificateInfo;
    try {
      certificate = parseCertificate(rec.certificate);
    } catch (cause) {
      throw new StoreCorruptError('CA certificate record is corrupt', { cause, details: { id } });
    }
    if (!equalBytes(certificate.publicKey.publicKey, key.publicKey)) {
      throw new StoreCorruptError('CA key does not match its certificate', { details: { id } });
    }
    return { certificate, key: { ...key, seed: undefined } };
  }

  #serial(): Uint8Array {
    return randomSerial(this.#ctx.providers.random);
  }

  // ---------- operations ----------

  async caCertificate(): Promise<CaInfo> {
    const ca = await this.#state();
    return {
      certificate: ca.issuing.certificate.pem,
      root: ca.root.certificate.pem,
      chain: ca.chain,
      algorithm: ca.issuing.key.algorithm,
      rootAlgorithm: ca.root.key.algorithm,
    };
  }

  async issueFromCsr(input: IssueFromCsrInput): Promise<IssuedCertificate> {
    if (typeof input?.csr !== 'string') throw new InvalidInputError('csr must be a PEM string');
    const ttl = input.ttlSeconds ?? this.#defaultTtl;
    if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > this.#maxTtl) {
      throw new InvalidInputError(`ttlSeconds must be an integer between 1 and ${this.#maxTtl}`);
    }
    const csr = parseCsr(input.csr, this.#ctx.providers.signature);
    const ca = await this.#state();
    const now = this.#ctx.now();
    const dnsNames = input.dnsNames ?? csr.dnsNames;
    const uris = input.uris ?? csr.uris;
    // Never outlive the issuer: a certificate valid past its CA fails path validation anyway.
    const notAfter = new Date(Math.min(now.getTime() + ttl * 1000, ca.issuing.certificate.notAfter.getTime()));
    const cert = createServiceCertificate({
      subject: csr.subject,
      publicKey: csr.publicKey,
      dnsNames,
      uris,
      issuer: ca.issuing,
      serialNumber: this.#serial(),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      ...(this.#crlDistributionPoint ? { crlDistributionPoints: [this.#crlDistributionPoint] } : {}),
      ...(this.#caIssuersUrl ? { caIssuers: [this.#caIssuersUrl] } : {}),
    });
    const record: IssuedRecord = {
      v: 1,
      certificate: cert.pem,
      serialNumber: cert.serialNumber,
      subject: cert.subjectText,
      dnsNames: cert.subjectAltNames.dnsNames,
      uris: cert.subjectAltNames.uris,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      issuedAt: now.toISOString(),
    };
    // Revision 0: a (128-bit random) serial collision fails instead of overwriting a record.
    await this.#ctx.store.put(this.#ctx.tenant, C_ISSUED, cert.serialNumber, record, 0);
    return issuedOf(record, ca.chain);
  }

  async getCertificate(serialNumber: string): Promise<CertificateRecord> {
    const serial = normalizeSerial(serialNumber);
    const rec = await this.#ctx.store.get<IssuedRecord>(this.#ctx.tenant, C_ISSUED, serial);
    if (!rec) throw new NotFoundError('certificate not found', { details: { serialNumber: serial } });
    return recordOf(rec.data, (await this.#state()).chain);
  }

  async listCertificates(input: ListCertificatesInput = {}): Promise<Page<CertificateRecord>> {
    const pageSize = input.pageSize ?? 100;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new InvalidInputError('pageSize must be between 1 and 1000');
    }
    const rows = await this.#ctx.store.list<IssuedRecord>(this.#ctx.tenant, C_ISSUED, {
      ...(input.continuationToken ? { after: normalizeSerial(input.continuationToken) } : {}),
      limit: pageSize + 1,
    });
    const { chain } = await this.#state();
    const items = rows.slice(0, pageSize).map((r) => recordOf(r.data, chain));
    return { items, continuationToken: rows.length > pageSize ? rows[pageSize - 1]?.id : undefined };
  }

  async revoke(input: RevokeInput): Promise<RevocationInfo> {
    const serial = normalizeSerial(input?.serialNumber ?? '');
    const reason = input.reason ?? 'unspecified';
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason))
      throw new InvalidInputError('unknown revocation reason');
    const { store, tenant } = this.#ctx;
    const issued = await store.get<IssuedRecord>(tenant, C_ISSUED, serial);
    if (!issued) throw new NotFoundError('certificate not found', { details: { serialNumber: serial } });
    const revokedAt = this.#ctx.now().toISOString();
    const revoked: RevokedRecord = { v: 1, serialNumber: serial, revokedAt, reason, notAfter: issued.data.notAfter };
    try {
      await store.put(tenant, C_REVOKED, serial, revoked, 0);
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // Already revoked: revocation is final, report the original.
      const first = await store.get<RevokedRecord>(tenant, C_REVOKED, serial);
      if (!first) throw e;
      return { serialNumber: serial, revokedAt: first.data.revokedAt, reason: first.data.reason };
    }
    // Mirror onto the issued record for get/list; the revoked collection stays the source of truth.
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await store.get<IssuedRecord>(tenant, C_ISSUED, serial);
      if (!cur) break;
      try {
        await store.put(tenant, C_ISSUED, serial, { ...cur.data, revokedAt, revocationReason: reason }, cur.revision);
        break;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    return { serialNumber: serial, revokedAt, reason };
  }

  async crl(): Promise<CrlInfo> {
    const ca = await this.#state();
    const now = this.#ctx.now();
    const revoked = (await this.#allRevoked()).filter((r) => new Date(r.notAfter).getTime() > now.getTime());
    const issuing = await this.#currentCrl('current', ca.issuing, revoked, now);
    if (ca.issuing === ca.root) return { ...issuing, issuerCrls: [] };
    // The root's own CRL (it lists no intermediates: this engine never revokes its intermediate):
    // relying parties that check every link, like OpenSSL under Node's `crl` option, need it.
    const root = await this.#currentCrl('root', ca.root, [], now);
    return { ...issuing, issuerCrls: [root.crl] };
  }

  /** The stored CRL for `id` if it still lists exactly `revoked` and is fresh; else a new one. */
  async #currentCrl(
    id: string,
    issuer: IssuerMaterial,
    revoked: RevokedRecord[],
    now: Date,
  ): Promise<Omit<CrlInfo, 'issuerCrls'>> {
    const { store, tenant } = this.#ctx;
    const sorted = [...revoked].sort((a, b) => (a.serialNumber < b.serialNumber ? -1 : 1));
    const digest = toHex(sha256(utf8(sorted.map((r) => r.serialNumber).join(','))));
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = await store.get<CrlRecord>(tenant, C_CRL, id);
      if (cur && cur.data.digest === digest) {
        const age = now.getTime() - new Date(cur.data.thisUpdate).getTime();
        if (age >= 0 && age < (this.#crlValidity * 1000) / 2) return crlOf(cur.data);
      }
      const crlNumber = (cur?.data.crlNumber ?? 0) + 1;
      const built = createCrl({
        issuer,
        crlNumber,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + this.#crlValidity * 1000),
        revoked: sorted.map((r) => ({
          serialNumber: r.serialNumber,
          revocationDate: new Date(r.revokedAt),
          reason: r.reason,
        })),
      });
      const record: CrlRecord = {
        v: 1,
        crlNumber,
        crl: built.pem,
        thisUpdate: built.thisUpdate.toISOString(),
        nextUpdate: (built.nextUpdate as Date).toISOString(),
        digest,
      };
      try {
        await store.put(tenant, C_CRL, id, record, cur?.revision ?? 0);
        return crlOf(record);
      } catch (e) {
        // A concurrent caller published a CRL: re-read and use it if it covers the same revocations.
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError('CRL generation kept racing with concurrent writers');
  }

  async #allRevoked(): Promise<RevokedRecord[]> {
    const out: RevokedRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const rows = await this.#ctx.store.list<RevokedRecord>(this.#ctx.tenant, C_REVOKED, {
        ...(after ? { after } : {}),
        limit: 500,
      });
      for (const r of rows) out.push(r.data);
      if (rows.length < 500) return out;
      after = rows[rows.length - 1]?.id;
    }
  }
}

// The chain is the CA's, not stored per certificate (it would be ~5.5 KB per CA per record).
const issuedOf = (r: IssuedRecord, chain: readonly string[]): IssuedCertificate => ({
  certificate: r.certificate,
  chain,
  serialNumber: r.serialNumber,
  subject: r.subject,
  dnsNames: r.dnsNames,
  uris: r.uris,
  notBefore: r.notBefore,
  notAfter: r.notAfter,
});

const recordOf = (r: IssuedRecord, chain: readonly string[]): CertificateRecord => ({
  ...issuedOf(r, chain),
  issuedAt: r.issuedAt,
  revokedAt: r.revokedAt,
  revocationReason: r.revocationReason,
});

const crlOf = (r: CrlRecord): Omit<CrlInfo, 'issuerCrls'> => ({
  crl: r.crl,
  crlNumber: r.crlNumber,
  thisUpdate: r.thisUpdate,
  nextUpdate: r.nextUpdate,
});
