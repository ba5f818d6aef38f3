/**
 * The client as a newcomer meets it: one object, four namespaces over the embedded engine, state
 * that survives a restart on the file store, and options checked before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, QuantumApiClient } from '../../src/index.js';
import { MASTER_KEY, memoryClient, tempDir } from '../helpers.js';

describe('QuantumApiClient', () => {
  it('serves encryption, vault, identity and certificates from one embedded engine', async () => {
    await using qapi = memoryClient({ local: { store: 'memory', identity: { issuer: 'https://id.example' } } });
    expect(qapi.backendKind).toBe('local');

    const { payload } = await qapi.encryption.encrypt('card 4111');
    expect((await qapi.encryption.decrypt(payload)).plaintext).toBe('card 4111');

    await qapi.vault.create({ name: 'DATABASE_URL', value: 'postgres://app@db/app' });
    const { DATABASE_URL } = await qapi.vault.resolve({ DATABASE_URL: 'DATABASE_URL' });
    expect(DATABASE_URL?.reveal()).toBe('postgres://app@db/app');
    expect(String(DATABASE_URL)).toBe('[redacted]');

    const { token } = await qapi.identity.issueToken({ sub: 'svc-orders' }, { expiresIn: '5m', audience: 'billing' });
    const jwks = await qapi.identity.jwks();
    const verified = await qapi.identity.verifyToken(token, {
      issuer: 'https://id.example',
      audience: 'billing',
      jwks,
    });
    expect(verified.payload.sub).toBe('svc-orders');

    const cert = await qapi.certificates.issue({ commonName: 'orders', dnsNames: ['orders.internal'] });
    const checked = await qapi.certificates.verify(cert.certificate);
    expect(checked.serialNumber).toBe(cert.serialNumber);
  });

  it('keeps keys, secrets and the CA across restarts on the file store', async () => {
    const dir = await tempDir();
    try {
      const options = { env: {}, local: { path: dir.path, masterKey: MASTER_KEY } };
      const first = new QuantumApiClient(options);
      const { payload } = await first.encryption.encrypt('kept');
      await first.vault.create({ name: 'API_TOKEN', value: 'tok_123' });
      const ca = await first.certificates.caCertificate();
      await first.close();

      await using second = new QuantumApiClient(options);
      expect((await second.encryption.decrypt(payload)).plaintext).toBe('kept');
      expect((await second.vault.get('API_TOKEN')).value.reveal()).toBe('tok_123');
      expect((await second.certificates.caCertificate()).root).toBe(ca.root);
    } finally {
      await dir.cleanup();
    }
  });

  it('picks the http backend when an API key is configured, without calling it', () => {
    const qapi = new QuantumApiClient({ env: { QUANTUMAPI_KEY: 'qapi_test_key_1234' } });
    expect(qapi.backendKind).toBe('http');
  });

  it.each([
    ['an unknown option', { colour: 'blue' }],
    ['a non-URL base URL', { baseUrl: 'not a url' }],
    ['a bad tenant', { local: { store: 'memory', tenant: '../etc' } }],
    ['an unknown CA root algorithm', { local: { store: 'memory', certificates: { rootAlgorithm: 'RSA' } } }],
    ['a non-function identity fetch', { local: { store: 'memory' }, identity: { fetch: 'curl' } }],
    ['an unknown http transport option', { backend: 'http', apiKey: 'qapi_test_key_1234', http: { retries: 3 } }],
  ])('rejects %s with INVALID_OPTIONS before doing anything', (_what, options) => {
    const create = () => new QuantumApiClient({ env: {}, ...(options as object) });
    expect(create).toThrow(InvalidOptionsError);
    try {
      create();
    } catch (e) {
      expect((e as InvalidOptionsError).code).toBe('INVALID_OPTIONS');
    }
  });
});
