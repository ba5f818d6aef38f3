/**
 * PKCS#10 certification requests (RFC 2986) with ML-DSA. The CSR's self-signature is the proof of
 * possession: a CA issues only for a public key whose holder signed the request.
 */
import { CertificationRequest, CertificationRequestInfo, Attributes } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attribute, Extensions, type Name } from '@peculiar/asn1-x509';
import { equalBytes } from '../../crypto/bytes.js';
import { nobleSignature } from '../../crypto/noble-provider.js';
import type { SignatureProvider } from '../../crypto/providers.js';
import { CsrInvalidError } from '../errors.js';
import { extensionsOf, extensions as ext } from './certificate.js';
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
import { fromPem, toPem } from './pem.js';

export interface CsrOptions {
  readonly key: MlDsaSigningKey;
  readonly subject: DistinguishedName;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
}

/** Builds and signs a CSR; SANs travel in a PKCS#9 extensionRequest attribute. */
export const createCsr = (o: CsrOptions): { der: Uint8Array; pem: string } => {
  const dns = o.dnsNames ?? [];
  const uris = o.uris ?? [];
  const attributes = new Attributes();
  if (dns.length + uris.length > 0) {
    const requested = new Extensions([ext.subjectAltName(dns, uris, false)]);
    attributes.push(new Attribute({ type: OID.extensionRequest, values: [AsnConvert.serialize(requested)] }));
  }
  const info = new CertificationRequestInfo({
    version: 0,
    subject: buildName(o.subject),
    subjectPKInfo: spkiOf(o.key.algorithm, o.key.publicKey),
    attributes,
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const csr = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: mlDsaAlgorithmIdentifier(o.key.algorithm),
    signature: toArrayBuffer(signWith(o.key, infoDer)),
  });
  const der = new Uint8Array(AsnConvert.serialize(csr));
  return { der, pem: toPem('CERTIFICATE REQUEST', der) };
};

export interface ParsedCsr {
  readonly der: Uint8Array;
  readonly subject: Name;
  readonly subjectText: string;
  readonly commonName: string | undefined;
  readonly publicKey: MlDsaPublicKey;
  readonly dnsNames: readonly string[];
  readonly uris: readonly string[];
}

/** Parses a CSR and verifies its self-signature; every failure is CSR_INVALID. */
export const parseCsr = (input: Uint8Array | string, provider: SignatureProvider = nobleSignature): ParsedCsr => {
  let der: Uint8Array;
  try {
    der = typeof input === 'string' ? fromPem(input, 'CERTIFICATE REQUEST') : input;
  } catch (cause) {
    throw new CsrInvalidError('CSR is not a single PEM CERTIFICATE REQUEST block', { cause });
  }
  const parts = splitSigned(der);
  if (!parts) throw new CsrInvalidError('CSR is not a DER CertificationRequest SEQUENCE');
  let csr: CertificationRequest;
  let publicKey: MlDsaPublicKey;
  try {
    csr = AsnConvert.parse(toArrayBuffer(der), CertificationRequest);
    if (!equalBytes(new Uint8Array(AsnConvert.serialize(csr)), der))
      throw new CsrInvalidError('CSR is not DER-encoded');
    publicKey = publicKeyOfSpki(csr.certificationRequestInfo.subjectPKInfo);
  } catch (cause) {
    if (cause instanceof CsrInvalidError) throw cause;
    throw new CsrInvalidError('malformed CSR', { cause });
  }
  const alg = mlDsaOfIdentifier(csr.signatureAlgorithm);
  if (!alg) throw new CsrInvalidError('CSR signature algorithm is not ML-DSA (RFC 9881)');
  // Proof of possession: the request is signed by the key it asks to certify, so the algorithms match.
  if (alg !== publicKey.algorithm) throw new CsrInvalidError('CSR signature algorithm does not match its key');
  const signature = new Uint8Array(csr.signature);
  if (!provider.verify(alg, publicKey.publicKey, parts.tbs, signature)) {
    throw new CsrInvalidError('CSR signature does not verify');
  }
  const info = csr.certificationRequestInfo;
  if (info.version !== 0) throw new CsrInvalidError('unsupported CSR version');
  let dnsNames: readonly string[] = [];
  let uris: readonly string[] = [];
  try {
    for (const attr of info.attributes) {
      if (attr.type !== OID.extensionRequest) continue;
      for (const v of attr.values) {
        const san = extensionsOf([...AsnConvert.parse(v, Extensions)]).subjectAltNames;
        dnsNames = [...dnsNames, ...san.dnsNames];
        uris = [...uris, ...san.uris];
      }
    }
  } catch (cause) {
    throw new CsrInvalidError('malformed CSR extension request', { cause });
  }
  return {
    der: der.slice(),
    subject: info.subject,
    subjectText: nameToString(info.subject),
    commonName: commonNameOf(info.subject),
    publicKey,
    dnsNames,
    uris,
  };
};
