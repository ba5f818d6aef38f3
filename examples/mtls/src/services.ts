/**
 * Two services that authenticate each other with short-lived ML-DSA-65 certificates:
 *
 *   orders  — an HTTPS server that requires a client certificate from the same CA;
 *   billing — a client calling orders with its own certificate.
 *
 * Each holds a RotatingCertificate: the key is generated in-process, only a CSR goes to the CA,
 * and renewed certificates are swapped in without a restart (server.setSecureContext for the
 * server, a fresh TLS context per request for the client).
 */
import type { IncomingMessage } from 'node:http';
import { type Server, createServer, request } from 'node:https';
import type { TLSSocket } from 'node:tls';

/** The slice of `client.certificates` this example uses. */
export interface Certificates {
  rotating(options: RotatingOptions): Promise<Holder>;
}

export interface RotatingOptions {
  commonName: string;
  dnsNames?: string[];
  uris?: string[];
  ttl?: number;
  renewBefore?: number;
  checkInterval?: number;
}

export interface Holder {
  readonly current: { readonly serialNumber: string; readonly notAfter: Date };
  tlsOptions(): {
    key: string;
    cert: string;
    ca: string;
    requestCert: boolean;
    rejectUnauthorized: boolean;
    minVersion: 'TLSv1.3';
  };
  on(event: 'renewed', listener: (e: { serialNumber: string }) => void): () => void;
  on(event: 'renewal-failed', listener: (e: { error: unknown; retryInMs: number }) => void): () => void;
  stop(): void;
}

export interface Rotation {
  /** Certificate lifetime in seconds (24 h in production; seconds here to watch a rotation). */
  ttl: number;
  renewBefore: number;
  checkInterval: number;
}

export const startOrders = async (certs: Certificates, rotation: Rotation, log: (s: string) => void) => {
  const holder = await certs.rotating({
    commonName: 'orders',
    dnsNames: ['localhost', 'orders.internal'],
    uris: ['spiffe://example.org/ns/prod/sa/orders'],
    ...rotation,
  });
  const server: Server = createServer(holder.tlsOptions(), (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({ service: 'orders', caller: peer.subject?.CN, callerSerial: peer.serialNumber?.toLowerCase() }),
    );
  });
  holder.on('renewed', (e) => {
    server.setSecureContext(holder.tlsOptions());
    log(`orders : renewed certificate, serial ${e.serialNumber.slice(0, 12)}…`);
  });
  holder.on('renewal-failed', (e) => log(`orders : renewal failed, retry in ${e.retryInMs / 1000}s`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    holder,
    port,
    close: () => {
      holder.stop();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

export const startBilling = async (certs: Certificates, rotation: Rotation, log: (s: string) => void) => {
  const holder = await certs.rotating({
    commonName: 'billing',
    uris: ['spiffe://example.org/ns/prod/sa/billing'],
    ...rotation,
  });
  holder.on('renewed', (e) => log(`billing: renewed certificate, serial ${e.serialNumber.slice(0, 12)}…`));
  /** One call to orders over mutual TLS 1.3; resolves with what each side saw of the other. */
  const call = (port: number) =>
    new Promise<{
      status: number;
      body: { caller: string; callerSerial: string };
      serverSerial: string;
      protocol: string;
    }>((resolve, reject) => {
      const req = request(
        // agent: false, so every call handshakes with the *current* certificates.
        { host: '127.0.0.1', port, servername: 'localhost', path: '/orders', agent: false, ...holder.tlsOptions() },
        (res: IncomingMessage) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            data += d;
          });
          res.on('end', () => {
            const socket = res.socket as TLSSocket;
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(data),
              serverSerial: socket.getPeerCertificate().serialNumber?.toLowerCase() ?? '',
              protocol: socket.getProtocol() ?? '',
            });
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  return { holder, call, close: () => holder.stop() };
};
