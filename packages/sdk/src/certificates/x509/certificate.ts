/**
 * X.509 v3 certificates with ML-DSA (RFC 9881): build + sign, and parse into a typed view.
 * Parsing is strict: the input must be DER (it re-encodes to the same bytes), the outer and inner
 * signature algorithms must agree, and the signature is kept as the exact signed TBS bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CRLDistributionPoints,
  Certificate,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  type Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_ad_caIssuers,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import type { MlDsaAlgorithm } from '../../crypto/algorithms.js';
import { equalBytes, toHex } from '../../crypto/bytes.js';
import type { RandomSource } from '../../crypto/providers.js';
import { InvalidInputError } from '../../errors.js';
import { CertificateInvalidError } from '../errors.js';
import { splitSigned, toArrayBuffer } from './der.js';
import {
  type MlDsaPublicKey,
  type MlDsaSigningKey,
  mlDsaAlgorithmIdentifier,
  mlDsaOfIdentifier,
  publicKeyOfSpki,
  signWith,
  spkiOf,
} from './keys.js';
import { type DistinguishedName, buildName, commonNameOf, nameToString } from './name.js';
import { OID } from './oids.js';
import { fromPem, isPem, toPem } from './pem.js';

export { KeyUsageFlags };

export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emails: readonly string[];
}

/** A parsed certificate. Everything a verifier or a caller needs, nothing requiring a re-parse. */
export interface CertificateInfo {
  readonly der: Uint8Array;
  readonly pem: string;
  /** The exact signed bytes. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithm: MlDsaAlgorithm;
  readonly version: number;
  /** Lower-case hex of the DER INTEGER content (what OpenSSL prints, without colons). */
  readonly serialNumber: string;
  readonly issuer: Name;
  readonly subject: Name;
  readonly issuerText: string;
  readonly subjectText: string;
  readonly commonName: string | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: MlDsaPublicKey;
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined } | undefined;
  /** KeyUsageFlags bit set, or undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: SubjectAltNames;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** URIs of the CRL distribution points (RFC 5280 §4.2.1.13); empty when the extension is absent. */
  readonly crlDistributionPoints: readonly string[];
  /**
   * URIs of the AIA caIssuers access descriptions (RFC 5280 §4.2.2.1): where the issuer's
   * certificate is served; empty when the extension is absent or names no caIssuers URI.
   */
  readonly caIssuers: readonly string[];
  /** OIDs of critical extensions this profile does not understand: a verifier must reject them. */
  readonly unknownCriticalExtensions: readonly string[];
}

export type CertificateInput = Uint8Array | string | CertificateInfo;

const isInfo = (x: CertificateInput): x is CertificateInfo => typeof x === 'object' && !(x instanceof Uint8Array);

export const parseCertificate = (input: CertificateInput): CertificateInfo => {
  if (isInfo(input)) return input;
  let der: Uint8Array;
  try {
    der = typeof input === 'string' ? fromPem(input, 'CERTIFICATE') : input;
  } catch (cause) {
    throw new CertificateInvalidError('certificate is not a single PEM CERTIFICATE block', { cause });
  }
  const parts = splitSigned(der);
  if (!parts) throw new CertificateInvalidError('certificate is not a DER Certificate SEQUENCE');
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(toArrayBuffer(der), Certificate);
  } catch (cause) {
    throw new CertificateInvalidError('malformed certificate', { cause });
  }
  return infoOf(cert, der.slice(), parts.tbs.slice());
};

const infoOf = (cert: Certificate, der: Uint8Array, tbs: Uint8Array): CertificateInfo => {
  let reencoded: Uint8Array;
  try {
    reencoded = new Uint8Array(AsnConvert.serialize(cert));
  } catch (cause) {
    throw new CertificateInvalidError('malformed certificate', { cause });
  }
  // BER leniency is how parser-differential attacks start: accept DER only.
  if (!equalBytes(reencoded, der)) throw new CertificateInvalidError('certificate is not DER-encoded');
  const t = cert.tbsCertificate;
  const signatureAlgorithm = mlDsaOfIdentifier(cert.signatureAlgorithm);
  if (!signatureAlgorithm) {
    throw new CertificateInvalidError('certificate signature algorithm is not ML-DSA (RFC 9881)', {
      details: { oid: cert.signatureAlgorithm.algorithm },
    });
  }
  if (
    !equalBytes(
      new Uint8Array(AsnConvert.serialize(t.signature)),
      new Uint8Array(AsnConvert.serialize(cert.signatureAlgorithm)),
    )
  ) {
    throw new CertificateInvalidError('certificate inner and outer signature algorithms differ');
  }
  if (t.version !== Version.v3) throw new CertificateInvalidError('only X.509 v3 certificates are accepted');
  let publicKey: MlDsaPublicKey;
  try {
    publicKey = publicKeyOfSpki(t.subjectPublicKeyInfo);
  } catch (cause) {
    throw new CertificateInvalidError('certificate subject key is not a valid ML-DSA key', { cause });
  }
  let ext: ParsedExtensions;
  try {
    ext = extensionsOf(t.extensions);
  } catch (cause) {
    if (cause instanceof CertificateInvalidError) throw cause;
    throw new CertificateInvalidError('malformed certificate extension', { cause });
  }
  return {
    der,
    pem: toPem('CERTIFICATE', der),
    tbs,
    signature: new Uint8Array(cert.signatureValue),
    signatureAlgorithm,
    version: t.version + 1,
    serialNumber: toHex(new Uint8Array(t.serialNumber)),
    issuer: t.issuer,
    subject: t.subject,
    issuerText: nameToString(t.issuer),
    subjectText: nameToString(t.subject),
    commonName: commonNameOf(t.subject),
    notBefore: t.validity.notBefore.getTime(),
    notAfter: t.validity.notAfter.getTime(),
    publicKey,
    ...ext,
  };
};

