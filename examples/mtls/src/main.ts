/**
 * mTLS between two services with rotating ML-DSA-65 certificates from the SDK's local CA.
 *
 *   pnpm --filter @quantumapi/example-mtls start:node26     # Node 26 (OpenSSL 3.5): full demo
 *   pnpm --filter @quantumapi/example-mtls start            # other runtimes: explains what is missing
 *
 * Production settings are 24 h certificates renewed 4 h before expiry, checked hourly. The demo
 * uses seconds (QAPI_DEMO_TTL, default 12 s) so a rotation happens while you watch.
 */
import { QuantumApiClient } from '@quantumapi/sdk';
import { mlDsaTlsSupport } from './runtime-support.js';
import { startBilling, startOrders } from './services.js';

const support = mlDsaTlsSupport();
if (!support.supported) {
  console.log(`mtls example: SKIPPED. ${support.reason}`);
  process.exit(0);
}

const ttl = Number(process.env.QAPI_DEMO_TTL ?? 12);
const rotation = { ttl, renewBefore: Math.ceil((ttl * 2) / 3), checkInterval: 1 };
const calls = Number(process.env.QAPI_DEMO_CALLS ?? 8);
const log = (s: string) => console.log(s);

// One embedded engine = one CA for both services (memory store: nothing outlives the demo).
const qapi = new QuantumApiClient({ local: { store: 'memory' } });
log(`runtime: ${support.reason}`);

const orders = await startOrders(qapi.certificates, rotation, log);
const billing = await startBilling(qapi.certificates, rotation, log);
const seen = new Set<string>();
try {
  for (let i = 1; i <= calls; i++) {
    const r = await billing.call(orders.port);
    seen.add(r.serverSerial);
    log(
      `call ${i}: ${r.status} over ${r.protocol}; orders saw caller ${r.body.caller} (${r.body.callerSerial.slice(0, 12)}…), ` +
        `billing saw orders ${r.serverSerial.slice(0, 12)}…`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(
    `done: ${calls} mutual-TLS calls, ${seen.size} distinct orders certificates (rotation ${seen.size > 1 ? 'observed' : 'not yet due'})`,
  );
} finally {
  billing.close();
  await orders.close();
  await qapi.close();
}
