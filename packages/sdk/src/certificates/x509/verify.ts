/**
 * Offline path validation for the ML-DSA service PKI: build a path from the leaf to one of the
 * given trust anchors through the given intermediates, then check signatures, validity windows,
 * basicConstraints / keyUsage / EKU and revocation against the supplied CRLs.
 *
 * Order matters for fail-closed behaviour: every signature on the path is verified before any
 * field of a certificate is trusted, so a tampered byte can only ever surface as INVALID or
 * UNTRUSTED, never as a misleading "expired".
 */
import type { MlDsaAlgorithm } from '../../crypto/algorithms.js';
import { equalBytes } from '../../crypto/bytes.js';
import { nobleSignature } from '../../crypto/noble-provider.js';
import type { SignatureProvider } from '../../crypto/providers.js';
import {
  CertificateExpiredError,
  CertificateInvalidError,
  CertificateNotYetValidError,
  CertificateRevokedError,
  CertificateUntrustedError,
  CertificateUsageError,
  CrlInvalidError,
} from '../errors.js';
import {
  type CertificateInfo,
  type CertificateInput,
  KeyUsageFlags,
  parseCertificate,
  parseCertificates,
} from './certificate.js';
import { type CrlInput, type ParsedCrl, parseCrl } from './crl.js';
import { sameName } from './name.js';
import { OID } from './oids.js';

export type CertificatePurpose = 'serverAuth' | 'clientAuth';

export interface VerifyCertificateOptions {
  /** Trust anchors: one certificate, a PEM bundle, or a list. */
  readonly ca: CertificateInput | readonly CertificateInput[];
  /** Untrusted intermediates that may complete the path. */
  readonly intermediates?: readonly CertificateInput[];
  /**
   * CRLs; each certificate on the path whose issuer has a CRL here is checked against it. Every CRL
   * given must belong to an issuer on the path (else CRL_INVALID); a link without a CRL is not
   * checked for revocation.
   */
  readonly crl?: CrlInput | readonly CrlInput[];
  /** Validation time; defaults to now. */
  readonly at?: Date;
  /**
   * Required EKU. When omitted and the leaf has an EKU extension, it must allow TLS use (serverAuth
   * or clientAuth): this verifier is for service certificates.
   */
  readonly purpose?: CertificatePurpose;
  /** Signature provider (native where available); noble by default. */
  readonly provider?: SignatureProvider;
}

export interface VerifiedCertificate {
  readonly subject: string;
  readonly commonName: string | undefined;
  readonly serialNumber: string;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly algorithm: MlDsaAlgorithm;
  readonly publicKey: Uint8Array;
  /** Leaf first, trust anchor last. */
  readonly chain: readonly CertificateInfo[];
  readonly certificate: CertificateInfo;
}

const MAX_DEPTH = 8;

const toList = <T>(x: T | readonly T[] | undefined): readonly T[] =>
  x === undefined ? [] : Array.isArray(x) ? (x as readonly T[]) : [x as T];

const fresh = (c: CertificateInput): CertificateInfo =>
  parseCertificate(typeof c === 'object' && !(c instanceof Uint8Array) ? c.der : c);

const anchorsOf = (ca: VerifyCertificateOptions['ca']): CertificateInfo[] => {
  const items = toList(ca as CertificateInput | readonly CertificateInput[]);
  const out = items.flatMap((c) => (typeof c === 'string' ? parseCertificates(c) : [fresh(c)]));
  if (out.length === 0) throw new CertificateUntrustedError('no trust anchor given');
  return out;
};

const mayHaveIssued = (issuer: CertificateInfo, child: CertificateInfo): boolean => {
  if (!sameName(issuer.subject, child.issuer)) return false;
  // Key identifiers, when both sides carry them, tell apart CAs that share a name (e.g. two local CAs).
  if (child.authorityKeyIdentifier && issuer.subjectKeyIdentifier) {
    return equalBytes(child.authorityKeyIdentifier, issuer.subjectKeyIdentifier);
  }
  return true;
};

const signedBy = (child: CertificateInfo, issuer: CertificateInfo, provider: SignatureProvider): boolean =>
  child.signatureAlgorithm === issuer.publicKey.algorithm &&
  provider.verify(issuer.publicKey.algorithm, issuer.publicKey.publicKey, child.tbs, child.signature);