type ParsedExtensions = Pick<
  CertificateInfo,
  | 'basicConstraints'
  | 'keyUsage'
  | 'extendedKeyUsage'
  | 'subjectAltNames'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier'
  | 'crlDistributionPoints'
  | 'caIssuers'
  | 'unknownCriticalExtensions'
>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Decodes the extensions this profile understands; shared with CSR extension requests. */
export const extensionsOf = (list: readonly Extension[] | undefined): ParsedExtensions => {
  const seen = new Set<string>();
  const out: Mutable<ParsedExtensions> = {
    basicConstraints: undefined,
    keyUsage: undefined,
    extendedKeyUsage: undefined,
    subjectAltNames: { dnsNames: [], uris: [], ipAddresses: [], emails: [] },
    subjectKeyIdentifier: undefined,
    authorityKeyIdentifier: undefined,
    crlDistributionPoints: [],
    caIssuers: [],
    unknownCriticalExtensions: [],
  };
  const unknown: string[] = [];
  for (const e of list ?? []) {
    // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(e.extnID)) throw new CertificateInvalidError('duplicate extension', { details: { oid: e.extnID } });
    seen.add(e.extnID);
    const value = e.extnValue.buffer;
    switch (e.extnID) {
      case id_ce_basicConstraints: {
        const bc = AsnConvert.parse(value, BasicConstraints);
        out.basicConstraints = { ca: bc.cA, pathLength: bc.pathLenConstraint };
        break;
      }
      case id_ce_keyUsage:
        out.keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
        break;
      case id_ce_extKeyUsage:
        out.extendedKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)];
        break;
      case id_ce_subjectAltName: {
        const san = AsnConvert.parse(value, SubjectAlternativeName);
        out.subjectAltNames = {
          dnsNames: san.flatMap((g) => (g.dNSName !== undefined ? [g.dNSName] : [])),
          uris: san.flatMap((g) => (g.uniformResourceIdentifier !== undefined ? [g.uniformResourceIdentifier] : [])),
          ipAddresses: san.flatMap((g) => (g.iPAddress !== undefined ? [g.iPAddress] : [])),
          emails: san.flatMap((g) => (g.rfc822Name !== undefined ? [g.rfc822Name] : [])),
        };
        break;
      }
      case id_ce_subjectKeyIdentifier:
        out.subjectKeyIdentifier = new Uint8Array(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
        break;
      case id_ce_authorityKeyIdentifier: {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier);
        out.authorityKeyIdentifier = aki.keyIdentifier ? new Uint8Array(aki.keyIdentifier.buffer) : undefined;
        break;
      }
      case id_ce_cRLDistributionPoints:
        out.crlDistributionPoints = AsnConvert.parse(value, CRLDistributionPoints).flatMap(
          (dp) =>
            dp.distributionPoint?.fullName?.flatMap((g) =>
              g.uniformResourceIdentifier !== undefined ? [g.uniformResourceIdentifier] : [],
            ) ?? [],
        );
        break;
      case id_pe_authorityInfoAccess:
        // OCSP and other access methods are not ours to report: only where the issuer is served.
        out.caIssuers = AsnConvert.parse(value, AuthorityInfoAccessSyntax).flatMap((ad) =>
          ad.accessMethod === id_ad_caIssuers && ad.accessLocation.uniformResourceIdentifier !== undefined
            ? [ad.accessLocation.uniformResourceIdentifier]
            : [],
        );
        break;
      default:
        if (e.critical) unknown.push(e.extnID);
    }
  }
  out.unknownCriticalExtensions = unknown;
  return out;
};

// ---------- building ----------

