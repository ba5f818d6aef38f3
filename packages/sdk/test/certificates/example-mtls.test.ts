/**
 * examples/mtls: the two services (orders server, billing client) with rotating certificates, run
 * under Node 26 in a real process; and the runtime check that makes the example say clearly when
 * ML-DSA TLS is unavailable.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const sdkRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('examples/mtls', () => {
  it('orders and billing talk mutual TLS 1.3 across certificate rotations (Node 26)', () => {
    const node26 = execFileSync('bash', [`${repoRoot}scripts/ensure-node26.sh`], { encoding: 'utf8' }).trim();
    const out = execFileSync(node26, ['--import', 'tsx', 'test/certificates/node26/mtls-example-driver.mjs'], {
      cwd: sdkRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const r = JSON.parse(out) as {
      results: { status: number; protocol: string; caller: string }[];
      distinctServerCerts: number;
      renewals: number;
    };
    expect(r.results).toHaveLength(5);
    for (const call of r.results) expect(call).toEqual({ status: 200, protocol: 'TLSv1.3', caller: 'billing' });
    // 6 s certificates renewed 4 s before expiry over ~5 s of calls: at least one rotation served
    expect(r.distinctServerCerts).toBeGreaterThanOrEqual(2);
    expect(r.renewals).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('reports whether this runtime can do ML-DSA in TLS, with instructions when it cannot', () => {
    const [major = 0, minor = 0] = (process.versions.openssl ?? '0.0').split('.').map(Number);
    const expected = major > 3 || (major === 3 && minor >= 5);
    const file = `${repoRoot}examples/mtls/src/runtime-support.ts`;
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(file)}); console.log(JSON.stringify(m.mlDsaTlsSupport()));`,
      ],
      { cwd: sdkRoot, encoding: 'utf8' },
    );
    const s = JSON.parse(out) as { supported: boolean; reason: string };
    expect(s.supported).toBe(expected);
    if (!s.supported) expect(s.reason).toMatch(/Node >= 24\.7 on OpenSSL >= 3\.5/);
  });
});
