import { describe, expect, it } from 'vitest';
import { buildVerifyBundle, SIZE_LIMIT_BYTES } from './bundle.js';

describe('@quantumapi/sdk/verify bundle', () => {
  it('pulls in no Node module, no zod and no classical/KEM crypto', async () => {
    const b = await buildVerifyBundle();
    expect(b.inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(b.code).not.toMatch(/\brequire\(|from\s*["']node:/);
    for (const banned of ['/zod/', 'ml-kem', '/curves/nist', '/curves/ed25519', 'rsa.ts', '/ky/', 'src/runtime/']) {
      expect(b.inputs.filter((i) => i.includes(banned))).toEqual([]);
    }
  });

  it('verifies on its own slim path: none of the full JWS codec, signing providers or base64 tables', async () => {
    const b = await buildVerifyBundle();
    for (const heavy of ['src/crypto/jws.ts', 'src/crypto/bytes.ts', 'noble-provider', 'src/crypto/sig/ml-dsa.ts']) {
      expect(b.inputs.filter((i) => i.includes(heavy))).toEqual([]);
    }
  });

  it(`stays within ${SIZE_LIMIT_BYTES} B gzip -9`, async () => {
    const b = await buildVerifyBundle();
    console.log(
      `verify bundle: ${b.minifiedBytes} B minified, ${b.gzipBytes} B gzip -9 (budget ${SIZE_LIMIT_BYTES} B)`,
    );
    expect(b.gzipBytes).toBeLessThanOrEqual(SIZE_LIMIT_BYTES);
  });
});
