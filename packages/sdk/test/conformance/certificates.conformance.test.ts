/**
 * The certificates namespace, specified once and run against every backend: a CA that issues
 * ML-DSA-65 service certificates from CSRs (the private key stays with the caller), chains that
 * verify to the CA's root, and revocation that shows in the CRL and makes verification fail.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CertificateRevokedError } from '../../src/certificates/errors.js';
import { parseCertificate } from '../../src/certificates/x509/certificate.js';
import { parseCrl } from '../../src/certificates/x509/crl.js';
import { createCsr } from '../../src/certificates/x509/csr.js';
import { signingKeyFromSeed } from '../../src/certificates/x509/keys.js';
import { defaultProviders } from '../../src/runtime/node.js';
import { BACKENDS, stopSharedServer } from './backends.js';
import { clientPerTest, errorOf } from './helpers.js';

afterAll(stopSharedServer);

describe.each(BACKENDS)('certificates namespace on %s', (_name, make) => {
  const ctx = clientPerTest(make);

  it('publishes an ML-DSA-65 CA whose chain ends at its root', async () => {
    const ca = await ctx.qapi.certificates.caCertificate();
    expect(ca.algorithm).toBe('ML-DSA-65');
    expect(ca.chain.at(-1)).toBe(ca.root);
    expect(ca.chain[0]).toBe(ca.certificate);
    expect(parseCertificate(ca.root).publicKey.algorithm).toBe('ML-DSA-65');
    expect(await ctx.qapi.certificates.caCertificate()).toEqual(ca);
  });

  it('issues from a CSR: the certificate certifies the CSR key, carries its SANs and verifies', async () => {
    const key = signingKeyFromSeed('ML-DSA-65', randomBytes(32), defaultProviders.signature);
    const csr = createCsr({ key, subject: { commonName: 'orders' }, dnsNames: ['orders.internal'], uris: [] });
    const issued = await ctx.qapi.certificates.issueFromCsr({ csr: csr.pem, ttl: '2h' });
    expect(issued.dnsNames).toEqual(['orders.internal']);
    expect(Date.parse(issued.notAfter) - Date.now()).toBeLessThanOrEqual(2 * 3600 * 1000);
    expect(Date.parse(issued.notAfter) - Date.now()).toBeGreaterThan(2 * 3600 * 1000 - 60_000);
    const cert = parseCertificate(issued.certificate);
    expect(cert.publicKey.publicKey).toEqual(key.publicKey);
    expect(issued.chain).toEqual((await ctx.qapi.certificates.caCertificate()).chain);

    const verified = await ctx.qapi.certificates.verify(issued.certificate, { purpose: 'serverAuth' });
    expect(verified.serialNumber).toBe(issued.serialNumber);

    // The namespace's own flow: key made here, only a CSR goes to the CA.
    const withKey = await ctx.qapi.certificates.issue({ commonName: 'billing', dnsNames: ['billing.internal'] });
    expect(withKey.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(JSON.stringify(withKey)).not.toContain('PRIVATE KEY');
    await ctx.qapi.certificates.verify(withKey.certificate);
  });

  it('gets and lists issued certificates by page', async () => {
    const serials: string[] = [];
    for (const name of ['a', 'b', 'c'])
      serials.push((await ctx.qapi.certificates.issue({ commonName: name })).serialNumber);
    const got = await ctx.qapi.certificates.getCertificate(serials[1] as string);
    expect(got).toMatchObject({ serialNumber: serials[1], revokedAt: undefined, revocationReason: undefined });
    const first = await ctx.qapi.certificates.listCertificates({ pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.continuationToken).toEqual(expect.any(String));
    const second = await ctx.qapi.certificates.listCertificates({
      pageSize: 2,
      continuationToken: first.continuationToken as string,
    });
    expect(second.continuationToken).toBeUndefined();
    expect([...first.items, ...second.items].map((c) => c.serialNumber).sort()).toEqual([...serials].sort());
    expect((await errorOf(ctx.qapi.certificates.getCertificate('0badc0de'))).code).toBe('NOT_FOUND');
  });

  it('revocation shows in the CRL, and verification against that CRL fails with CERTIFICATE_REVOKED', async () => {
    const kept = await ctx.qapi.certificates.issue({ commonName: 'kept' });
    const gone = await ctx.qapi.certificates.issue({ commonName: 'gone' });
    const before = await ctx.qapi.certificates.crl();

    const revoked = await ctx.qapi.certificates.revoke(gone.serialNumber, 'keyCompromise');
    expect(revoked).toMatchObject({ serialNumber: gone.serialNumber, reason: 'keyCompromise' });
    // Revocation is final: asking again reports the original.
    expect(await ctx.qapi.certificates.revoke(gone.serialNumber, 'superseded')).toEqual(revoked);
    expect(await ctx.qapi.certificates.getCertificate(gone.serialNumber)).toMatchObject({
      revokedAt: revoked.revokedAt,
      revocationReason: 'keyCompromise',
    });

    const crl = await ctx.qapi.certificates.crl();
    expect(crl.crlNumber).toBeGreaterThan(before.crlNumber);
    const parsed = parseCrl(crl.crl);
    expect([...parsed.revoked.keys()]).toEqual([gone.serialNumber]);

    const e = await errorOf(ctx.qapi.certificates.verify(gone.certificate, { crl: crl.crl }));
    expect(e).toBeInstanceOf(CertificateRevokedError);
    expect(e.code).toBe('CERTIFICATE_REVOKED');
    await ctx.qapi.certificates.verify(kept.certificate, { crl: crl.crl });
  });

  it('refuses a CSR whose proof of possession fails with CSR_INVALID', async () => {
    const key = signingKeyFromSeed('ML-DSA-65', randomBytes(32), defaultProviders.signature);
    const csr = createCsr({ key, subject: { commonName: 'x' }, dnsNames: ['x.internal'], uris: [] });
    const der = Buffer.from(csr.der);
    const at = der.length - 5; // inside the signature
    der[at] = (der[at] as number) ^ 0xff;
    const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect((await errorOf(ctx.qapi.certificates.issueFromCsr({ csr: bad }))).code).toBe('CSR_INVALID');
  });
});
