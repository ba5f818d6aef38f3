/** Test PKI built with the real x509 module (no mocks): root, intermediate, service certificates. */
import type { MlDsaAlgorithm } from '../../src/crypto/algorithms.js';
import { webRandom } from '../../src/crypto/noble-provider.js';
import {
  type CertificateInfo,
  type IssuerMaterial,
  createIntermediateCertificate,
  createRootCertificate,
  createServiceCertificate,
  randomSerial,
} from '../../src/certificates/x509/certificate.js';
import { type MlDsaSigningKey, signingKeyFromSeed } from '../../src/certificates/x509/keys.js';
import { buildName } from '../../src/certificates/x509/name.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const T0 = new Date('2026-06-01T12:00:00Z');

export const newKey = (alg: MlDsaAlgorithm = 'ML-DSA-65'): MlDsaSigningKey =>
  signingKeyFromSeed(alg, webRandom.randomBytes(32));

export const makeRoot = (name = 'Test Root CA', alg: MlDsaAlgorithm = 'ML-DSA-65', at = T0): IssuerMaterial => {
  const key = newKey(alg);
  const certificate = createRootCertificate({
    subject: { commonName: name, organization: 'QuantumAPI Tests' },
    key,
    serialNumber: randomSerial(webRandom),
    notBefore: new Date(at.getTime() - DAY),
    notAfter: new Date(at.getTime() + 3650 * DAY),
  });
  return { certificate, key };
};

export const makeIntermediate = (root: IssuerMaterial, at = T0): IssuerMaterial => {
  const key = newKey();
  const certificate = createIntermediateCertificate({
    subject: { commonName: 'Test Issuing CA', organization: 'QuantumAPI Tests' },
    publicKey: { algorithm: key.algorithm, publicKey: key.publicKey },
    issuer: root,
    serialNumber: randomSerial(webRandom),
    notBefore: new Date(at.getTime() - DAY),
    notAfter: new Date(at.getTime() + 365 * DAY),
  });
  return { certificate, key };
};

export interface Leaf {
  readonly certificate: CertificateInfo;
  readonly key: MlDsaSigningKey;
}

export const makeLeaf = (
  issuer: IssuerMaterial,
  o: { at?: Date; ttl?: number; eku?: readonly string[]; cn?: string } = {},
): Leaf => {
  const at = o.at ?? T0;
  const key = newKey();
  const certificate = createServiceCertificate({
    subject: buildName({ commonName: o.cn ?? 'orders.internal' }),
    publicKey: { algorithm: key.algorithm, publicKey: key.publicKey },
    dnsNames: ['orders.internal', 'localhost'],
    uris: ['spiffe://example.org/ns/prod/sa/orders'],
    issuer,
    serialNumber: randomSerial(webRandom),
    notBefore: new Date(at.getTime() - 5 * 60_000),
    notAfter: new Date(at.getTime() + (o.ttl ?? DAY)),
    ...(o.eku ? { extendedKeyUsage: o.eku } : {}),
  });
  return { certificate, key };
};
