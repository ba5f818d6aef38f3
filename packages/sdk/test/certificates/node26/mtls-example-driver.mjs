// Plain JS (run with `--import tsx`) so the SDK's typecheck does not reach into examples/.
// Runs examples/mtls/src/services.ts under Node 26 against the SDK source (the example's main.ts
// reaches the same namespace through QuantumApiClient). Prints one JSON line per call, then a summary.
import { nobleProviders } from '../../../src/crypto/noble-provider.ts';
import { LocalCertificatesBackend } from '../../../src/certificates/local.ts';
import { CertificatesNamespace } from '../../../src/certificates/namespace.ts';
import { createTenantKeyring } from '../../../src/local/keyring.ts';
import { MemoryStore } from '../../../src/local/stores/memory.ts';
import { startBilling, startOrders } from '../../../../../examples/mtls/src/services.ts';

const ctx = {
  tenant: 'demo',
  store: new MemoryStore(),
  keyring: createTenantKeyring(nobleProviders, 'demo', nobleProviders.random.randomBytes(32)),
  providers: nobleProviders,
  now: () => new Date(),
};
const certs = new CertificatesNamespace(new LocalCertificatesBackend(ctx), { providers: nobleProviders });
const rotation = { ttl: 6, renewBefore: 4, checkInterval: 1 };
const logs = [];
const orders = await startOrders(certs, rotation, (s) => logs.push(s));
const billing = await startBilling(certs, rotation, (s) => logs.push(s));
const serials = new Set();
const results = [];
for (let i = 0; i < 5; i++) {
  const r = await billing.call(orders.port);
  serials.add(r.serverSerial);
  results.push({ status: r.status, protocol: r.protocol, caller: r.body.caller });
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
billing.close();
await orders.close();
process.stdout.write(
  JSON.stringify({
    results,
    distinctServerCerts: serials.size,
    renewals: logs.filter((l) => l.includes('renewed')).length,
  }),
);
