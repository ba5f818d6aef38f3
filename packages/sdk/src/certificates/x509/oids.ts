/** Object identifiers used by the certificate profile (RFC 5280, RFC 9881). */
import type { MlDsaAlgorithm } from '../../crypto/algorithms.js';

/** RFC 9881 §2: id-ml-dsa-44/65/87; AlgorithmIdentifier parameters MUST be absent. */
export const ML_DSA_OIDS: Record<MlDsaAlgorithm, string> = {
  'ML-DSA-44': '2.16.840.1.101.3.4.3.17',
  'ML-DSA-65': '2.16.840.1.101.3.4.3.18',
  'ML-DSA-87': '2.16.840.1.101.3.4.3.19',
};

export const algorithmOfOid = (oid: string): MlDsaAlgorithm | undefined =>
  (Object.keys(ML_DSA_OIDS) as MlDsaAlgorithm[]).find((a) => ML_DSA_OIDS[a] === oid);

export const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  country: '2.5.4.6',
  extensionRequest: '1.2.840.113549.1.9.14',
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** FIPS 204 sizes, used to reject keys and signatures of the wrong shape before any maths. */
export const ML_DSA_SIZES: Record<MlDsaAlgorithm, { publicKey: number; secretKey: number; signature: number }> = {
  'ML-DSA-44': { publicKey: 1312, secretKey: 2560, signature: 2420 },
  'ML-DSA-65': { publicKey: 1952, secretKey: 4032, signature: 3309 },
  'ML-DSA-87': { publicKey: 2592, secretKey: 4896, signature: 4627 },
};
