// Mutual TLS 1.3 server under Node 26. stdin JSON: { key, cert, ca, crl?, requestCert, rejectUnauthorized,
// diagnose? }. Serves one connection. With `diagnose`, verification failures are not enforced by
// OpenSSL but reported (authorizationError) and the connection is then closed without serving:
// that is how the test learns *why* a client certificate was refused.
import tls from 'node:tls';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const o = JSON.parse(input);
const out = (x) => process.stdout.write(`${JSON.stringify(x)}\n`);

const server = tls.createServer(
  {
    key: o.key,
    cert: o.cert,
    ca: o.ca,
    ...(o.crl ? { crl: o.crl } : {}),
    requestCert: o.requestCert ?? true,
    rejectUnauthorized: o.diagnose ? false : (o.rejectUnauthorized ?? true),
    minVersion: 'TLSv1.3',
  },
  (socket) => {
    const peer = socket.getPeerCertificate();
    out({
      event: 'peer',
      authorized: socket.authorized,
      authorizationError: socket.authorizationError ?? null,
      protocol: socket.getProtocol(),
      subject: peer?.subject?.CN ?? null,
    });
    if (socket.authorized) {
      socket.end('pong', () => server.close());
    } else {
      socket.destroy();
      server.close();
    }
  },
);
server.on('tlsClientError', (e) => {
  out({ event: 'client-rejected', code: e.code ?? null, reason: String(e.message).slice(0, 160) });
  server.close();
});
server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));
setTimeout(() => process.exit(3), 20_000).unref();
