// Mutual TLS 1.3 client under Node 26. stdin JSON: { key, cert, ca, port, servername }.
import tls from 'node:tls';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const o = JSON.parse(input);
const done = (x) => {
  process.stdout.write(`${JSON.stringify(x)}\n`);
  process.exit(x.ok ? 0 : 1);
};

const socket = tls.connect({
  host: '127.0.0.1',
  port: o.port,
  servername: o.servername,
  key: o.key,
  cert: o.cert,
  ca: o.ca,
  minVersion: 'TLSv1.3',
  rejectUnauthorized: true,
});
let data = '';
let failure;
let session;
socket.on('secureConnect', () => {
  session = {
    authorized: socket.authorized,
    protocol: socket.getProtocol(),
    server: socket.getPeerCertificate()?.subject?.CN,
  };
});
socket.on('data', (d) => {
  data += d;
});
// In TLS 1.3 the server judges the client certificate after the client's handshake completes, so
// a rejection shows up as an alert (error) after secureConnect: decide only once the socket closes.
socket.on('error', (e) => {
  failure ??= { ok: false, code: e.code ?? null, reason: String(e.message).slice(0, 160) };
});
socket.on('close', () =>
  failure ? done(failure) : data === 'pong' ? done({ ok: true, ...session }) : done({ ok: false, code: 'NO_DATA' }),
);
setTimeout(() => done({ ok: false, code: 'TIMEOUT' }), 15_000).unref();
