/** Certificate revocation lists (RFC 5280 §5), v2, signed with ML-DSA. */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  CRLNumber,
  CRLReason,
  CRLReasons,
  CertificateList,
  Extension,
  KeyIdentifier,
  type Name,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
} from '@peculiar/asn1-x509';
import { equalBytes, fromHex, toHex } from '../../crypto/bytes.js';
import { InvalidInputError } from '../../errors.js';
import { CrlInvalidError } from '../errors.js';
import { type IssuerMaterial, keyIdentifier } from './certificate.js';
import { splitSigned, toArrayBuffer } from './der.js';
import { mlDsaAlgorithmIdentifier, mlDsaOfIdentifier, signWith } from './keys.js';
import { nameToString } from './name.js';
import { fromPem, toPem } from './pem.js';
import type { MlDsaAlgorithm } from '../../crypto/algorithms.js';

export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface RevokedEntry {
  /** Lower-case hex of the serial INTEGER content, as in CertificateInfo.serialNumber. */
  readonly serialNumber: string;
  readonly revocationDate: Date;
  readonly reason: RevocationReason;
}

export interface CrlOptions {
  readonly issuer: IssuerMaterial;
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly revoked: readonly RevokedEntry[];
}

const whole = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export const createCrl = (o: CrlOptions): ParsedCrl => {
  if (!Number.isSafeInteger(o.crlNumber) || o.crlNumber < 0)
    throw new InvalidInputError('CRL number must be a non-negative integer');
  const algorithm = mlDsaAlgorithmIdentifier(o.issuer.key.algorithm);
  const keyId = o.issuer.certificate.subjectKeyIdentifier ?? keyIdentifier(o.issuer.certificate.publicKey.publicKey);
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: o.issuer.certificate.subject,
    thisUpdate: new Time(whole(o.thisUpdate)),
    nextUpdate: new Time(whole(o.nextUpdate)),
    ...(o.revoked.length > 0
      ? {
          revokedCertificates: o.revoked.map(
            (r) =>
              new RevokedCertificate({
                userCertificate: toArrayBuffer(fromHex(r.serialNumber)),
                revocationDate: new Time(whole(r.revocationDate)),
                crlEntryExtensions: [
                  new Extension({
                    extnID: id_ce_cRLReasons,
                    critical: false,
                    extnValue: new OctetString(AsnConvert.serialize(new CRLReason(CRLReasons[r.reason]))),
                  }),
                ],
              }),
          ),
        }
      : {}),
    crlExtensions: [
      new Extension({
        extnID: id_ce_authorityKeyIdentifier,
        critical: false,
        extnValue: new OctetString(
          AsnConvert.serialize(new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(toArrayBuffer(keyId)) })),
        ),
      }),
      new Extension({
        extnID: id_ce_cRLNumber,
        critical: false,
        extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(o.crlNumber))),
      }),
    ],
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const list = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: mlDsaAlgorithmIdentifier(o.issuer.key.algorithm),
    signature: toArrayBuffer(signWith(o.issuer.key, tbsDer)),
  });
  return parseCrl(new Uint8Array(AsnConvert.serialize(list)));
};

export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly signatureAlgorithm: MlDsaAlgorithm;
  readonly issuer: Name;
  readonly issuerText: string;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly crlNumber: number | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** By serial (lower-case hex). */
  readonly revoked: ReadonlyMap<string, RevokedEntry>;
}

export type CrlInput = Uint8Array | string | ParsedCrl;

const reasonName = (r: CRLReasons): RevocationReason =>
  (REVOCATION_REASONS as readonly string[]).includes(CRLReasons[r] ?? '')
    ? (CRLReasons[r] as RevocationReason)
    : 'unspecified';

/** Parses a CRL (structure only: the signature is checked by the verifier against the issuer). */
export const parseCrl = (input: CrlInput): ParsedCrl => {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return input;
  let der: Uint8Array;
  try {
    der = typeof input === 'string' ? fromPem(input, 'X509 CRL') : input;
  } catch (cause) {
    throw new CrlInvalidError('CRL is not a single PEM X509 CRL block', { cause });
  }
  const parts = splitSigned(der);
  if (!parts) throw new CrlInvalidError('CRL is not a DER CertificateList SEQUENCE');
  try {
    const list = AsnConvert.parse(toArrayBuffer(der), CertificateList);
    if (!equalBytes(new Uint8Array(AsnConvert.serialize(list)), der))
      throw new CrlInvalidError('CRL is not DER-encoded');
    const t = list.tbsCertList;
    const signatureAlgorithm = mlDsaOfIdentifier(list.signatureAlgorithm);
    if (!signatureAlgorithm) throw new CrlInvalidError('CRL signature algorithm is not ML-DSA (RFC 9881)');
    if (
      !equalBytes(
        new Uint8Array(AsnConvert.serialize(t.signature)),
        new Uint8Array(AsnConvert.serialize(list.signatureAlgorithm)),
      )
    ) {
      throw new CrlInvalidError('CRL inner and outer signature algorithms differ');
    }
    let crlNumber: number | undefined;
    let aki: Uint8Array | undefined;
    for (const e of t.crlExtensions ?? []) {
      if (e.extnID === id_ce_cRLNumber) crlNumber = AsnConvert.parse(e.extnValue.buffer, CRLNumber).value;
      else if (e.extnID === id_ce_authorityKeyIdentifier) {
        const k = AsnConvert.parse(e.extnValue.buffer, AuthorityKeyIdentifier).keyIdentifier;
        aki = k ? new Uint8Array(k.buffer) : undefined;
      } else if (e.critical)
        throw new CrlInvalidError('CRL has an unknown critical extension', { details: { oid: e.extnID } });
    }
    const revoked = new Map<string, RevokedEntry>();
    for (const r of t.revokedCertificates ?? []) {
      let reason: RevocationReason = 'unspecified';
      for (const e of r.crlEntryExtensions ?? []) {
        if (e.extnID === id_ce_cRLReasons) reason = reasonName(AsnConvert.parse(e.extnValue.buffer, CRLReason).reason);
        // Entry extensions such as certificateIssuer change whose serials these are: refuse them.
        else if (e.critical)
          throw new CrlInvalidError('CRL entry has an unknown critical extension', { details: { oid: e.extnID } });
      }
      const serialNumber = toHex(new Uint8Array(r.userCertificate));
      revoked.set(serialNumber, { serialNumber, revocationDate: r.revocationDate.getTime(), reason });
    }
    return {
      der: der.slice(),
      pem: toPem('X509 CRL', der),
      tbs: parts.tbs.slice(),
      signature: new Uint8Array(list.signature),
      signatureAlgorithm,
      issuer: t.issuer,
      issuerText: nameToString(t.issuer),
      thisUpdate: t.thisUpdate.getTime(),
      nextUpdate: t.nextUpdate?.getTime(),
      crlNumber,
      authorityKeyIdentifier: aki,
      revoked,
    };
  } catch (cause) {
    if (cause instanceof CrlInvalidError) throw cause;
    throw new CrlInvalidError('malformed CRL', { cause });
  }
};
