import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webRandom } from '../../src/crypto/noble-provider.js';
import { KeyUsageFlags, parseCertificate, parseCertificates } from '../../src/certificates/x509/certificate.js';
import { createCrl, parseCrl } from '../../src/certificates/x509/crl.js';
import { createCsr, parseCsr } from '../../src/certificates/x509/csr.js';
import { decodePkcs8 } from '../../src/certificates/x509/keys.js';
import { fromPem } from '../../src/certificates/x509/pem.js';
import { OID } from '../../src/certificates/x509/oids.js';
import { verifyCertificate, verifySelfSigned } from '../../src/certificates/x509/verify.js';
import { DAY, HOUR, T0, makeIntermediate, makeLeaf, makeRoot, newKey } from './pki.js';

const vector = (name: string) => readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8');
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped: ${String(e)}`;
  }
  return 'NO_ERROR';
};

const root = makeRoot();
const leaf = makeLeaf(root);

describe('service certificate profile', () => {
  const c = leaf.certificate;
  it('is v3 with a 16-byte positive serial, RFC 9881 ML-DSA-65 and the 24 h window', () => {
    expect(c.version).toBe(3);
    expect(c.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(c.signatureAlgorithm).toBe('ML-DSA-65');
    expect(c.publicKey.algorithm).toBe('ML-DSA-65');
    expect(c.notAfter.getTime() - c.notBefore.getTime()).toBe(DAY + 5 * 60_000);
    // id-ml-dsa-65 with parameters absent: 30 0b 06 09 60 86 48 01 65 03 04 03 12
    const algId = Buffer.from('300b0609608648016503040312', 'hex');
    expect(Buffer.from(c.der).indexOf(algId)).toBeGreaterThan(0);
    expect(Buffer.from(c.der).indexOf(Buffer.from('300d0609608648016503040312', 'hex'))).toBe(-1);
  });
  it('has digitalSignature only (critical), cA=false (critical), EKU server+client, SAN, SKI/AKI', () => {
    expect(c.keyUsage).toBe(KeyUsageFlags.digitalSignature);
    expect(c.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect(c.extendedKeyUsage).toEqual([OID.serverAuth, OID.clientAuth]);
    expect(c.subjectAltNames.dnsNames).toEqual(['orders.internal', 'localhost']);
    expect(c.subjectAltNames.uris).toEqual(['spiffe://example.org/ns/prod/sa/orders']);
    expect(c.authorityKeyIdentifier).toEqual(root.certificate.subjectKeyIdentifier);
    expect(c.subjectKeyIdentifier?.length).toBe(20);
  });
  it('round-trips through PEM and DER', () => {
    expect(parseCertificate(c.pem).der).toEqual(c.der);
    expect(parseCertificate(fromPem(c.pem, 'CERTIFICATE')).serialNumber).toBe(c.serialNumber);
    expect(parseCertificates(c.pem + root.certificate.pem).map((x) => x.serialNumber)).toEqual([
      c.serialNumber,
      root.certificate.serialNumber,
    ]);
  });
});

describe('verifyCertificate', () => {
  const at = new Date(T0.getTime() + HOUR);

  it('accepts a leaf under its root and returns a typed result', () => {
    const r = verifyCertificate(leaf.certificate.pem, { ca: root.certificate.pem, at });
    expect(r.serialNumber).toBe(leaf.certificate.serialNumber);
    expect(r.commonName).toBe('orders.internal');
    expect(r.uris).toEqual(['spiffe://example.org/ns/prod/sa/orders']);
    expect(r.chain.map((x) => x.serialNumber)).toEqual([leaf.certificate.serialNumber, root.certificate.serialNumber]);
  });

  it('builds root → intermediate → leaf, with an ML-DSA-87 root', () => {
    const r87 = makeRoot('Root 87', 'ML-DSA-87');
    const ica = makeIntermediate(r87);
    const l = makeLeaf(ica);
    const r = verifyCertificate(l.certificate, {
      ca: r87.certificate,
      intermediates: [ica.certificate],
      at,
      purpose: 'serverAuth',
    });
    expect(r.chain).toHaveLength(3);
    expect(code(() => verifyCertificate(l.certificate, { ca: r87.certificate, at }))).toBe('CERTIFICATE_UNTRUSTED');
  });

  it('expired → CERTIFICATE_EXPIRED; not yet valid → CERTIFICATE_NOT_YET_VALID', () => {
    expect(
      code(() =>
        verifyCertificate(leaf.certificate, { ca: root.certificate, at: new Date(T0.getTime() + DAY + 1000) }),
      ),
    ).toBe('CERTIFICATE_EXPIRED');
    expect(
      code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, at: new Date(T0.getTime() - HOUR) })),
    ).toBe('CERTIFICATE_NOT_YET_VALID');
  });

  it('wrong CA (even with the same name) → CERTIFICATE_UNTRUSTED', () => {
    const other = makeRoot('Test Root CA');
    expect(code(() => verifyCertificate(leaf.certificate, { ca: other.certificate, at }))).toBe(
      'CERTIFICATE_UNTRUSTED',
    );
    expect(code(() => verifyCertificate(leaf.certificate, { ca: makeRoot('Elsewhere').certificate, at }))).toBe(
      'CERTIFICATE_UNTRUSTED',
    );
    // several anchors: the right one is found
    expect(verifyCertificate(leaf.certificate, { ca: [other.certificate, root.certificate], at }).chain).toHaveLength(
      2,
    );
  });

  it('wrong EKU → CERTIFICATE_USAGE', () => {
    const clientOnly = makeLeaf(root, { eku: [OID.clientAuth] });
    expect(
      code(() => verifyCertificate(clientOnly.certificate, { ca: root.certificate, at, purpose: 'serverAuth' })),
    ).toBe('CERTIFICATE_USAGE');
    expect(verifyCertificate(clientOnly.certificate, { ca: root.certificate, at, purpose: 'clientAuth' })).toBeTruthy();
    const codeSigning = makeLeaf(root, { eku: ['1.3.6.1.5.5.7.3.3'] });
    expect(code(() => verifyCertificate(codeSigning.certificate, { ca: root.certificate, at }))).toBe(
      'CERTIFICATE_USAGE',
    );
  });

  it('a leaf used as an issuer → CERTIFICATE_USAGE', () => {
    const fakeCa = { certificate: leaf.certificate, key: leaf.key };
    const child = makeLeaf(fakeCa);
    expect(
      code(() => verifyCertificate(child.certificate, { ca: root.certificate, intermediates: [leaf.certificate], at })),
    ).toBe('CERTIFICATE_USAGE');
  });

  it('revoked (in a signed CRL) → CERTIFICATE_REVOKED; other serials pass', () => {
    const other = makeLeaf(root);
    const crl = createCrl({
      issuer: root,
      crlNumber: 7,
      thisUpdate: T0,
      nextUpdate: new Date(T0.getTime() + DAY),
      revoked: [{ serialNumber: leaf.certificate.serialNumber, revocationDate: T0, reason: 'keyCompromise' }],
    });
    const parsed = parseCrl(crl.pem);
    expect(parsed.crlNumber).toBe(7);
    expect(parsed.revoked.get(leaf.certificate.serialNumber)?.reason).toBe('keyCompromise');
    expect(code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: crl.pem, at }))).toBe(
      'CERTIFICATE_REVOKED',
    );
    expect(verifyCertificate(other.certificate, { ca: root.certificate, crl: crl.der, at }).serialNumber).toBe(
      other.certificate.serialNumber,
    );
  });

  it('a CRL from a same-named impostor CA, a stale CRL or a tampered CRL → CRL_INVALID', () => {
    const impostor = makeRoot('Test Root CA');
    const fake = createCrl({
      issuer: impostor,
      crlNumber: 1,
      thisUpdate: T0,
      nextUpdate: new Date(T0.getTime() + DAY),
      revoked: [],
    });
    expect(code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: fake, at }))).toBe(
      'CRL_INVALID',
    );
    const real = createCrl({
      issuer: root,
      crlNumber: 2,
      thisUpdate: T0,
      nextUpdate: new Date(T0.getTime() + HOUR / 2),
      revoked: [],
    });
    expect(code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: real, at }))).toBe(
      'CRL_INVALID',
    );
    const der = real.der.slice();
    der[der.length - 10] = (der[der.length - 10] as number) ^ 1;
    expect(code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: der, at: T0 }))).toBe(
      'CRL_INVALID',
    );
  });

  it('a tampered CRL (any TBS byte) never lets a revoked certificate through', () => {
    const crl = createCrl({
      issuer: root,
      crlNumber: 3,
      thisUpdate: T0,
      nextUpdate: new Date(T0.getTime() + DAY),
      revoked: [{ serialNumber: leaf.certificate.serialNumber, revocationDate: T0, reason: 'keyCompromise' }],
    });
    const start = 4; // outer SEQUENCE header (30 82 xx xx)
    fc.assert(
      fc.property(
        fc.integer({ min: start, max: start + crl.tbs.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (pos, mask) => {
          const t = crl.der.slice();
          t[pos] = (t[pos] as number) ^ mask;
          expect(['CRL_INVALID']).toContain(
            code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: t, at })),
          );
        },
      ),
      { numRuns: 150 },
    );
    // a CRL of a CA that is not on the path is refused, not ignored
    const stranger = makeRoot('Elsewhere');
    const foreign = createCrl({
      issuer: stranger,
      crlNumber: 1,
      thisUpdate: T0,
      nextUpdate: new Date(T0.getTime() + DAY),
      revoked: [],
    });
    expect(code(() => verifyCertificate(leaf.certificate, { ca: root.certificate, crl: foreign, at }))).toBe(
      'CRL_INVALID',
    );
  });

  it('garbage CRL, CSR and PKCS#8 inputs fail with their typed codes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(code(() => parseCrl(bytes))).toBe('CRL_INVALID');
        expect(code(() => parseCsr(bytes))).toBe('CSR_INVALID');
        expect(['INVALID_KEY', 'UNSUPPORTED_ALGORITHM']).toContain(code(() => decodePkcs8(bytes)));
      }),
    );
  });

  it('tampered TBS byte at any position → typed INVALID / UNTRUSTED, never success', () => {
    const der = leaf.certificate.der;
    const tbsStart = 4; // outer SEQUENCE header (30 82 xx xx)
    const tbsEnd = tbsStart + leaf.certificate.tbs.length;
    fc.assert(
      fc.property(fc.integer({ min: tbsStart, max: tbsEnd - 1 }), fc.integer({ min: 1, max: 255 }), (pos, mask) => {
        const t = der.slice();
        t[pos] = (t[pos] as number) ^ mask;
        expect(['CERTIFICATE_INVALID', 'CERTIFICATE_UNTRUSTED']).toContain(
          code(() => verifyCertificate(t, { ca: root.certificate, at })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a flipped signature byte → CERTIFICATE_INVALID', () => {
    const t = leaf.certificate.der.slice();
    t[t.length - 5] = (t[t.length - 5] as number) ^ 0x40;
    expect(code(() => verifyCertificate(t, { ca: root.certificate, at }))).toBe('CERTIFICATE_INVALID');
  });

  it('garbage input → CERTIFICATE_INVALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(code(() => parseCertificate(bytes))).toBe('CERTIFICATE_INVALID');
      }),
    );
  });
});

describe('CSR (PKCS#10)', () => {
  it('round-trips subject, key and SANs through a verified self-signature', () => {
    const key = newKey();
    const csr = createCsr({
      key,
      subject: { commonName: 'billing' },
      dnsNames: ['billing.svc'],
      uris: ['spiffe://x/billing'],
    });
    const p = parseCsr(csr.pem);
    expect(p.commonName).toBe('billing');
    expect(p.dnsNames).toEqual(['billing.svc']);
    expect(p.uris).toEqual(['spiffe://x/billing']);
    expect(Buffer.from(p.publicKey.publicKey).equals(Buffer.from(key.publicKey))).toBe(true);
  });

  it('a CSR with a bad signature → CSR_INVALID (any flipped signature byte)', () => {
    const csr = createCsr({ key: newKey(), subject: { commonName: 'billing' } }).der;
    fc.assert(
      fc.property(fc.integer({ min: csr.length - 3309, max: csr.length - 1 }), (pos) => {
        const t = csr.slice();
        t[pos] = (t[pos] as number) ^ 1;
        expect(code(() => parseCsr(t))).toBe('CSR_INVALID');
      }),
      { numRuns: 50 },
    );
  });

  it('a CSR signed by a different key than the one it names → CSR_INVALID', () => {
    const a = createCsr({ key: newKey(), subject: { commonName: 'a' } }).der;
    const b = createCsr({ key: newKey(), subject: { commonName: 'a' } }).der;
    // same structure and length; swap b's signature onto a
    const spliced = new Uint8Array(a);
    spliced.set(b.subarray(b.length - 3309), a.length - 3309);
    expect(code(() => parseCsr(spliced))).toBe('CSR_INVALID');
    expect(code(() => parseCsr(webRandom.randomBytes(100)))).toBe('CSR_INVALID');
  });
});

describe('RFC 9881 LAMPS example certificate', () => {
  it('parses and its self-signature verifies, including through verifyCertificate', () => {
    const pem = vector('rfc9881-ML-DSA-65.crt');
    const c = verifySelfSigned(pem);
    expect(c.subjectText).toBe('CN=LAMPS WG,O=IETF');
    expect(c.signatureAlgorithm).toBe('ML-DSA-65');
    const r = verifyCertificate(pem, { ca: pem, at: new Date('2026-01-01T00:00:00Z') });
    expect(r.chain).toHaveLength(1);
    const t = c.der.slice();
    t[200] = (t[200] as number) ^ 1;
    expect(code(() => verifySelfSigned(t))).toBe('CERTIFICATE_INVALID');
  });
});
