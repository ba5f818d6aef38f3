/**
 * Interop with Node 26 (OpenSSL 3.5, native ML-DSA), in separate real processes:
 * node:crypto X509Certificate.verify / checkIssued on SDK-issued certificates, the SDK's seed-only
 * PKCS#8 in createPrivateKey, the LAMPS example, and mutual TLS 1.3 between two Node 26 processes
 * using SDK-issued certificates (and its failure with a certificate from another CA, or revoked).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProviders } from '#runtime';
import { LocalCertificatesBackend } from '../../src/certificates/local.js';
import { CertificatesNamespace } from '../../src/certificates/namespace.js';
import type { RotatingCertificate } from '../../src/certificates/rotating.js';
import { encodeSpki, publicKeyToPem } from '../../src/certificates/x509/keys.js';
import { parseCertificate } from '../../src/certificates/x509/certificate.js';
import { localContext } from './context.js';

const script = (name: string) => fileURLToPath(new URL(`./node26/${name}`, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
let node26 = '';

beforeAll(() => {
  node26 = execFileSync('bash', [`${repoRoot}scripts/ensure-node26.sh`], { encoding: 'utf8' }).trim();
}, 300_000);

const start = (
  name: string,
  input: unknown,
): { child: ChildProcess; lines: AsyncGenerator<Record<string, unknown>> } => {
  const child = spawn(node26, [script(name)], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin?.end(JSON.stringify(input));
  async function* lines() {
    let buf = '';
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buf += chunk.toString();
      let i = buf.indexOf('\n');
      while (i >= 0) {
        yield JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
      }
    }
    if (buf.trim()) yield JSON.parse(buf) as Record<string, unknown>;
  }
  return { child, lines: lines() };
};

const first = async (g: AsyncGenerator<Record<string, unknown>>) => (await g.next()).value as Record<string, unknown>;

const ns = (o: { intermediate?: boolean; rootAlgorithm?: 'ML-DSA-65' | 'ML-DSA-87' } = {}) =>
  new CertificatesNamespace(new LocalCertificatesBackend(localContext(), o), { providers: defaultProviders });

interface Party {
  key: string;
  cert: string;
  ca: string;
}

/** One mutual-TLS exchange between a server and a client process. */
const handshake = async (server: Party & { crl?: string | string[]; diagnose?: boolean }, client: Party) => {
  const s = start('tls-server.mjs', server);
  const listening = await first(s.lines);
  expect(listening.event).toBe('listening');
  const c = start('tls-client.mjs', { ...client, port: listening.port, servername: 'localhost' });
  const [clientResult, serverResult] = await Promise.all([first(c.lines), first(s.lines)]);
  s.child.kill();
  return { clientResult, serverResult };
};