/** A self-issued anchor must carry a valid self-signature: a corrupted anchor is refused, not trusted. */
const checkAnchor = (anchor: CertificateInfo, provider: SignatureProvider): void => {
  if (sameName(anchor.subject, anchor.issuer) && !signedBy(anchor, anchor, provider)) {
    throw new CertificateInvalidError('trust anchor self-signature does not verify', {
      details: { serialNumber: anchor.serialNumber },
    });
  }
};

/** Returns leaf..anchor, with every link's signature verified. */
const buildPath = (
  leaf: CertificateInfo,
  anchors: readonly CertificateInfo[],
  intermediates: readonly CertificateInfo[],
  provider: SignatureProvider,
): CertificateInfo[] => {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (anchors.some((a) => equalBytes(a.der, current.der))) {
      checkAnchor(current, provider);
      return path;
    }
    // Anchors first (shortest path); a name/key-id match whose signature fails is remembered so a
    // tampered certificate reports INVALID rather than "unknown issuer".
    let sawCandidate = false;
    const find = (pool: readonly CertificateInfo[]): CertificateInfo | undefined => {
      for (const c of pool) {
        if (path.includes(c) || !mayHaveIssued(c, current)) continue;
        sawCandidate = true;
        if (signedBy(current, c, provider)) return c;
      }
      return undefined;
    };
    const anchor = find(anchors);
    if (anchor) {
      checkAnchor(anchor, provider);
      path.push(anchor);
      return path;
    }
    const next = find(intermediates);
    if (!next) {
      if (sawCandidate) {
        throw new CertificateInvalidError('certificate signature does not verify under its issuer', {
          details: { serialNumber: current.serialNumber },
        });
      }
      throw new CertificateUntrustedError('no path from the certificate to a trust anchor', {
        details: { issuer: current.issuerText },
      });
    }
    path.push(next);
    current = next;
  }
  throw new CertificateUntrustedError('certificate path is too long', { details: { maxDepth: MAX_DEPTH } });
};

const checkValidity = (path: readonly CertificateInfo[], at: Date): void => {
  for (const c of path) {
    const details = { serialNumber: c.serialNumber, subject: c.subjectText };
    if (at.getTime() < c.notBefore.getTime())
      throw new CertificateNotYetValidError('certificate is not yet valid', { details });
    if (at.getTime() > c.notAfter.getTime()) throw new CertificateExpiredError('certificate has expired', { details });
  }
};

const checkUsage = (path: readonly CertificateInfo[], purpose: CertificatePurpose | undefined): void => {
  for (const c of path) {
    if (c.unknownCriticalExtensions.length > 0) {
      throw new CertificateInvalidError('certificate has an unsupported critical extension', {
        details: { oid: c.unknownCriticalExtensions[0], serialNumber: c.serialNumber },
      });
    }
  }
  const leaf = path[0] as CertificateInfo;
  // Issuers: CA bit, keyCertSign, and path length (counting the non-self-issued certificates below).
  for (let i = 1; i < path.length; i++) {
    const issuer = path[i] as CertificateInfo;
    const details = { serialNumber: issuer.serialNumber, subject: issuer.subjectText };
    if (!issuer.basicConstraints?.ca) throw new CertificateUsageError('issuer is not a CA', { details });
    if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsageFlags.keyCertSign) === 0) {
      throw new CertificateUsageError('issuer key may not sign certificates', { details });
    }
    const below = i - 1;
    if (issuer.basicConstraints.pathLength !== undefined && below > issuer.basicConstraints.pathLength) {
      throw new CertificateUsageError('path length constraint exceeded', { details });
    }
  }
  const details = { serialNumber: leaf.serialNumber, subject: leaf.subjectText };
  if (leaf.keyUsage !== undefined) {
    if ((leaf.keyUsage & KeyUsageFlags.digitalSignature) === 0 && path.length > 1) {
      throw new CertificateUsageError('certificate key usage lacks digitalSignature', { details });
    }
    const forbidden = KeyUsageFlags.keyEncipherment | KeyUsageFlags.dataEncipherment | KeyUsageFlags.keyAgreement;
    if ((leaf.keyUsage & forbidden) !== 0) {
      throw new CertificateUsageError('ML-DSA certificate claims an encipherment or agreement key usage', { details });
    }
  }
  const eku = leaf.extendedKeyUsage;
  if (eku !== undefined && !eku.includes(OID.anyExtendedKeyUsage)) {
    const wanted = purpose ? [OID[purpose]] : [OID.serverAuth, OID.clientAuth];
    if (!wanted.some((w) => eku.includes(w))) {
      throw new CertificateUsageError(`certificate extended key usage does not allow ${purpose ?? 'TLS'}`, { details });
    }
  }
};

