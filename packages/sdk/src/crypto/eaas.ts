/**
 * EaaS KEM-DEM: how the local engine produces and opens EaaS payloads (docs/formats.md §1).
 *
 *   (ek, ss)  = KEM.Encaps(pk)                          ML-KEM-512/768/1024
 *   K         = HKDF-SHA256(salt = "QuantumAPI-EaaS-v1", IKM = ss,
 *                           info = LP(alg) || LP(k) || LP(kv), L = 32)
 *   n         = 12 random bytes
 *   c || t    = AES-256-GCM(K, n, plaintext, AAD = LP("QuantumAPI-EaaS-v1") || LP(k) || LP(kv) || LP(e) || LP(aad))
 *
 * LP(x) = u32be(len(x)) || x; kv is its decimal ASCII form. For symmetric keys (AES-256-GCM),
 * `ek` is empty and IKM is the 32-byte key itself. Binding k, kv and e as AAD means a payload
 * relabelled to another key, version or encoding fails to authenticate.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidCiphertextError } from '../errors.js';
import type { KemAlgorithm } from './algorithms.js';
import { lengthPrefixed, utf8 } from './bytes.js';
import { type EaasPayload, NONCE_LENGTH, type PayloadEncodingName, TAG_LENGTH } from './eaas-payload.js';
import type { CryptoProviders, PrivateKeyHandle } from './providers.js';

export const EAAS_LABEL = 'QuantumAPI-EaaS-v1';
const LABEL = utf8(EAAS_LABEL);

/** Encapsulated-key length per KEM (FIPS 203 ciphertext sizes). */
export const ENCAPSULATED_KEY_LENGTH: Record<KemAlgorithm, number> = {
  'ML-KEM-512': 768,
  'ML-KEM-768': 1088,
  'ML-KEM-1024': 1568,
};

export type EaasKeyAlgorithm = KemAlgorithm | 'AES-256-GCM';

interface Binding {
  readonly algorithm: EaasKeyAlgorithm;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encoding: PayloadEncodingName;
  readonly aad?: Uint8Array;
}

const deriveKey = (ikm: Uint8Array, b: Binding): Uint8Array =>
  hkdf(sha256, ikm, LABEL, lengthPrefixed(utf8(b.algorithm), utf8(b.keyId), utf8(String(b.keyVersion))), 32);

const gcmAad = (b: Binding): Uint8Array =>
  lengthPrefixed(LABEL, utf8(b.keyId), utf8(String(b.keyVersion)), utf8(b.encoding), b.aad ?? new Uint8Array(0));

/** Public key (KEM) or raw key (AES-256-GCM) to encrypt to. */
export type EaasRecipient =
  | { readonly algorithm: KemAlgorithm; readonly publicKey: Uint8Array }
  | { readonly algorithm: 'AES-256-GCM'; readonly secretKey: Uint8Array };

export type EaasOpener =
  | { readonly algorithm: KemAlgorithm; readonly privateKey: PrivateKeyHandle }
  | { readonly algorithm: 'AES-256-GCM'; readonly secretKey: Uint8Array };

export const eaasSeal = (
  providers: CryptoProviders,
  recipient: EaasRecipient,
  binding: Omit<Binding, 'algorithm'>,
  plaintext: Uint8Array,
): EaasPayload => {
  const b: Binding = { ...binding, algorithm: recipient.algorithm };
  let ikm: Uint8Array;
  let encapsulatedKey: Uint8Array;
  if (recipient.algorithm === 'AES-256-GCM') {
    ikm = recipient.secretKey;
    encapsulatedKey = new Uint8Array(0);
  } else {
    const r = providers.kem.encapsulate(recipient.algorithm, recipient.publicKey);
    ikm = r.sharedSecret;
    encapsulatedKey = r.encapsulatedKey;
  }
  const nonce = providers.random.randomBytes(NONCE_LENGTH);
  const sealed = providers.aead.seal(deriveKey(ikm, b), nonce, plaintext, gcmAad(b));
  return {
    ciphertext: sealed.subarray(0, sealed.length - TAG_LENGTH),
    tag: sealed.subarray(sealed.length - TAG_LENGTH),
    encapsulatedKey,
    nonce,
    keyId: b.keyId,
    keyVersion: b.keyVersion,
    encoding: b.encoding,
  };
};

/** Throws InvalidCiphertextError (shape) or DecryptionFailedError (authentication). */
export const eaasOpen = (
  providers: CryptoProviders,
  opener: EaasOpener,
  payload: EaasPayload,
  aad?: Uint8Array,
): Uint8Array => {
  const b: Binding = {
    algorithm: opener.algorithm,
    keyId: payload.keyId,
    keyVersion: payload.keyVersion,
    encoding: payload.encoding,
    ...(aad ? { aad } : {}),
  };
  let ikm: Uint8Array;
  if (opener.algorithm === 'AES-256-GCM') {
    if (payload.encapsulatedKey.length !== 0) {
      throw new InvalidCiphertextError('invalid encrypted payload: "ek" must be empty for a symmetric key');
    }
    ikm = opener.secretKey;
  } else {
    const expected = ENCAPSULATED_KEY_LENGTH[opener.algorithm];
    if (payload.encapsulatedKey.length !== expected) {
      throw new InvalidCiphertextError(
        `invalid encrypted payload: "ek" must be ${expected} bytes for ${opener.algorithm}`,
      );
    }
    ikm = providers.kem.decapsulate(opener.algorithm, opener.privateKey, payload.encapsulatedKey);
  }
  const ct = new Uint8Array(payload.ciphertext.length + TAG_LENGTH);
  ct.set(payload.ciphertext, 0);
  ct.set(payload.tag, payload.ciphertext.length);
  return providers.aead.open(deriveKey(ikm, b), payload.nonce, ct, gcmAad(b));
};
