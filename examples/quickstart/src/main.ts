/**
 * Quick start: the embedded local engine, end to end. Run with `pnpm demo` from the repo root.
 *
 * Everything happens in this process: keys live in a file store (a temp directory here), sealed
 * under a master key. In your service, set QAPI_MASTER_KEY from your secret manager instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantumApiClient, type QuantumApiError } from '@quantumapi/sdk';

const storePath = await mkdtemp(join(tmpdir(), 'qapi-quickstart-'));
const masterKey = randomBytes(32).toString('base64');
const lines: string[] = [];
const report = (label: string, value: string) => lines.push(`  ${label.padEnd(34)} ${value}`);
const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;

const qapi = new QuantumApiClient({ local: { store: 'file', path: storePath, masterKey } });
try {
  await qapi.ready();

  // Keys: ML-KEM-768 for encryption, ML-DSA-65 for signatures. Ids are UUIDs.
  const kem = await qapi.encryption.keys.create({ algorithm: 'ML-KEM-768', name: 'orders', setAsDefault: true });
  const dsa = await qapi.encryption.keys.create({ algorithm: 'ML-DSA-65', name: 'releases', setAsDefault: true });
  report('encryption key (ML-KEM-768)', kem.id);
  report('signing key (ML-DSA-65)', dsa.id);

  // Encrypt: the AAD binds the ciphertext to where it belongs; it must match to decrypt.
  let t0 = performance.now();
  const { payload, keyVersion } = await qapi.encryption.encrypt('4111 1111 1111 1111', { aad: 'orders/1001/card' });
  report('encrypt (string, with AAD)', `${payload.length} chars of payload, key v${keyVersion}, ${ms(t0)}`);
  t0 = performance.now();
  const back = await qapi.encryption.decryptString(payload, { aad: 'orders/1001/card' });
  report('decrypt', `${back === '4111 1111 1111 1111' ? 'round trip OK' : 'MISMATCH'}, ${ms(t0)}`);
  try {
    await qapi.encryption.decrypt(payload, { aad: 'orders/1002/card' });
    report('decrypt with the wrong AAD', 'ACCEPTED (bug!)');
  } catch (e) {
    report('decrypt with the wrong AAD', `refused: ${(e as QuantumApiError).code}`);
  }

  // Sign and verify (ML-DSA-65, pure, with a context string).
  t0 = performance.now();
  const signed = await qapi.encryption.sign('release v1.2.3 sha256:9f86d0…', { context: 'releases' });
  report('sign', `${Buffer.from(signed.signature, 'base64').length}-byte signature, ${ms(t0)}`);
  t0 = performance.now();
  await qapi.encryption.verify({
    data: 'release v1.2.3 sha256:9f86d0…',
    signature: signed.signature,
    keyId: signed.keyId,
    context: 'releases',
  });
  report('verify', `valid, ${ms(t0)}`);
  try {
    await qapi.encryption.verify({
      data: 'release v1.2.4 sha256:9f86d0…',
      signature: signed.signature,
      keyId: signed.keyId,
      context: 'releases',
    });
    report('verify a changed document', 'ACCEPTED (bug!)');
  } catch (e) {
    report('verify a changed document', `refused: ${(e as QuantumApiError).code}`);
  }

  // Rotate: new work uses v2; data encrypted under v1 still decrypts.
  const rotated = await qapi.encryption.keys.rotate(kem.id);
  const fresh = await qapi.encryption.encrypt('after rotation');
  const old = await qapi.encryption.decryptString(payload, { aad: 'orders/1001/card' });
  report(
    'rotate encryption key',
    `now v${rotated.currentVersion}; new payloads use v${fresh.keyVersion}; v1 data ${old ? 'still decrypts' : 'LOST'}`,
  );

  // Data keys for envelope encryption of large data or many fields.
  const dk = await qapi.encryption.generateDataKey();
  const unwrapped = await qapi.encryption.unwrapKey(dk.wrappedKey);
  report(
    'generate data key',
    `${dk.plaintextKey.length} bytes, wrapped form ${dk.wrappedKey.length} chars, unwrap ${Buffer.compare(unwrapped, dk.plaintextKey) === 0 ? 'OK' : 'MISMATCH'}`,
  );

  const jwk = await qapi.encryption.keys.exportPublicKey(dsa.id);
  report('public key as JWK', `kty=${jwk.kty} alg=${jwk.alg} kid=${jwk.kid.slice(0, 16)}…`);

  // Vault: secrets sealed at rest; values print as [redacted] until you ask for them.
  await qapi.vault.create({ name: 'DATABASE_URL', value: 'postgres://app:s3cret@db/app' });
  const { DATABASE_URL } = await qapi.vault.resolve({ DATABASE_URL: 'DATABASE_URL' });
  report('vault secret', `logs as ${DATABASE_URL}, reveal() gives ${DATABASE_URL.reveal().length} chars`);

  // Identity: the engine issues ML-DSA-65 tokens (RFC 9964) and publishes the JWKS that checks them.
  const issuer = await qapi.identity.issuer();
  const { token } = await qapi.identity.issueToken({ sub: 'svc-orders' }, { expiresIn: '15m', audience: 'billing' });
  const jwks = await qapi.identity.jwks();
  const verified = await qapi.identity.verifyToken(token, { issuer, audience: 'billing', jwks });
  report('token (ML-DSA-65 JWT)', `${token.length} chars, verified sub=${verified.payload.sub}`);

  // Certificates: an ML-DSA-65 service certificate from the embedded CA; the key never leaves here.
  t0 = performance.now();
  const cert = await qapi.certificates.issue({ commonName: 'orders', dnsNames: ['orders.internal'] });
  const checked = await qapi.certificates.verify(cert.certificate);
  report(
    'service certificate (24 h)',
    `CN=${checked.commonName}, valid until ${cert.notAfter.slice(0, 16)}Z, chain OK, ${ms(t0)}`,
  );
} finally {
  await qapi.close();
}

// The store refuses a wrong master key at start-up instead of failing later.
const wrong = new QuantumApiClient({
  local: { store: 'file', path: storePath, masterKey: randomBytes(32).toString('base64') },
});
try {
  await wrong.ready();
  report('reopen with a wrong master key', 'ACCEPTED (bug!)');
} catch (e) {
  report('reopen with a wrong master key', `refused: ${(e as QuantumApiError).code}`);
} finally {
  await wrong.close();
  await rm(storePath, { recursive: true, force: true });
}

console.log('\nQuantumAPI SDK quick start: embedded local engine, file store\n');
console.log(lines.join('\n'));
console.log(
  '\nNext: README.md (API tour) and examples/: prisma-users and typeorm-users (encrypted ORM columns),' +
    ' mtls, browser-verify.',
);
