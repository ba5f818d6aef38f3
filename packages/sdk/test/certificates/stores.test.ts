/**
 * The local CA over each real store (memory, file, PostgreSQL) through the lead's LocalEngine
 * (master key → tenant data key → sealed CA seeds): persistence across restarts, nothing secret at
 * rest, and several engine instances sharing one store.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalCertificatesBackend } from '../../src/certificates/local.js';
import { createCsr } from '../../src/certificates/x509/csr.js';
import { parseCrl } from '../../src/certificates/x509/crl.js';
import { verifyCertificate } from '../../src/certificates/x509/verify.js';
import { toBase64, toBase64Url, toHex } from '../../src/crypto/bytes.js';
import { LocalEngine } from '../../src/local/engine.js';
import { FileStore } from '../../src/local/stores/file.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { PostgresStore } from '../../src/local/stores/postgres.js';
import type { RecordStore } from '../../src/local/stores/types.js';
import { defaultProviders } from '../../src/runtime/node.js';
import { freshSchema } from '../conformance/pg.js';
import { newKey } from './pki.js';

interface StoreKit {
  /** A new store object over the same underlying data (a "restart" or a second instance). */
  open(): RecordStore;
  /** Whether two store objects may be open on the data at once (the file store is single-writer). */
  readonly concurrent: boolean;
  /** All bytes at rest, for searching. */
  dump(): Promise<string>;
  cleanup(): Promise<void>;
}

const kits: [string, () => Promise<StoreKit>][] = [
  [
    'memory',
    async () => {
      const store = new MemoryStore();
      return {
        open: () => store,
        concurrent: true,
        dump: async () => JSON.stringify(await store.list('acme', 'certificates.ca')),
        cleanup: async () => {},
      };
    },
  ],
  [
    'file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'qapi-certs-'));
      const dump = async (d: string): Promise<string> => {
        let out = '';
        for (const e of await readdir(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          out += e.isDirectory() ? await dump(p) : await readFile(p, 'latin1');
        }
        return out;
      };
      return {
        open: () => new FileStore({ path: dir }),
        concurrent: false,
        dump: () => dump(dir),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = await freshSchema('qapi_certs');
      return {
        open: () => new PostgresStore({ pool: schema.pool, schema: schema.name }),
        concurrent: true,
        dump: async () => JSON.stringify((await schema.pool.query(`SELECT * FROM "${schema.name}".qapi_records`)).rows),
        cleanup: () => schema.drop(),
      };
    },
  ],
];

describe.each(kits)('local CA on the %s store', (_name, makeKit) => {
  let kit: StoreKit;
  const engines: LocalEngine[] = [];
  const masterKey = randomBytes(32);
  const engine = (store: RecordStore) => {
    const e = new LocalEngine({ store, masterKey, providers: defaultProviders, tenant: 'acme', ownsStore: true });
    engines.push(e);
    return e;
  };
  const service = async (store: RecordStore, o: { intermediate?: boolean } = {}) =>
    new LocalCertificatesBackend(await engine(store).context(), o);
  const csr = () => createCsr({ key: newKey(), subject: { commonName: 'orders' }, dnsNames: ['orders.internal'] }).pem;

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
    await kit?.cleanup();
  });

  it('keeps the CA across a restart and stores its seed only sealed', async () => {
    kit = await makeKit();
    const first = await service(kit.open(), { intermediate: true });
    const ca = await first.caCertificate();
    const issued = await first.issueFromCsr({ csr: csr() });
    const ctx = await engines[0]?.context();
    if (!ctx) throw new Error('engine did not open');
    const rec = await ctx.store.get<{ seed: string }>('acme', 'certificates.ca', 'root');
    if (!rec) throw new Error('no CA record');
    const seed = ctx.keyring.open('ca:root', rec.data.seed);
    const rest = await kit.dump();
    // the dump does see the CA record (so the search below can fail), but only its sealed form
    expect(rest).toContain(rec.data.seed.slice(3, 40));
    for (const enc of [toHex(seed), toBase64(seed), toBase64Url(seed)]) expect(rest).not.toContain(enc);

    // restart: the first engine (and its store) closes before the next opens
    await engines[0]?.close();
    const again = await service(kit.open(), { intermediate: true });
    expect((await again.caCertificate()).root).toBe(ca.root);
    expect((await again.getCertificate(issued.serialNumber)).certificate).toBe(issued.certificate);
    const later = await again.issueFromCsr({ csr: csr() });
    verifyCertificate(later.certificate, { ca: ca.root, intermediates: [ca.certificate] });
  });

  it('instances sharing the store: one CA, revocations and CRL numbers seen by all', async () => {
    kit = await makeKit();
    // the file store is one writer per directory: there, two engines share one store object
    const first = kit.open();
    const [a, b] = [await service(first), await service(kit.concurrent ? kit.open() : first)];
    const [caA, caB] = await Promise.all([a.caCertificate(), b.caCertificate()]);
    expect(caB.root).toBe(caA.root);
    const issued = await a.issueFromCsr({ csr: csr() });
    await b.revoke({ serialNumber: issued.serialNumber, reason: 'keyCompromise' });
    const [crlA, crlB] = await Promise.all([a.crl(), b.crl()]);
    // concurrent generators converge on one CRL (compare-and-set on the CRL record)
    expect(crlB.crlNumber).toBe(crlA.crlNumber);
    expect(parseCrl(crlA.crl).revoked.get(issued.serialNumber)?.reason).toBe('keyCompromise');
    expect(() => verifyCertificate(issued.certificate, { ca: caA.root, crl: crlB.crl })).toThrow(
      expect.objectContaining({ code: 'CERTIFICATE_REVOKED' }),
    );
  });
});
