/**
 * Native ML-KEM / ML-DSA (node:crypto on Node 26, OpenSSL 3.5) against noble, in a real Node 26
 * process: the vitest runner itself is on Node 20, which has neither, so the checks run in a child
 * (native-pq.script.ts) and this file asserts on its report.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTsUnderNode26, sdkRoot } from './node26.js';

interface Check {
  group: string;
  name: string;
  ok: boolean;
  detail?: string;
}
interface Report {
  node: string;
  openssl: string;
  checks: Check[];
}

let report: Report;
beforeAll(async () => {
  report = await runTsUnderNode26<Report>(resolve(sdkRoot, 'test/interop/native-pq.script.ts'));
}, 300_000);

const group = (name: string) => report.checks.filter((c) => c.group === name);
const failures = (name: string) => group(name).filter((c) => !c.ok);

describe('native PQ providers under Node 26', () => {
  it('runs on a runtime whose OpenSSL has ML-KEM and ML-DSA', () => {
    expect(Number(report.node.slice(1).split('.')[0])).toBeGreaterThanOrEqual(24);
    const [major, minor] = report.openssl.split('.').map(Number);
    expect((major ?? 0) * 100 + (minor ?? 0)).toBeGreaterThanOrEqual(305);
  });

  it('selects node-native for ML-KEM and ML-DSA, node for AES-GCM, native ML-DSA context', () => {
    expect(group('selection')).toHaveLength(5);
    expect(failures('selection')).toEqual([]);
  });

  it('reads and writes the RFC 9935 / RFC 9881 seed-only PKCS#8 and SPKI examples', () => {
    expect(group('formats')).toHaveLength(5);
    expect(failures('formats')).toEqual([]);
  });

  it('ML-KEM-512/768/1024: same keys, cross encaps/decaps, same implicit rejection, typed errors', () => {
    expect(group('kem')).toHaveLength(3 * 9);
    expect(failures('kem')).toEqual([]);
  });

  it('ML-DSA-44/65/87: same keys, cross sign/verify with and without context, tamper rejected', () => {
    expect(group('dsa')).toHaveLength(3 * 8);
    expect(failures('dsa')).toEqual([]);
  });

  it('ML-DSA with context served by noble when native context is unavailable still interoperates', () => {
    expect(group('dsa-context-fallback')).toHaveLength(3 * 8);
    expect(failures('dsa-context-fallback')).toEqual([]);
  });

  it('AES-256-GCM: node and noble give equal bytes', () => {
    expect(group('aead')).toHaveLength(2);
    expect(failures('aead')).toEqual([]);
  });

  it('native errors are typed and carry no key material', () => {
    expect(group('errors')).toHaveLength(1);
    expect(failures('errors')).toEqual([]);
  });
});
