/**
 * Fail closed on every single-byte change: payloads, signatures and wrapped keys. Exhaustive over
 * positions (not sampled), and no error message may carry the plaintext or key bytes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { fromBase64, toBase64, toHex, utf8 } from '../../src/crypto/bytes.js';
import { QuantumApiError } from '../../src/index.js';
import { flipBit, memoryClient } from '../helpers.js';

const PLAINTEXT = 'alice@example.com: card 4111 1111 1111 1111';
const client = memoryClient();
const messages: string[] = [];

const expectTyped = async (p: Promise<unknown>, codes: readonly string[]): Promise<void> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(QuantumApiError);
    const err = e as QuantumApiError;
    messages.push(err.message, JSON.stringify(err.toJSON()));
    expect(codes, `unexpected code ${err.code}: ${err.message}`).toContain(err.code);
    return;
  }
  throw new Error('expected a typed error, the operation succeeded');
};

describe('tamper resistance', () => {
  let payload: string;
  let json: Uint8Array;
  beforeAll(async () => {
    payload = (await client.encryption.encrypt(PLAINTEXT, { aad: 'users/42/email' })).payload;
    json = fromBase64(payload);
  });

  test('flipping any bit-0 of any byte of the payload JSON gives a typed error', async () => {
    for (let i = 0; i < json.length; i++) {
      await expectTyped(client.encryption.decrypt(toBase64(flipBit(json, i)), { aad: 'users/42/email' }), [
        'INVALID_CIPHERTEXT',
        'DECRYPTION_FAILED',
        'KEY_NOT_FOUND',
        'INVALID_INPUT',
      ]);
    }
  });

  test('flipping the high bit of every 7th byte of the payload JSON gives a typed error', async () => {
    for (let i = 0; i < json.length; i += 7) {
      await expectTyped(client.encryption.decrypt(toBase64(flipBit(json, i, 7)), { aad: 'users/42/email' }), [
        'INVALID_CIPHERTEXT',
        'DECRYPTION_FAILED',
        'KEY_NOT_FOUND',
        'INVALID_INPUT',
      ]);
    }
  });

  test('wrong or missing AAD, truncation and non-Base64 input are typed errors', async () => {
    await expectTyped(client.encryption.decrypt(payload, { aad: 'users/43/email' }), ['DECRYPTION_FAILED']);
    await expectTyped(client.encryption.decrypt(payload), ['DECRYPTION_FAILED']);
    for (const cut of [1, 4, 100, payload.length - 4, payload.length - 1]) {
      await expectTyped(client.encryption.decrypt(payload.slice(0, cut), { aad: 'users/42/email' }), [
        'INVALID_CIPHERTEXT',
      ]);
    }
    await expectTyped(client.encryption.decrypt('not base64 at all!', { aad: 'x' }), ['INVALID_CIPHERTEXT']);
    await expectTyped(client.encryption.decrypt(`-${payload.slice(1)}`, { aad: 'users/42/email' }), [
      'INVALID_CIPHERTEXT',
    ]);
  });

  test('a payload relabelled to another key or version does not open', async () => {
    const other = await client.encryption.keys.create({ algorithm: 'ML-KEM-768' });
    const obj = JSON.parse(new TextDecoder().decode(json));
    const relabel = (edit: Record<string, unknown>) => toBase64(utf8(JSON.stringify({ ...obj, ...edit })));
    await expectTyped(client.encryption.decrypt(relabel({ k: other.id }), { aad: 'users/42/email' }), [
      'DECRYPTION_FAILED',
    ]);
    await expectTyped(client.encryption.decrypt(relabel({ kv: 2 }), { aad: 'users/42/email' }), ['KEY_NOT_FOUND']);
    await client.encryption.keys.rotate(obj.k);
    await expectTyped(client.encryption.decrypt(relabel({ kv: 2 }), { aad: 'users/42/email' }), ['DECRYPTION_FAILED']);
    await expectTyped(client.encryption.decrypt(relabel({ e: 'base64' }), { aad: 'users/42/email' }), [
      'DECRYPTION_FAILED',
    ]);
  });

  test('flipping any byte of a signature gives SIGNATURE_INVALID', async () => {
    const signed = await client.encryption.sign('release 1.2.3', { context: 'releases' });
    const sig = fromBase64(signed.signature);
    expect(sig.length).toBe(3309);
    // ML-DSA verification costs milliseconds: positions are drawn over the whole signature (and its
    // ends always), bits at random.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sig.length - 1 }), fc.integer({ min: 0, max: 7 }), async (i, bit) => {
        await expectTyped(
          client.encryption.verify({
            data: 'release 1.2.3',
            signature: flipBit(sig, i, bit),
            keyId: signed.keyId,
            context: 'releases',
          }),
          ['SIGNATURE_INVALID'],
        );
      }),
      {
        numRuns: 400,
        examples: [
          [0, 0],
          [sig.length - 1, 7],
          [3308, 0],
        ],
      },
    );
    await expectTyped(
      client.encryption.verify({
        data: 'release 1.2.4',
        signature: signed.signature,
        keyId: signed.keyId,
        context: 'releases',
      }),
      ['SIGNATURE_INVALID'],
    );
    await expectTyped(
      client.encryption.verify({ data: 'release 1.2.3', signature: signed.signature, keyId: signed.keyId }),
      ['SIGNATURE_INVALID'],
    );
    await expectTyped(
      client.encryption.verify({
        data: 'release 1.2.3',
        signature: sig.subarray(0, 100),
        keyId: signed.keyId,
        context: 'releases',
      }),
      ['SIGNATURE_INVALID'],
    );
  });

  test('flipping any byte of a wrapped data key gives a typed error', async () => {
    const dk = await client.encryption.generateDataKey();
    const wrapped = fromBase64(dk.wrappedKey);
    for (let i = 0; i < wrapped.length; i++) {
      await expectTyped(client.encryption.unwrapKey(toBase64(flipBit(wrapped, i))), [
        'INVALID_CIPHERTEXT',
        'DECRYPTION_FAILED',
        'KEY_NOT_FOUND',
      ]);
    }
    // Domain separation: a wrapped key is not a message, a message is not a wrapped key.
    await expectTyped(client.encryption.decrypt(dk.wrappedKey), ['DECRYPTION_FAILED']);
    await expectTyped(client.encryption.unwrapKey(payload), ['DECRYPTION_FAILED']);
    const keyB64 = toBase64(dk.plaintextKey);
    const keyHex = toHex(dk.plaintextKey);
    for (const m of messages) {
      expect(m).not.toContain(keyB64);
      expect(m).not.toContain(keyHex);
    }
  });

  test('no error message carries the plaintext', () => {
    expect(messages.length).toBeGreaterThan(1000);
    const fragments = [PLAINTEXT, 'alice@example.com', '4111 1111', toBase64(utf8(PLAINTEXT))];
    for (const m of messages) for (const f of fragments) expect(m).not.toContain(f);
  });
});
