/**
 * HPKE AEADs. AES-256-GCM goes through the AeadProvider seam when the caller passes one (node:crypto
 * on the server, noble in browsers); the others are noble only, since the seam is AES-256-GCM only.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { DecryptionFailedError, UnsupportedAlgorithmError } from '../../errors.js';
import { nobleAead } from '../noble-provider.js';
import type { AeadProvider } from '../providers.js';
import { HPKE_AEAD, type HpkeAeadId } from './suites.js';

export interface HpkeAead {
  readonly id: HpkeAeadId;
  readonly name: string;
  readonly nk: number;
  readonly nn: number;
  readonly nt: number;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Throws DecryptionFailedError when the tag does not verify. */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

type CipherFactory = (
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
) => {
  encrypt(p: Uint8Array): Uint8Array;
  decrypt(c: Uint8Array): Uint8Array;
};

const fromNoble = (id: HpkeAeadId, name: string, nk: number, cipher: CipherFactory): HpkeAead => ({
  id,
  name,
  nk,
  nn: 12,
  nt: 16,
  seal: (key, nonce, aad, plaintext) => cipher(key, nonce, aad).encrypt(plaintext),
  open(key, nonce, aad, ciphertext) {
    try {
      return cipher(key, nonce, aad).decrypt(ciphertext);
    } catch (cause) {
      throw new DecryptionFailedError(`HPKE ${name} authentication failed`, { cause });
    }
  },
});

const aes256Gcm = (provider: AeadProvider): HpkeAead => ({
  id: HPKE_AEAD.AES_256_GCM,
  name: 'AES-256-GCM',
  nk: 32,
  nn: 12,
  nt: 16,
  seal: (key, nonce, aad, plaintext) => provider.seal(key, nonce, plaintext, aad),
  open(key, nonce, aad, ciphertext) {
    try {
      return provider.open(key, nonce, ciphertext, aad);
    } catch (cause) {
      if (cause instanceof DecryptionFailedError) throw cause;
      throw new DecryptionFailedError('HPKE AES-256-GCM authentication failed', { cause });
    }
  },
});

const exportOnly: HpkeAead = {
  id: HPKE_AEAD.EXPORT_ONLY,
  name: 'Export-only',
  nk: 0,
  nn: 0,
  nt: 0,
  seal() {
    throw new UnsupportedAlgorithmError('an export-only HPKE context cannot seal');
  },
  open() {
    throw new UnsupportedAlgorithmError('an export-only HPKE context cannot open');
  },
};

const aes128Gcm = fromNoble(HPKE_AEAD.AES_128_GCM, 'AES-128-GCM', 16, gcm);
const chacha = fromNoble(HPKE_AEAD.CHACHA20_POLY1305, 'ChaCha20-Poly1305', 32, chacha20poly1305);
const nobleAes256Gcm = aes256Gcm(nobleAead);

export const hpkeAead = (id: HpkeAeadId, provider?: AeadProvider): HpkeAead => {
  switch (id) {
    case HPKE_AEAD.AES_128_GCM:
      return aes128Gcm;
    case HPKE_AEAD.AES_256_GCM:
      return provider ? aes256Gcm(provider) : nobleAes256Gcm;
    case HPKE_AEAD.CHACHA20_POLY1305:
      return chacha;
    case HPKE_AEAD.EXPORT_ONLY:
      return exportOnly;
  }
};