describe.sequential('Node 26 interop', () => {
  it('node:crypto verifies SDK certificates (checkIssued, verify) and loads the seed-only PKCS#8', async () => {
    const certs = ns({ intermediate: true, rootAlgorithm: 'ML-DSA-87' });
    const issued = await certs.issue({
      commonName: 'orders',
      dnsNames: ['orders.internal'],
      uris: ['spiffe://acme/orders'],
    });
    const ca = await certs.caCertificate();
    const leaf = parseCertificate(issued.certificate);
    const { lines } = start('x509-check.mjs', {
      ca: ca.root,
      intermediate: ca.certificate,
      leaf: issued.certificate,
      key: issued.privateKey,
      lamps: readFileSync(new URL('../vectors/rfc9881-ML-DSA-65.crt', import.meta.url), 'utf8'),
      spki: publicKeyToPem(leaf.publicKey.algorithm, leaf.publicKey.publicKey),
    });
    const r = await first(lines);
    expect(r).toMatchObject({
      leafVerifiesUnderIssuer: true,
      leafCheckIssued: true,
      issuerVerifiesUnderRoot: true,
      issuerCheckIssued: true,
      rootSelfSigned: true,
      leafNotUnderWrongKey: true,
      keyType: 'ml-dsa-65',
      nodeSignatureVerifiesWithCertKey: true,
      ca: false,
      lampsSelfSigned: true,
      spkiMatches: true,
    });
    expect(r.subjectAltName).toBe('DNS:orders.internal, URI:spiffe://acme/orders');
    expect(r.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    // Byte-aligned hex on both sides: 16 bytes, so a first byte below 0x10 keeps its leading 0 digit.
    expect(String(r.serialNumber).toLowerCase()).toBe(issued.serialNumber);
    expect(encodeSpki('ML-DSA-65', leaf.publicKey.publicKey).length).toBeGreaterThan(1952);
  });

  describe('mutual TLS 1.3 between two Node 26 processes', () => {
    let certs: CertificatesNamespace;
    let server: RotatingCertificate;
    let client: RotatingCertificate;
    beforeAll(async () => {
      certs = ns({ intermediate: true });
      server = await certs.rotating({ commonName: 'orders', dnsNames: ['localhost', 'orders.internal'] });
      client = await certs.rotating({ commonName: 'billing', uris: ['spiffe://acme/billing'] });
    });

    it('succeeds with SDK-issued server and client certificates (rotating holders, via an intermediate)', async () => {
      const { clientResult, serverResult } = await handshake(server.tlsOptions(), client.tlsOptions());
      expect(clientResult).toMatchObject({ ok: true, authorized: true, protocol: 'TLSv1.3', server: 'orders' });
      expect(serverResult).toMatchObject({ event: 'peer', authorized: true, protocol: 'TLSv1.3', subject: 'billing' });
    });

    it('fails when the client certificate comes from another CA', async () => {
      const other = await ns().rotating({ commonName: 'mallory', dnsNames: ['mallory.internal'] });
      const mallory = { ...other.tlsOptions(), ca: server.tlsOptions().ca };
      other.stop();
      // as configured by tlsOptions(): OpenSSL refuses the handshake, the client never gets served
      const strict = await handshake(server.tlsOptions(), mallory);
      expect(strict.clientResult.ok).toBe(false);
      expect(strict.serverResult.event).toBe('client-rejected');
      // and the reason is the unknown issuer
      const why = await handshake({ ...server.tlsOptions(), diagnose: true }, mallory);
      expect(why.serverResult).toMatchObject({ event: 'peer', authorized: false, subject: 'mallory' });
      expect(String(why.serverResult.authorizationError)).toMatch(/^UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)/);
      expect(why.clientResult.ok).toBe(false);
    });

    it('fails when the client certificate is revoked in the SDK-signed CRL (OpenSSL checks our CRL)', async () => {
      const revoked = await certs.rotating({ commonName: 'former', dnsNames: ['former.internal'] });
      await certs.revoke(revoked.current.serialNumber, 'keyCompromise');
      const { crl: leafCrl, issuerCrls } = await certs.crl();
      // Node's `crl` option makes OpenSSL check every link (CRL_CHECK_ALL): the root's CRL is needed too
      const crl = [leafCrl, ...issuerCrls];
      const former = revoked.tlsOptions();
      revoked.stop();
      const strict = await handshake({ ...server.tlsOptions(), crl }, former);
      expect(strict.clientResult.ok).toBe(false);
      expect(strict.serverResult.event).toBe('client-rejected');
      const why = await handshake({ ...server.tlsOptions(), crl, diagnose: true }, former);
      expect(why.serverResult).toMatchObject({ event: 'peer', authorized: false, authorizationError: 'CERT_REVOKED' });
      // the same CRL does not block a valid client
      const ok = await handshake({ ...server.tlsOptions(), crl }, client.tlsOptions());
      expect(ok.clientResult).toMatchObject({ ok: true, authorized: true });
      expect(ok.serverResult).toMatchObject({ event: 'peer', authorized: true, subject: 'billing' });
    });

    afterAll(() => {
      server.stop();
      client.stop();
    });
  });
});
