import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, test } from 'vitest';
import { fromHex, utf8 } from '../../src/crypto/bytes.js';
import { eaasOpen, eaasSeal } from '../../src/crypto/eaas.js';
import { decodeEaasPayload, encodeEaasPayload } from '../../src/crypto/eaas-payload.js';
import { nobleProviders } from '../../src/crypto/noble-provider.js';
import { defaultProviders } from '#runtime';
import vector from '../vectors/eaas-v1.json' with { type: 'json' };

describe('EaaS payload v1 vector (test/vectors/eaas-v1.json)', () => {
  const seed = fromHex(vector.seed);

  test.each([
    ['noble', nobleProviders],
    ['runtime default', defaultProviders],
  ])('opens with the %s providers to the documented plaintext', (_name, providers) => {
    const { privateKey } = providers.kem.keyPairFromSeed('ML-KEM-768', seed);
    const payload = decodeEaasPayload(vector.payload);
    expect(payload).toMatchObject({ keyId: vector.keyId, keyVersion: vector.keyVersion, encoding: 'utf8' });
    expect(payload.encapsulatedKey).toHaveLength(1088);
    const pt = eaasOpen(providers, { algorithm: 'ML-KEM-768', privateKey }, payload, utf8(vector.aad));
    expect(new TextDecoder().decode(pt)).toBe(vector.plaintext);
  });

  test('is reproduced byte for byte from its fixed inputs', () => {
    const { publicKey } = ml_kem768.keygen(seed);
    const providers = {
      ...nobleProviders,
      kem: {
        ...nobleProviders.kem,
        encapsulate: (_alg: string, pk: Uint8Array) => {
          const r = ml_kem768.encapsulate(pk, fromHex(vector.encapsRandomness));
          expect(r.sharedSecret).toEqual(fromHex(vector.sharedSecret));
          return { encapsulatedKey: r.cipherText, sharedSecret: r.sharedSecret };
        },
      },
      random: { name: 'fixed', randomBytes: () => fromHex(vector.nonce) },
    };
    const sealed = eaasSeal(
      providers,
      { algorithm: 'ML-KEM-768', publicKey },
      { keyId: vector.keyId, keyVersion: vector.keyVersion, encoding: 'utf8', aad: utf8(vector.aad) },
      utf8(vector.plaintext),
    );
    expect(encodeEaasPayload(sealed)).toBe(vector.payload);
  });
});
