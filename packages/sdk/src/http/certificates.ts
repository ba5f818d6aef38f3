/**
 * The certificates section over http. Only CSRs go out (the namespace makes them), so no private
 * key ever crosses the wire; certificates, chains and CRLs come back as PEM inside JSON.
 */
import type { z } from 'zod';
import type {
  CaInfo,
  CertificateRecord,
  CertificatesBackend,
  CrlInfo,
  IssuedCertificate,
  RevocationInfo,
} from '../certificates/backend.js';
import { defined } from './codec.js';
import { DEFAULT_CA_ID, ROUTES } from './routes.js';
import type { Transport } from './transport.js';
import {
  caInfoSchema,
  certificatePageSchema,
  certificateRecordSchema,
  crlInfoSchema,
  issuedCertificateSchema,
  revocationSchema,
} from './wire.js';

const record = (r: z.output<typeof certificateRecordSchema>): CertificateRecord => ({
  ...r,
  revokedAt: r.revokedAt,
  revocationReason: r.revocationReason,
});

export class HttpCertificatesBackend implements CertificatesBackend {
  readonly #t: Transport;
  readonly #caId: string;

  constructor(transport: Transport, caId: string = DEFAULT_CA_ID) {
    this.#t = transport;
    this.#caId = caId;
  }

  issueFromCsr = async (input: Parameters<CertificatesBackend['issueFromCsr']>[0]): Promise<IssuedCertificate> =>
    this.#t.call('issueFromCsr', ROUTES.issueCertificate, issuedCertificateSchema, {
      body: defined({ csr: input.csr, ttlSeconds: input.ttlSeconds, dnsNames: input.dnsNames, uris: input.uris }),
    });

  revoke = async (input: Parameters<CertificatesBackend['revoke']>[0]): Promise<RevocationInfo> =>
    this.#t.call('revoke', ROUTES.revokeCertificate, revocationSchema, {
      id: input.serialNumber,
      body: defined({ reason: input.reason }),
    });

  crl = async (): Promise<CrlInfo> => this.#t.call('crl', ROUTES.crl, crlInfoSchema, { id: this.#caId });

  caCertificate = async (): Promise<CaInfo> =>
    this.#t.call('caCertificate', ROUTES.caCertificate, caInfoSchema, { id: this.#caId });

  getCertificate = async (serialNumber: string): Promise<CertificateRecord> =>
    record(await this.#t.call('getCertificate', ROUTES.getCertificate, certificateRecordSchema, { id: serialNumber }));

  listCertificates: CertificatesBackend['listCertificates'] = async (input = {}) => {
    const page = await this.#t.call('listCertificates', ROUTES.listCertificates, certificatePageSchema, {
      query: { pageSize: input.pageSize, continuationToken: input.continuationToken },
    });
    return { items: page.items.map(record), continuationToken: page.continuationToken };
  };
}
