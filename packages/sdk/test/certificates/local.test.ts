import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { LocalCertificatesBackend } from '../../src/certificates/local.js';
import { parseCertificate } from '../../src/certificates/x509/certificate.js';
import { parseCrl } from '../../src/certificates/x509/crl.js';
import { createCsr } from '../../src/certificates/x509/csr.js';
import { verifyCertificate } from '../../src/certificates/x509/verify.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { clock, localContext } from './context.js';
import { DAY, HOUR, T0, newKey } from './pki.js';

const code = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'NO_ERROR',
    (e) => (e as { code?: string }).code ?? `untyped: ${String(e)}`,
  );

const csrFor = (cn = 'orders', dnsNames = ['orders.internal'], uris = ['spiffe://acme/orders']) => {
  const key = newKey();
  return { key, csr: createCsr({ key, subject: { commonName: cn }, dnsNames, uris }).pem };
};

describe('LocalCertificatesBackend', () => {
  it('creates the root once, stores only a sealed seed, and reuses it across instances', async () => {
    const c = clock(T0);
    const ctx = localContext({ now: c.now });
    const a = new LocalCertificatesBackend(ctx);
    const ca1 = await a.caCertificate();
    const ca2 = await new LocalCertificatesBackend(ctx).caCertificate();
    expect(ca2.root).toBe(ca1.root);
    expect(ca1.algorithm).toBe('ML-DSA-65');
    const rec = await ctx.store.get<{ seed: string; certificate: string }>(ctx.tenant, 'certificates.ca', 'root');
    expect(rec?.data.seed).toMatch(/^s1\./);
    // the sealed seed opens only under its own purpose
    expect(ctx.keyring.open('ca:root', rec?.data.seed as string)).toHaveLength(32);
    expect(() => ctx.keyring.open('ca:intermediate', rec?.data.seed as string)).toThrow(
      expect.objectContaining({ code: 'DECRYPTION_FAILED' }),
    );
    const root = parseCertificate(ca1.root);
    expect(root.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    verifyCertificate(root, { ca: root, at: c.now() });
  });

  it('two instances racing on an empty store end up with one CA', async () => {
    const store = new MemoryStore();
    const ctx = localContext({ store });
    const [x, y] = await Promise.all([
      new LocalCertificatesBackend(ctx).caCertificate(),
      new LocalCertificatesBackend(ctx).caCertificate(),
    ]);
    // one of them lost the insert and adopted the winner's CA
    expect(y.root).toBe(x.root);
    expect((await new LocalCertificatesBackend(ctx).caCertificate()).root).toBe(x.root);
  });

  it('issues the service profile from a CSR: 24 h default, notBefore = now - 5 min, SANs from the CSR', async () => {
    const c = clock(T0);
    const ca = new LocalCertificatesBackend(localContext({ now: c.now }));
    const { csr, key } = csrFor();
    const issued = await ca.issueFromCsr({ csr });
    expect(new Date(issued.notBefore).getTime()).toBe(T0.getTime() - 5 * 60_000);
    expect(new Date(issued.notAfter).getTime()).toBe(T0.getTime() + DAY);
    expect(issued.dnsNames).toEqual(['orders.internal']);
    expect(issued.uris).toEqual(['spiffe://acme/orders']);
    const cert = parseCertificate(issued.certificate);
    expect(Buffer.from(cert.publicKey.publicKey).equals(Buffer.from(key.publicKey))).toBe(true);
    const root = (await ca.caCertificate()).root;
    expect(verifyCertificate(issued.certificate, { ca: root, at: c.now(), purpose: 'serverAuth' }).commonName).toBe(
      'orders',
    );
    expect((await ca.getCertificate(issued.serialNumber)).serialNumber).toBe(issued.serialNumber);
    expect((await ca.getCertificate(issued.serialNumber.toUpperCase())).revokedAt).toBeUndefined();
  });

  it('writes the configured CRL distribution point into service certificates, DER as RFC 5280 has it', async () => {
    const url = 'https://pki.example/api/v1/pki/acme/crl';
    const ca = new LocalCertificatesBackend(localContext({ now: () => T0 }), { crlDistributionPoint: url });
    const issued = parseCertificate((await ca.issueFromCsr({ csr: csrFor().csr })).certificate);
    expect(issued.crlDistributionPoints).toEqual([url]);
    // Independently of the encoder: SEQUENCE { SEQUENCE { [0] { [0] { [6] uri } } } }.
    const raw = AsnConvert.parse(issued.der, Certificate).tbsCertificate.extensions?.find(
      (e) => e.extnID === '2.5.29.31',
    );
    expect(raw?.critical).toBe(false);
    const u = Buffer.from(url, 'ascii');
    const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
    const expected = tlv(0x30, tlv(0x30, tlv(0xa0, tlv(0xa0, tlv(0x86, u)))));
    expect(Buffer.from(raw!.extnValue.buffer).toString('hex')).toBe(expected.toString('hex'));
    // Not configured: no extension; and only http(s) URLs without credentials are accepted.
    const plain = new LocalCertificatesBackend(localContext({ now: () => T0 }));
    expect(
      parseCertificate((await plain.issueFromCsr({ csr: csrFor().csr })).certificate).crlDistributionPoints,
    ).toEqual([]);
    for (const bad of ['ldap://x/crl', 'not a url', 'https://user:pw@x/crl']) {
      expect(() => new LocalCertificatesBackend(localContext(), { crlDistributionPoint: bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
  });

  it('writes the configured caIssuers URL into service certificates as AIA, DER as RFC 5280 has it', async () => {
    const url = 'https://pki.example/api/v1/pki/acme/ca.cer';
    const ca = new LocalCertificatesBackend(localContext({ now: () => T0 }), { caIssuersUrl: url });
    const issued = parseCertificate((await ca.issueFromCsr({ csr: csrFor().csr })).certificate);
    expect(issued.caIssuers).toEqual([url]);
    expect(issued.crlDistributionPoints).toEqual([]);
    // Independently of the encoder: SEQUENCE { SEQUENCE { OID id-ad-caIssuers, [6] uri } }.
    const raw = AsnConvert.parse(issued.der, Certificate).tbsCertificate.extensions?.find(
      (e) => e.extnID === '1.3.6.1.5.5.7.1.1',
    );
    expect(raw?.critical).toBe(false);
    const u = Buffer.from(url, 'ascii');
    const tlv = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
    // 1.3.6.1.5.5.7.48.2: 1.3 -> 0x2b, then 6 1 5 5 7 48(0x30) 2.
    const caIssuersOid = tlv(0x06, Buffer.from([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02]));
    const expected = tlv(0x30, tlv(0x30, Buffer.concat([caIssuersOid, tlv(0x86, u)])));
    expect(Buffer.from(raw!.extnValue.buffer).toString('hex')).toBe(expected.toString('hex'));
    // Not configured: no extension; and only http(s) URLs without credentials are accepted.
    const plain = new LocalCertificatesBackend(localContext({ now: () => T0 }));
    const plainCert = parseCertificate((await plain.issueFromCsr({ csr: csrFor().csr })).certificate);
    expect(plainCert.caIssuers).toEqual([]);
    expect(
      AsnConvert.parse(plainCert.der, Certificate).tbsCertificate.extensions?.some(
        (e) => e.extnID === '1.3.6.1.5.5.7.1.1',
      ),
    ).toBe(false);
    for (const bad of ['ldap://x/ca.cer', 'not a url', 'https://user:pw@x/ca.cer']) {
      expect(() => new LocalCertificatesBackend(localContext(), { caIssuersUrl: bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
  });

  it('honours ttl within the maximum and rejects a CSR with a bad signature (CSR_INVALID)', async () => {
    const ca = new LocalCertificatesBackend(localContext({ now: () => T0 }), {
      defaultTtlSeconds: 3600,
      maxTtlSeconds: 7200,
    });
    const issued = await ca.issueFromCsr({ csr: csrFor().csr, ttlSeconds: 3600 });
    expect(new Date(issued.notAfter).getTime()).toBe(T0.getTime() + HOUR);
    expect(await code(ca.issueFromCsr({ csr: csrFor().csr, ttlSeconds: 7201 }))).toBe('INVALID_INPUT');
    const pem = csrFor().csr;
    const body = pem.split('\n');
    // flip a base64 character deep inside the signature (the last full line)
    const i = body.length - 3;
    const line = body[i] as string;
    body[i] = line.slice(0, 10) + (line[10] === 'A' ? 'B' : 'A') + line.slice(11);
    expect(await code(ca.issueFromCsr({ csr: body.join('\n') }))).toBe('CSR_INVALID');
    expect(await code(ca.issueFromCsr({ csr: 'not a csr' }))).toBe('CSR_INVALID');
  });

  it('with an intermediate (ML-DSA-87 root): leaf ← intermediate ← root, chain returned', async () => {
    const c = clock(T0);
    const ca = new LocalCertificatesBackend(localContext({ now: c.now }), {
      rootAlgorithm: 'ML-DSA-87',
      intermediate: true,
    });
    const info = await ca.caCertificate();
    expect(info.rootAlgorithm).toBe('ML-DSA-87');
    expect(info.algorithm).toBe('ML-DSA-65');
    const issued = await ca.issueFromCsr({ csr: csrFor().csr });
    expect(issued.chain).toEqual(info.chain);
    const r = verifyCertificate(issued.certificate, { ca: info.root, intermediates: [info.certificate], at: c.now() });
    expect(r.chain).toHaveLength(3);
    expect(r.chain[2]?.signatureAlgorithm).toBe('ML-DSA-87');
    expect(r.chain[0]?.signatureAlgorithm).toBe('ML-DSA-65');
    expect(parseCrl((await ca.crl()).crl).signatureAlgorithm).toBe('ML-DSA-65');
    // leaves and CRLs stay ML-DSA-65: an ML-DSA-87 root never issues directly
    expect(
      () => new LocalCertificatesBackend(localContext(), { rootAlgorithm: 'ML-DSA-87', intermediate: false }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
    const implied = new LocalCertificatesBackend(localContext(), { rootAlgorithm: 'ML-DSA-87' });
    expect((await implied.caCertificate()).chain).toHaveLength(2);
  });

  it('revokes by serial with a reason; the signed CRL lists it and verification fails REVOKED', async () => {
    const c = clock(T0);
    const ca = new LocalCertificatesBackend(localContext({ now: c.now }));
    const a = await ca.issueFromCsr({ csr: csrFor().csr });
    const b = await ca.issueFromCsr({ csr: csrFor().csr });
    const empty = await ca.crl();
    expect(empty.crlNumber).toBe(1);
    expect(parseCrl(empty.crl).revoked.size).toBe(0);
    // unchanged and fresh: the same CRL is served again
    expect((await ca.crl()).crlNumber).toBe(1);

    c.advance(60_000);
    const rev = await ca.revoke({ serialNumber: a.serialNumber, reason: 'keyCompromise' });
    expect(rev.reason).toBe('keyCompromise');
    // idempotent: a second revoke reports the original
    expect((await ca.revoke({ serialNumber: a.serialNumber, reason: 'superseded' })).reason).toBe('keyCompromise');
    expect((await ca.getCertificate(a.serialNumber)).revocationReason).toBe('keyCompromise');

    const crl = await ca.crl();
    expect(crl.crlNumber).toBe(2);
    expect(new Date(crl.nextUpdate).getTime() - new Date(crl.thisUpdate).getTime()).toBe(DAY);
    const parsed = parseCrl(crl.crl);
    expect(parsed.revoked.get(a.serialNumber)?.reason).toBe('keyCompromise');
    const root = (await ca.caCertificate()).root;
    const at = c.now();
    expect(() => verifyCertificate(a.certificate, { ca: root, crl: crl.crl, at })).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_REVOKED' }),
    );
    expect(verifyCertificate(b.certificate, { ca: root, crl: crl.crl, at }).serialNumber).toBe(b.serialNumber);
    expect(await code(ca.revoke({ serialNumber: '00ff' }))).toBe('NOT_FOUND');

    // after half the CRL lifetime a fresh CRL is signed; once the revoked cert expires it drops off
    c.advance(13 * HOUR);
    expect((await ca.crl()).crlNumber).toBe(3);
    c.advance(DAY);
    const later = parseCrl((await ca.crl()).crl);
    expect(later.revoked.size).toBe(0);
  });

  it('lists issued certificates page by page', async () => {
    const ca = new LocalCertificatesBackend(localContext({ now: () => T0 }));
    const serials = new Set<string>();
    for (let i = 0; i < 5; i++) serials.add((await ca.issueFromCsr({ csr: csrFor(`s${i}`).csr })).serialNumber);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await ca.listCertificates({ pageSize: 2, ...(token ? { continuationToken: token } : {}) });
      seen.push(...page.items.map((x) => x.serialNumber));
      token = page.continuationToken;
    } while (token);
    expect(new Set(seen)).toEqual(serials);
    expect(seen).toHaveLength(5);
  });

  it('a CA record sealed for another tenant does not open (tenant data keys differ)', async () => {
    const store = new MemoryStore();
    const a = localContext({ store, tenant: 'acme' });
    await new LocalCertificatesBackend(a).caCertificate();
    const rec = await store.get(a.tenant, 'certificates.ca', 'root');
    await store.put('globex', 'certificates.ca', 'root', rec?.data, 0);
    const b = localContext({ store, tenant: 'globex' });
    expect(await code(new LocalCertificatesBackend(b).caCertificate())).toBe('DECRYPTION_FAILED');
  });
});
