/**
 * CI size gate (`pnpm --filter @quantumapi/sdk size:verify`): prints the gzip -9 size of the
 * `@quantumapi/sdk/verify` bundle built from source and exits 1 above the limit, listing what the
 * bundle holds. When `dist/` exists it also prints the size an app gets from the built package;
 * `--published` makes that one a gate too (run it after `pnpm build`).
 */
import { buildPublishedVerifyBundle, buildVerifyBundle, SIZE_LIMIT_BYTES, type VerifyBundle } from './bundle.js';

const kb = (n: number): string => `${(n / 1024).toFixed(2)} kB`;

const report = (label: string, b: VerifyBundle, gate: boolean): boolean => {
  const over = b.gzipBytes > SIZE_LIMIT_BYTES;
  console.log(
    `@quantumapi/sdk/verify (${label}): ${kb(b.minifiedBytes)} minified, ${kb(b.gzipBytes)} gzip -9 = ${b.gzipBytes} B` +
      ` (limit ${SIZE_LIMIT_BYTES} B, ${over ? 'OVER by' : 'spare'} ${Math.abs(SIZE_LIMIT_BYTES - b.gzipBytes)} B)`,
  );
  if (over) {
    console.error(`${gate ? 'over' : 'warning: over'} the size budget; minified bytes per module:`);
    for (const [module, bytes] of b.breakdown) {
      console.error(`  ${String(bytes).padStart(6)}  ${module.replace(/^.*node_modules\//, '')}`);
    }
  }
  return gate && over;
};

let failed = report('from source', await buildVerifyBundle(), true);
const published = await buildPublishedVerifyBundle();
if (published) failed = report('from dist/', published, process.argv.includes('--published')) || failed;
else if (process.argv.includes('--published')) {
  console.error('--published: dist/verify.js is missing, run `pnpm build` first');
  failed = true;
}
if (failed) process.exit(1);
