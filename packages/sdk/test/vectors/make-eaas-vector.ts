/**
 * Generates test/vectors/eaas-v1.json: a fixed-input EaaS payload (docs/formats.md §1).
 * Run: npx tsx test/vectors/make-eaas-vector.ts > test/vectors/eaas-v1.json
 * Inputs are fixed byte patterns so anyone can reproduce the payload with another implementation.
 */
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { toHex, utf8 } from '../../src/crypto/bytes.js';
import { eaasSeal } from '../../src/crypto/eaas.js';
import { encodeEaasPayload } from '../../src/crypto/eaas-payload.js';
import { nobleProviders } from '../../src/crypto/noble-provider.js';
import type { CryptoProviders } from '../../src/crypto/providers.js';

const pattern = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const seed = pattern(64, 0x00);
const encapsRandomness = pattern(32, 0x40);
const nonce = pattern(12, 0x80);
const keyId = '3f0e6c1a-8b2d-4e5f-9a7b-1c2d3e4f5a6b';
const keyVersion = 2;
const plaintext = 'alice@example.com';
const aad = 'users/42/email';

const { publicKey } = ml_kem768.keygen(seed);
const fixed: CryptoProviders = {
  ...nobleProviders,
  kem: {
    ...nobleProviders.kem,
    encapsulate: (_alg, pk) => {
      const r = ml_kem768.encapsulate(pk, encapsRandomness);
      return { encapsulatedKey: r.cipherText, sharedSecret: r.sharedSecret };
    },
  },
  random: { name: 'fixed', randomBytes: () => nonce },
};
const payload = encodeEaasPayload(
  eaasSeal(
    fixed,
    { algorithm: 'ML-KEM-768', publicKey },
    { keyId, keyVersion, encoding: 'utf8', aad: utf8(aad) },
    utf8(plaintext),
  ),
);
const sharedSecret = ml_kem768.encapsulate(publicKey, encapsRandomness).sharedSecret;

console.log(
  JSON.stringify(
    {
      description: 'EaaS payload v1 (QuantumAPI EncryptedPayload) with ML-KEM-768; see docs/formats.md',
      algorithm: 'ML-KEM-768',
      seed: toHex(seed),
      encapsRandomness: toHex(encapsRandomness),
      sharedSecret: toHex(sharedSecret),
      nonce: toHex(nonce),
      keyId,
      keyVersion,
      encoding: 'utf8',
      plaintext,
      aad,
      payload,
    },
    null,
    2,
  ),
);
