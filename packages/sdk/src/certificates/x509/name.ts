/** Distinguished names: a small structured input shape, DER bytes for comparison, RFC 4514 text. */
import { AsnConvert } from '@peculiar/asn1-schema';
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from '@peculiar/asn1-x509';
import { equalBytes } from '../../crypto/bytes.js';
import { OID } from './oids.js';

export interface DistinguishedName {
  readonly commonName?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  /** ISO 3166 two-letter code. */
  readonly country?: string;
}

const rdn = (type: string, value: AttributeValue): RelativeDistinguishedName =>
  new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);

/** RDNs in the conventional most-significant-first order: C, O, OU, CN. */
export const buildName = (dn: DistinguishedName): Name => {
  const rdns: RelativeDistinguishedName[] = [];
  if (dn.country) rdns.push(rdn(OID.country, new AttributeValue({ printableString: dn.country })));
  if (dn.organization) rdns.push(rdn(OID.organization, new AttributeValue({ utf8String: dn.organization })));
  if (dn.organizationalUnit)
    rdns.push(rdn(OID.organizationalUnit, new AttributeValue({ utf8String: dn.organizationalUnit })));
  if (dn.commonName) rdns.push(rdn(OID.commonName, new AttributeValue({ utf8String: dn.commonName })));
  return new Name(rdns);
};

export const nameDer = (name: Name): Uint8Array => new Uint8Array(AsnConvert.serialize(name));

/** Names compare by DER bytes: we only accept DER inputs, so equal names have equal encodings. */
export const sameName = (a: Name, b: Name): boolean => equalBytes(nameDer(a), nameDer(b));

const SHORT: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.organization]: 'O',
  [OID.organizationalUnit]: 'OU',
  [OID.country]: 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
};

const escapeValue = (v: string): string =>
  v
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');

/** RFC 4514 string (least significant RDN first), e.g. `CN=svc,O=Acme`. */
export const nameToString = (name: Name): string =>
  [...name]
    .reverse()
    .map((r) => [...r].map((atv) => `${SHORT[atv.type] ?? atv.type}=${escapeValue(atv.value.toString())}`).join('+'))
    .join(',');

export const commonNameOf = (name: Name): string | undefined => {
  for (const r of name) for (const atv of r) if (atv.type === OID.commonName) return atv.value.toString();
  return undefined;
};
