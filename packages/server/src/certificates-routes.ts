/**
 * The certificates routes (docs/http-api.md): issue from a CSR (the CA never sees a private key),
 * get / list / revoke issued certificates, the CA certificate and its CRL. A tenant has one CA, id
 * `default`. JSON (PEM inside) by default; `Accept: application/pem-certificate-chain` gets the CA
 * chain as PEM and `Accept: application/pkix-crl` the CRL as DER (RFC 5280 §4.2.1.13 / RFC 2585).
 */
import { type CertificateRecord, fromPem, NotFoundError } from '@quantumapi/sdk';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './app.js';
import { id, router } from './routing.js';
import * as s from './schemas.js';
import type { TenantBackends } from './tenants.js';

export const CA_ID = 'default';

const checkCa = (c: Context<AppEnv>): void => {
  if (id(c) !== CA_ID) throw new NotFoundError('certificate authority not found', { details: { caId: id(c) } });
};

const accepts = (c: Context<AppEnv>, type: string): boolean =>
  (c.req.header('accept') ?? '').split(',').some((t) => t.split(';')[0]?.trim().toLowerCase() === type);

const record = (r: CertificateRecord) => ({
  ...r,
  revokedAt: r.revokedAt ?? null,
  revocationReason: r.revocationReason ?? null,
});

export const registerCertificatesRoutes = (api: Hono<AppEnv>, tenants: TenantBackends): void => {
  const r = router(api, tenants);

  r.post('/certificates', 'certificates:write', s.issueCertificateRequest, (b, i) =>
    b.certificates.issueFromCsr({
      csr: i.csr,
      ...(i.ttlSeconds !== undefined ? { ttlSeconds: i.ttlSeconds } : {}),
      ...(i.dnsNames !== undefined ? { dnsNames: i.dnsNames } : {}),
      ...(i.uris !== undefined ? { uris: i.uris } : {}),
    }),
  );

  r.get('/certificates', 'certificates:read', s.listCertificatesQuery, async (b, q) => {
    const page = await b.certificates.listCertificates({
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.continuationToken !== undefined ? { continuationToken: q.continuationToken } : {}),
    });
    return { items: page.items.map(record), continuationToken: page.continuationToken ?? null };
  });

  r.get('/certificates/:id', 'certificates:read', s.emptyRequest, async (b, _i, c) =>
    record(await b.certificates.getCertificate(id(c))),
  );

  r.post('/certificates/:id/revoke', 'certificates:write', s.revokeRequest, (b, i, c) =>
    b.certificates.revoke({ serialNumber: id(c), ...(i.reason ? { reason: i.reason } : {}) }),
  );

  r.get('/cas', 'certificates:read', s.emptyRequest, async (b) => ({
    items: [{ id: CA_ID, ...(await b.certificates.caCertificate()) }],
  }));

  r.get('/cas/:id', 'certificates:read', s.emptyRequest, async (b, _i, c) => {
    checkCa(c);
    const ca = await b.certificates.caCertificate();
    if (accepts(c, 'application/pem-certificate-chain')) {
      return c.body(ca.chain.join(''), 200, { 'content-type': 'application/pem-certificate-chain' });
    }
    return { id: CA_ID, ...ca };
  });

  r.get('/cas/:id/crl', 'certificates:read', s.emptyRequest, async (b, _i, c) => {
    checkCa(c);
    const crl = await b.certificates.crl();
    if (accepts(c, 'application/pkix-crl')) {
      const der = fromPem(crl.crl, 'X509 CRL');
      return c.body(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer, 200, {
        'content-type': 'application/pkix-crl',
      });
    }
    return crl;
  });
};
