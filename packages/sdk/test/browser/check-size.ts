/** CI size gate: `tsx test/browser/check-size.ts`. Prints the gzip -9 size; exits 1 above the limit. */
import { buildVerifyBundle, SIZE_LIMIT_BYTES } from './bundle.js';

const b = await buildVerifyBundle();
const kb = (n: number): string => `${(n / 1024).toFixed(2)} kB`;
console.log(
  `@quantumapi/sdk/verify: ${kb(b.minifiedBytes)} minified, ${kb(b.gzipBytes)} gzip -9 (limit ${kb(SIZE_LIMIT_BYTES)})`,
);
if (b.gzipBytes > SIZE_LIMIT_BYTES) {
  console.error('verify bundle is over its size budget');
  process.exit(1);
}