/** RFC 7093 §2 method 1: leftmost 160 bits of SHA-256 over the subjectPublicKey bits. */
export const keyIdentifier = (publicKey: Uint8Array): Uint8Array => sha256(publicKey).slice(0, 20);

/** 16 random bytes, top bit cleared (positive INTEGER) and never a leading zero byte (stays 16 bytes). */
export const randomSerial = (random: RandomSource): Uint8Array => {
  const b = random.randomBytes(16);
  b[0] = ((b[0] as number) & 0x7f) | 0x01;
  return b;
};

const ext = (extnID: string, critical: boolean, value: object): Extension =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/** Everything a signed certificate needs; the profile helpers below fill it in. */
export interface CertificateTemplate {
  readonly serialNumber: Uint8Array;
  readonly subject: Name;
  readonly subjectPublicKey: MlDsaPublicKey;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Extension[];
  /** The issuer's name (its certificate's subject) and signing key; for a root, the root itself. */
  readonly issuerName: Name;
  readonly issuerKey: MlDsaSigningKey;
}

const whole = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export const signCertificate = (t: CertificateTemplate): CertificateInfo => {
  if (t.notAfter.getTime() <= t.notBefore.getTime()) throw new InvalidInputError('notAfter must be after notBefore');
  if (t.serialNumber.length === 0 || t.serialNumber.length > 20 || ((t.serialNumber[0] as number) & 0x80) !== 0) {
    throw new InvalidInputError('serial number must be a positive integer of at most 20 bytes');
  }
  const algorithm = mlDsaAlgorithmIdentifier(t.issuerKey.algorithm);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(t.serialNumber),
    signature: algorithm,
    issuer: t.issuerName,
    validity: new Validity({ notBefore: whole(t.notBefore), notAfter: whole(t.notAfter) }),
    subject: t.subject,
    subjectPublicKeyInfo: spkiOf(t.subjectPublicKey.algorithm, t.subjectPublicKey.publicKey),
    extensions: new Extensions([...t.extensions]),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = signWith(t.issuerKey, tbsDer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: mlDsaAlgorithmIdentifier(t.issuerKey.algorithm),
    signatureValue: toArrayBuffer(signature),
  });
  return parseCertificate(new Uint8Array(AsnConvert.serialize(cert)));
};

/** Extension encoders: exported so tests and custom profiles compose the same encodings. */
export const extensions = {
  basicConstraints: (ca: boolean, pathLength?: number): Extension =>
    ext(
      id_ce_basicConstraints,
      true,
      new BasicConstraints(
        ca ? { cA: true, ...(pathLength === undefined ? {} : { pathLenConstraint: pathLength }) } : {},
      ),
    ),
  keyUsage: (flags: number): Extension => ext(id_ce_keyUsage, true, new KeyUsage(flags)),
  extendedKeyUsage: (oids: readonly string[]): Extension =>
    ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...oids])),
  subjectAltName: (dnsNames: readonly string[], uris: readonly string[], critical: boolean): Extension =>
    ext(
      id_ce_subjectAltName,
      critical,
      new SubjectAlternativeName([
        ...dnsNames.map((dNSName) => new GeneralName({ dNSName })),
        ...uris.map((uniformResourceIdentifier) => new GeneralName({ uniformResourceIdentifier })),
      ]),
    ),
  subjectKeyIdentifier: (publicKey: Uint8Array): Extension =>
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(toArrayBuffer(keyIdentifier(publicKey)))),
  authorityKeyIdentifier: (keyId: Uint8Array): Extension =>
    ext(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(toArrayBuffer(keyId)) }),
    ),
  /** One distribution point per URI, each a full name (no reasons, no CRL issuer: the CA's own CRL). */
  crlDistributionPoints: (uris: readonly string[]): Extension =>
    ext(
      id_ce_cRLDistributionPoints,
      false,
      new CRLDistributionPoints(
        uris.map(
          (uniformResourceIdentifier) =>
            new DistributionPoint({
              distributionPoint: new DistributionPointName({
                fullName: [new GeneralName({ uniformResourceIdentifier })],
              }),
            }),
        ),
      ),
    ),
  /** One caIssuers access description per URI (no OCSP: the local CA runs no responder). */
  authorityInfoAccess: (caIssuers: readonly string[]): Extension =>
    ext(
      id_pe_authorityInfoAccess,
      false,
      new AuthorityInfoAccessSyntax(
        caIssuers.map(
          (uniformResourceIdentifier) =>
            new AccessDescription({
              accessMethod: id_ad_caIssuers,
              accessLocation: new GeneralName({ uniformResourceIdentifier }),
            }),
        ),
      ),
    ),
};

export interface IssuerMaterial {
  readonly certificate: CertificateInfo;
  readonly key: MlDsaSigningKey;
}

