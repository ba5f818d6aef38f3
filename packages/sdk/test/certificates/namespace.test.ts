import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultProviders } from '#runtime';
import { LocalCertificatesBackend } from '../../src/certificates/local.js';
import { canonicalJson, verifyManifest } from '../../src/certificates/manifest.js';
import { CertificatesNamespace, durationSeconds } from '../../src/certificates/namespace.js';
import { decodePkcs8, signingKeyFromPrivateKey } from '../../src/certificates/x509/keys.js';
import { clock, localContext } from './context.js';
import { createCsr } from '../../src/certificates/x509/csr.js';
import { HOUR, T0, makeLeaf, makeRoot, newKey } from './pki.js';

const setup = (o: { intermediate?: boolean } = {}) => {
  const c = clock(T0);
  const ns = new CertificatesNamespace(new LocalCertificatesBackend(localContext({ now: c.now }), o), {
    providers: defaultProviders,
    now: c.now,
  });
  return { c, ns };
};

const rejectsWith = async (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code });

describe('CertificatesNamespace', () => {
  it('issue(): generates the key locally, sends only a CSR, returns a verifiable cert and a hidden key', async () => {
    const { ns } = setup();
    const r = await ns.issue({
      commonName: 'orders',
      dnsNames: ['orders.internal'],
      uris: ['spiffe://acme/orders'],
      ttl: '2h',
    });
    expect(new Date(r.notAfter).getTime() - T0.getTime()).toBe(2 * HOUR);
    const key = signingKeyFromPrivateKey(decodePkcs8(r.privateKey));
    expect(Buffer.from(key.publicKey).equals(Buffer.from(r.key.publicKey))).toBe(true);
    expect(JSON.stringify(r)).not.toContain('PRIVATE KEY');
    expect(inspect(r)).not.toContain('PRIVATE KEY');
    const v = await ns.verify(r.certificate);
    expect(v.uris).toEqual(['spiffe://acme/orders']);
    // the backend only stored the certificate, never a private key
    expect(JSON.stringify(await ns.listCertificates())).not.toContain('PRIVATE KEY');
  });

  it('issueFromCsr() accepts PEM or DER and keeps the service key out of the CA', async () => {
    const { ns } = setup();
    const key = newKey();
    const csr = createCsr({ key, subject: { commonName: 'inventory' }, dnsNames: ['inventory.internal'] });
    for (const input of [csr.pem, csr.der]) {
      const r = await ns.issueFromCsr({ csr: input, ttl: '1h' });
      expect(r.dnsNames).toEqual(['inventory.internal']);
      expect(new Date(r.notAfter).getTime() - T0.getTime()).toBe(HOUR);
      expect((await ns.verify(r.certificate)).publicKey).toEqual(key.publicKey);
    }
  });

  it('verify() defaults to the backend CA (through its intermediate) and honours at', async () => {
    const { ns } = setup({ intermediate: true });
    const r = await ns.issue({ commonName: 'billing' });
    expect((await ns.verify(r.certificate)).chain).toHaveLength(3);
    await rejectsWith(ns.verify(r.certificate, { at: new Date(T0.getTime() + 25 * HOUR) }), 'CERTIFICATE_EXPIRED');
    await rejectsWith(ns.verify(r.certificate, { ca: makeRoot().certificate }), 'CERTIFICATE_UNTRUSTED');
  });

  it('revoke + crl through the namespace', async () => {
    const { ns } = setup();
    const r = await ns.issue({ dnsNames: ['a.internal'] });
    await ns.revoke(r.serialNumber, 'superseded');
    const { crl } = await ns.crl();
    await rejectsWith(ns.verify(r.certificate, { crl }), 'CERTIFICATE_REVOKED');
  });

  it('validates options with zod into typed errors', async () => {
    const { ns } = setup();
    await rejectsWith(ns.issue({}), 'INVALID_INPUT');
    await rejectsWith(ns.issue({ commonName: 'x', dnsNames: ['bad name!'] }), 'INVALID_INPUT');
    await rejectsWith(ns.issue({ commonName: 'x', ttl: '5 minutes' as never }), 'INVALID_INPUT');
    await rejectsWith(ns.revoke('zz'), 'INVALID_INPUT');
    await rejectsWith(ns.issueFromCsr({ csr: 'garbage' }), 'CSR_INVALID');
    await rejectsWith(ns.rotating({ commonName: 'x', renewBefore: -1 }), 'INVALID_OPTIONS');
    expect(durationSeconds('4h')).toBe(14_400);
    expect(durationSeconds(90)).toBe(90);
  });
});

describe('signed evidence manifests', () => {
  const manifest = {
    build: 'svc-1.2.3',
    artifacts: [{ name: 'app.tar', sha256: 'ab'.repeat(32) }],
    at: '2026-06-01T12:00:00Z',
  };

  it('canonical JSON sorts keys at every level and is insensitive to insertion order', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2 }] })).toBe('{"a":[true,null,{"c":2,"d":"x"}],"b":1}');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => canonicalJson({ x: undefined })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('signs with the service certificate key and verifies offline against CA + CRL', async () => {
    const { c, ns } = setup({ intermediate: true });
    const holder = await ns.rotating({ commonName: 'builder' });
    const signed = holder.signManifest(manifest);
    holder.stop();
    const ca = await ns.caCertificate();
    // offline: only the root PEM and a CRL, no backend
    const v = verifyManifest(signed, { ca: ca.root, at: c.now() });
    expect(v.signer.commonName).toBe('builder');
    expect(v.manifest).toEqual(manifest);
    // key order of the received JSON does not matter
    const reordered = JSON.parse(
      JSON.stringify({
        ...signed,
        manifest: { at: manifest.at, artifacts: manifest.artifacts, build: manifest.build },
      }),
    );
    expect(verifyManifest(reordered, { ca: ca.root, at: c.now() }).signer.serialNumber).toBe(
      holder.current.serialNumber,
    );
    // any change to the manifest → SIGNATURE_INVALID
    expect(() =>
      verifyManifest({ ...signed, manifest: { ...manifest, build: 'svc-1.2.4' } }, { ca: ca.root, at: c.now() }),
    ).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    // wrong CA, revoked signer
    expect(() => verifyManifest(signed, { ca: makeRoot().certificate, at: c.now() })).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_UNTRUSTED' }),
    );
    await ns.revoke(holder.current.serialNumber, 'keyCompromise');
    const { crl } = await ns.crl();
    await rejectsWith(ns.verifyManifest(signed, { crl }), 'CERTIFICATE_REVOKED');
  });

  it('refuses to sign with a key that does not match the certificate', () => {
    const root = makeRoot();
    const a = makeLeaf(root);
    const b = makeLeaf(root);
    const { ns } = setup();
    expect(() => ns.signManifest(manifest, { key: a.key, certificate: b.certificate })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
