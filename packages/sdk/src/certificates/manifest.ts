/**
 * Signed evidence manifests: a JSON document, canonicalised (RFC 8785-style: sorted keys, no
 * whitespace, ECMAScript number and string serialisation), signed with the ML-DSA key of a service
 * certificate. Verification is fully offline: signature, then the signer's certificate against the
 * CA and CRL at the chosen time.
 */
import type { MlDsaAlgorithm } from '../crypto/algorithms.js';
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/bytes.js';
import { nobleSignature } from '../crypto/noble-provider.js';
import type { SignatureProvider } from '../crypto/providers.js';
import { InvalidInputError, SignatureInvalidError } from '../errors.js';
import { type CertificateInput, parseCertificate } from './x509/certificate.js';
import type { CrlInput } from './x509/crl.js';
import type { MlDsaSigningKey } from './x509/keys.js';
import { type VerifiedCertificate, verifyCertificate } from './x509/verify.js';

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** ML-DSA context string: a manifest signature can never be replayed as any other ML-DSA signature. */
export const MANIFEST_CONTEXT = utf8('quantumapi-manifest-v1');

/** RFC 8785-style canonical JSON. Rejects values JSON cannot represent exactly (NaN, undefined, ...). */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError('manifest numbers must be finite');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    // JCS sorts by UTF-16 code units, which is what default string comparison does.
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new InvalidInputError('manifest must be plain JSON (objects, arrays, strings, finite numbers, booleans, null)');
};

export interface SignedManifest {
  readonly v: 1;
  readonly alg: MlDsaAlgorithm;
  readonly manifest: JsonValue;
  /** base64url ML-DSA signature over canonicalJson(manifest) with context MANIFEST_CONTEXT. */
  readonly signature: string;
  /** Signer's certificate (PEM). */
  readonly certificate: string;
  /** Intermediates (PEM), nearest first; the root is the verifier's own trust anchor. */
  readonly chain: readonly string[];
}

export interface ManifestSigner {
  readonly key: MlDsaSigningKey;
  readonly certificate: CertificateInput;
  readonly intermediates?: readonly CertificateInput[];
}

export const signManifest = (manifest: JsonValue, signer: ManifestSigner): SignedManifest => {
  const cert = parseCertificate(signer.certificate);
  if (
    cert.publicKey.algorithm !== signer.key.algorithm ||
    toBase64Url(cert.publicKey.publicKey) !== toBase64Url(signer.key.publicKey)
  ) {
    throw new InvalidInputError('signing key does not match the certificate');
  }
  const bytes = utf8(canonicalJson(manifest));
  const signature = signer.key.signer.sign(signer.key.algorithm, signer.key.privateKey, bytes, MANIFEST_CONTEXT);
  return {
    v: 1,
    alg: signer.key.algorithm,
    manifest,
    signature: toBase64Url(signature),
    certificate: cert.pem,
    chain: (signer.intermediates ?? []).map((c) => parseCertificate(c).pem),
  };
};

export interface VerifyManifestOptions {
  readonly ca: CertificateInput | readonly CertificateInput[];
  readonly crl?: CrlInput | readonly CrlInput[];
  /** Time at which the signer's certificate must have been valid (e.g. the manifest's own timestamp). */
  readonly at?: Date;
  readonly provider?: SignatureProvider;
}

export interface VerifiedManifest {
  readonly manifest: JsonValue;
  readonly signer: VerifiedCertificate;
}

/** SIGNATURE_INVALID for a bad signature; the CERTIFICATE_* / CRL_INVALID codes for the signer. */
export const verifyManifest = (signed: SignedManifest, options: VerifyManifestOptions): VerifiedManifest => {
  if (signed?.v !== 1 || typeof signed.signature !== 'string' || typeof signed.certificate !== 'string') {
    throw new InvalidInputError('not a signed manifest (v1)');
  }
  const provider = options.provider ?? nobleSignature;
  const signer = verifyCertificate(signed.certificate, {
    ca: options.ca,
    intermediates: Array.isArray(signed.chain) ? signed.chain : [],
    ...(options.crl === undefined ? {} : { crl: options.crl }),
    ...(options.at === undefined ? {} : { at: options.at }),
    provider,
  });
  if (signed.alg !== signer.algorithm)
    throw new SignatureInvalidError('manifest algorithm does not match the signer certificate');
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(signed.signature);
  } catch (cause) {
    throw new SignatureInvalidError('manifest signature is not base64url', { cause });
  }
  const bytes = utf8(canonicalJson(signed.manifest));
  if (!provider.verify(signer.algorithm, signer.publicKey, bytes, signature, MANIFEST_CONTEXT)) {
    throw new SignatureInvalidError('manifest signature does not verify');
  }
  return { manifest: signed.manifest, signer };
};