const issuerKeyId = (issuer: IssuerMaterial): Uint8Array =>
  issuer.certificate.subjectKeyIdentifier ?? keyIdentifier(issuer.certificate.publicKey.publicKey);

export interface RootCertificateOptions {
  readonly subject: DistinguishedName;
  readonly key: MlDsaSigningKey;
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Max number of intermediates below the root; unlimited when undefined. */
  readonly pathLength?: number;
}

export const createRootCertificate = (o: RootCertificateOptions): CertificateInfo => {
  const name = buildName(o.subject);
  return signCertificate({
    serialNumber: o.serialNumber,
    subject: name,
    subjectPublicKey: { algorithm: o.key.algorithm, publicKey: o.key.publicKey },
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    issuerName: name,
    issuerKey: o.key,
    extensions: [
      extensions.basicConstraints(true, o.pathLength),
      extensions.keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
      extensions.subjectKeyIdentifier(o.key.publicKey),
    ],
  });
};

export interface IntermediateCertificateOptions {
  readonly subject: DistinguishedName;
  readonly publicKey: MlDsaPublicKey;
  readonly issuer: IssuerMaterial;
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Defaults to 0: the intermediate issues end-entity certificates only. */
  readonly pathLength?: number;
}

export const createIntermediateCertificate = (o: IntermediateCertificateOptions): CertificateInfo =>
  signCertificate({
    serialNumber: o.serialNumber,
    subject: buildName(o.subject),
    subjectPublicKey: o.publicKey,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    issuerName: o.issuer.certificate.subject,
    issuerKey: o.issuer.key,
    extensions: [
      extensions.basicConstraints(true, o.pathLength ?? 0),
      extensions.keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
      extensions.subjectKeyIdentifier(o.publicKey.publicKey),
      extensions.authorityKeyIdentifier(issuerKeyId(o.issuer)),
    ],
  });

export interface ServiceCertificateOptions {
  readonly subject: Name;
  readonly publicKey: MlDsaPublicKey;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly issuer: IssuerMaterial;
  readonly serialNumber: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Defaults to serverAuth + clientAuth (the service profile); overridable for custom profiles. */
  readonly extendedKeyUsage?: readonly string[];
  /** Where relying parties fetch the issuer's CRL (DER over http); no extension when empty. */
  readonly crlDistributionPoints?: readonly string[];
  /** Where relying parties fetch the issuer's certificate (DER over http, AIA caIssuers); none when empty. */
  readonly caIssuers?: readonly string[];
}

/**
 * The service profile (issue 3): v3, digitalSignature only (never keyEncipherment: ML-DSA cannot
 * encipher), cA=false, EKU serverAuth+clientAuth, SAN, SKI/AKI. SAN is critical when the subject is
 * empty (RFC 5280 §4.2.1.6).
 */
export const createServiceCertificate = (o: ServiceCertificateOptions): CertificateInfo => {
  if (o.subject.length === 0 && o.dnsNames.length + o.uris.length === 0) {
    throw new InvalidInputError('a certificate needs a subject name or at least one subject alternative name');
  }
  const list = [
    extensions.basicConstraints(false),
    extensions.keyUsage(KeyUsageFlags.digitalSignature),
    extensions.extendedKeyUsage(o.extendedKeyUsage ?? [OID.serverAuth, OID.clientAuth]),
    extensions.subjectKeyIdentifier(o.publicKey.publicKey),
    extensions.authorityKeyIdentifier(issuerKeyId(o.issuer)),
  ];
  if (o.dnsNames.length + o.uris.length > 0) {
    list.push(extensions.subjectAltName(o.dnsNames, o.uris, o.subject.length === 0));
  }
  if (o.crlDistributionPoints?.length) list.push(extensions.crlDistributionPoints(o.crlDistributionPoints));
  if (o.caIssuers?.length) list.push(extensions.authorityInfoAccess(o.caIssuers));
  return signCertificate({
    serialNumber: o.serialNumber,
    subject: o.subject,
    subjectPublicKey: o.publicKey,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    issuerName: o.issuer.certificate.subject,
    issuerKey: o.issuer.key,
    extensions: list,
  });
};

/** Splits a PEM bundle (or takes a DER / parsed list) into certificates, in order. */
export const parseCertificates = (input: string | Uint8Array | readonly CertificateInput[]): CertificateInfo[] => {
  if (Array.isArray(input)) return (input as readonly CertificateInput[]).map((c) => parseCertificate(c));
  if (typeof input === 'string' && isPem(input)) {
    const blocks = [...input.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
      (m) => m[0],
    );
    if (blocks.length === 0) throw new CertificateInvalidError('no PEM CERTIFICATE block found');
    return blocks.map((b) => parseCertificate(b));
  }
  return [parseCertificate(input as Uint8Array | string)];
};
