import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultProviders } from '#runtime';
import type { CertificatesBackend } from '../../src/certificates/backend.js';
import { LocalCertificatesBackend } from '../../src/certificates/local.js';
import { CertificatesNamespace } from '../../src/certificates/namespace.js';
import type { RotatingCertificateEvents } from '../../src/certificates/rotating.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { clock, localContext } from './context.js';
import { FakeScheduler } from './fake-scheduler.js';
import { HOUR, T0 } from './pki.js';

/**
 * The real local CA behind a switch that simulates the CA being unreachable, and a call counter:
 * the only way to observe outages and request storms from the outside.
 */
const switchableCa = (inner: CertificatesBackend) => {
  const state = { down: false, calls: 0 };
  const backend: CertificatesBackend = {
    issueFromCsr: async (input) => {
      state.calls++;
      if (state.down) throw new StoreUnavailableError('CA unreachable (simulated outage)');
      return inner.issueFromCsr(input);
    },
    revoke: (i) => inner.revoke(i),
    crl: () => inner.crl(),
    caCertificate: () => inner.caCertificate(),
    getCertificate: (s) => inner.getCertificate(s),
    listCertificates: (i) => inner.listCertificates(i),
  };
  return { backend, state };
};

const setup = () => {
  const c = clock(T0);
  const ctx = localContext({ now: c.now });
  const ca = switchableCa(new LocalCertificatesBackend(ctx));
  const ns = new CertificatesNamespace(ca.backend, { providers: defaultProviders, now: c.now });
  const scheduler = new FakeScheduler(c);
  const events: { [K in keyof RotatingCertificateEvents]: RotatingCertificateEvents[K][] } = {
    renewed: [],
    'renewal-failed': [],
    expiring: [],
  };
  const start = async () => {
    const h = await ns.rotating({ commonName: 'orders', dnsNames: ['orders.internal'], now: c.now, scheduler });
    h.on('renewed', (e) => events.renewed.push(e));
    h.on('renewal-failed', (e) => events['renewal-failed'].push(e));
    h.on('expiring', (e) => events.expiring.push(e));
    return h;
  };
  return { c, ca, ns, scheduler, events, start };
};

describe('RotatingCertificate (fake clock)', () => {
  it('fetches at start-up and fails fast when the CA is down', async () => {
    const s = setup();
    s.ca.state.down = true;
    await expect(s.start()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(s.scheduler.timers).toHaveLength(0);
    s.ca.state.down = false;
    const h = await s.start();
    expect(h.current.notAfter.getTime()).toBe(T0.getTime() + 24 * HOUR);
    expect(h.isExpiringSoon()).toBe(false);
    expect(h.isExpiringSoon(25 * HOUR)).toBe(true);
    // hourly check by default
    expect(s.scheduler.nextDelay).toBe(HOUR);
    h.stop();
    expect(s.scheduler.timers).toHaveLength(0);
  });

  it('renews once the 4 h threshold is crossed, not before', async () => {
    const s = setup();
    const h = await s.start();
    const first = h.current.serialNumber;
    await s.scheduler.advance(19 * HOUR + 59 * 60_000);
    expect(s.ca.state.calls).toBe(1);
    expect(h.current.serialNumber).toBe(first);
    await s.scheduler.advance(2 * 60_000);
    expect(s.ca.state.calls).toBe(2);
    expect(s.events.renewed).toHaveLength(1);
    expect(s.events.renewed[0]?.previousSerialNumber).toBe(first);
    expect(h.current.serialNumber).not.toBe(first);
    // the new certificate runs 24 h from the renewal
    expect(h.current.notAfter.getTime()).toBe(T0.getTime() + 20 * HOUR + 24 * HOUR);
    h.stop();
  });

  it('backs off 30 s doubling to 1 h while the CA is down, emits failures and expiring, recovers', async () => {
    const s = setup();
    const h = await s.start();
    const first = h.current.serialNumber;
    s.ca.state.down = true;
    await s.scheduler.advance(20 * HOUR);
    expect(s.events['renewal-failed'].map((e) => e.retryInMs)).toEqual([30_000]);
    const delays = [30_000];
    for (let i = 0; i < 9; i++) {
      const d = s.scheduler.nextDelay as number;
      await s.scheduler.advance(d);
      delays.push(s.events['renewal-failed'].at(-1)?.retryInMs as number);
    }
    expect(delays).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(s.events['renewal-failed'].map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.events.expiring.length).toBe(10);
    expect(s.events.expiring[0]?.serialNumber).toBe(first);
    // still serving the old certificate meanwhile
    expect(h.current.serialNumber).toBe(first);
    s.ca.state.down = false;
    await s.scheduler.advance(s.scheduler.nextDelay as number);
    expect(s.events.renewed).toHaveLength(1);
    expect(h.current.serialNumber).not.toBe(first);
    expect(s.scheduler.nextDelay).toBe(HOUR);
    h.stop();
  });

  it('no renewal storm: 50 concurrent renew() calls and a due timer make one CA request', async () => {
    const s = setup();
    const h = await s.start();
    expect(s.ca.state.calls).toBe(1);
    s.c.advance(20 * HOUR + 1);
    const all = Promise.all(Array.from({ length: 50 }, () => h.renew()));
    await s.scheduler.advance(0);
    const bundles = await all;
    expect(new Set(bundles.map((b) => b.serialNumber)).size).toBe(1);
    expect(s.ca.state.calls).toBe(2);
    expect(s.events.renewed).toHaveLength(1);
    h.stop();
  });

  it('keeps the key out of logs and JSON; tlsOptions() is mutual TLS 1.3 with the CA as anchor', async () => {
    const s = setup();
    const h = await s.start();
    const tls = h.tlsOptions();
    expect(tls.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(tls).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    expect(tls.ca).toBe((await s.ns.caCertificate()).root);
    expect(tls.cert).toBe(h.current.certificate);
    const b64 = tls.key.split('\n')[1] as string;
    for (const shown of [JSON.stringify(h), inspect(h), JSON.stringify(h.current), inspect(h.current, { depth: 5 })]) {
      expect(shown).not.toContain(b64);
      expect(shown).not.toContain('PRIVATE KEY');
    }
    h.stop();
  });
});