const checkCrl = (crl: ParsedCrl, issuer: CertificateInfo, at: Date, provider: SignatureProvider): void => {
  const details = { issuer: crl.issuerText, crlNumber: crl.crlNumber };
  if (
    crl.authorityKeyIdentifier &&
    issuer.subjectKeyIdentifier &&
    !equalBytes(crl.authorityKeyIdentifier, issuer.subjectKeyIdentifier)
  ) {
    throw new CrlInvalidError('CRL was issued by a different key than the certificate issuer', { details });
  }
  if (
    crl.signatureAlgorithm !== issuer.publicKey.algorithm ||
    !provider.verify(issuer.publicKey.algorithm, issuer.publicKey.publicKey, crl.tbs, crl.signature)
  ) {
    throw new CrlInvalidError('CRL signature does not verify under the certificate issuer', { details });
  }
  if (issuer.keyUsage !== undefined && (issuer.keyUsage & KeyUsageFlags.cRLSign) === 0) {
    throw new CrlInvalidError('CRL issuer key may not sign CRLs', { details });
  }
  if (at.getTime() < crl.thisUpdate.getTime()) throw new CrlInvalidError('CRL is not yet valid', { details });
  if (crl.nextUpdate && at.getTime() > crl.nextUpdate.getTime()) throw new CrlInvalidError('CRL is stale', { details });
};

/**
 * Every supplied CRL must belong to an issuer on the path: a CRL that matches nothing is refused
 * rather than ignored, because ignoring it is exactly what a tampered issuer name would achieve.
 */
const checkRevocation = (
  path: readonly CertificateInfo[],
  crls: readonly ParsedCrl[],
  at: Date,
  provider: SignatureProvider,
): void => {
  const used = new Set<ParsedCrl>();
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i] as CertificateInfo;
    const issuer = path[i + 1] as CertificateInfo;
    for (const crl of crls) {
      if (!sameName(crl.issuer, cert.issuer)) continue;
      checkCrl(crl, issuer, at, provider);
      used.add(crl);
      const entry = crl.revoked.get(cert.serialNumber);
      if (entry) {
        throw new CertificateRevokedError('certificate has been revoked', {
          details: {
            serialNumber: cert.serialNumber,
            reason: entry.reason,
            revokedAt: entry.revocationDate.toISOString(),
          },
        });
      }
    }
  }
  const stray = crls.find((c) => !used.has(c));
  if (stray) {
    throw new CrlInvalidError('CRL was not issued by any CA on the certificate path', {
      details: { issuer: stray.issuerText, crlNumber: stray.crlNumber },
    });
  }
};

export const verifyCertificate = (input: CertificateInput, options: VerifyCertificateOptions): VerifiedCertificate => {
  const provider = options.provider ?? nobleSignature;
  const at = options.at ?? new Date();
  const leaf = fresh(input);
  const anchors = anchorsOf(options.ca);
  const intermediates = (options.intermediates ?? []).map(fresh);
  // Parsed objects are re-derived from their bytes: a verifier trusts no field it did not decode.
  const crls = toList(options.crl).map((c) =>
    parseCrl(typeof c === 'object' && !(c instanceof Uint8Array) ? c.der : c),
  );

  const path = buildPath(leaf, anchors, intermediates, provider);
  checkValidity(path, at);
  checkUsage(path, options.purpose);
  checkRevocation(path, crls, at, provider);

  return {
    subject: leaf.subjectText,
    commonName: leaf.commonName,
    serialNumber: leaf.serialNumber,
    dnsNames: leaf.subjectAltNames.dnsNames,
    uris: leaf.subjectAltNames.uris,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    algorithm: leaf.publicKey.algorithm,
    publicKey: leaf.publicKey.publicKey,
    chain: path,
    certificate: leaf,
  };
};

/**
 * Self-signed certificates (roots, the LAMPS example): checks that the certificate's own key
 * verifies its signature. Trust is still the caller's decision.
 */
export const verifySelfSigned = (
  input: CertificateInput,
  provider: SignatureProvider = nobleSignature,
): CertificateInfo => {
  const c = parseCertificate(input);
  if (!sameName(c.subject, c.issuer) || !signedBy(c, c, provider)) {
    throw new CertificateInvalidError('certificate is not validly self-signed', {
      details: { serialNumber: c.serialNumber },
    });
  }
  return c;
};
