// Runs under Node 26 (OpenSSL 3.5). Input (stdin JSON): { ca, leaf, intermediate?, key, lamps }.
// Output (stdout JSON): what node:crypto / OpenSSL think of the SDK's encodings.
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { ca, leaf, intermediate, key, lamps, spki } = JSON.parse(input);

const root = new X509Certificate(ca);
const issuer = intermediate ? new X509Certificate(intermediate) : root;
const cert = new X509Certificate(leaf);
const priv = createPrivateKey(key);
const message = Buffer.from('interop');
const sig = sign(null, message, priv);
const lampsCert = new X509Certificate(lamps);

process.stdout.write(
  JSON.stringify({
    node: process.version,
    openssl: process.versions.openssl,
    leafVerifiesUnderIssuer: cert.verify(issuer.publicKey),
    leafCheckIssued: cert.checkIssued(issuer),
    issuerVerifiesUnderRoot: issuer.verify(root.publicKey),
    issuerCheckIssued: issuer.checkIssued(root),
    rootSelfSigned: root.verify(root.publicKey),
    leafNotUnderWrongKey: !cert.verify(cert.publicKey),
    keyType: priv.asymmetricKeyType,
    nodeSignatureVerifiesWithCertKey: verify(null, message, cert.publicKey, sig),
    subjectAltName: cert.subjectAltName,
    keyUsage: cert.keyUsage,
    ca: cert.ca,
    serialNumber: cert.serialNumber,
    lampsSelfSigned: lampsCert.verify(lampsCert.publicKey),
    spkiMatches: createPublicKey(spki)
      .export({ type: 'spki', format: 'der' })
      .equals(cert.publicKey.export({ type: 'spki', format: 'der' })),
  }),
);
