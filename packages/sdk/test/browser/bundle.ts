/** Builds the `@quantumapi/sdk/verify` browser bundle the way a consumer's bundler would: esbuild, minified, tree-shaken. */
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';

export const VERIFY_ENTRY = new URL('../../src/verify/index.ts', import.meta.url).pathname;
/** The published entry (`pnpm build`), reached through the package's `exports` like an app would. */
export const PUBLISHED_VERIFY_ENTRY = new URL('../../dist/verify.js', import.meta.url).pathname;
/** 12 kB gzip -9. ML-DSA verify + SHA-3 alone (noble, esbuild) are ~9.2 kB of it. */
export const SIZE_LIMIT_BYTES = 12 * 1024;

export interface VerifyBundle {
  readonly code: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** Every module that contributes bytes to the bundle (for "no node:" checks). */
  readonly inputs: readonly string[];
  /** Minified bytes per contributing module, largest first (what to look at when the budget is blown). */
  readonly breakdown: readonly (readonly [module: string, bytes: number])[];
}

const bundle = async (entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>): Promise<VerifyBundle> => {
  const result = await build({
    ...entry,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text ?? '';
  const breakdown = Object.values(result.metafile.outputs)
    .flatMap((o) => Object.entries(o.inputs).map(([k, v]) => [k, v.bytesInOutput] as const))
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    code,
    minifiedBytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    inputs: breakdown.map(([k]) => k),
    breakdown,
  };
};

/** From source: what the size gate and the browser tests use. */
export const buildVerifyBundle = (): Promise<VerifyBundle> => bundle({ entryPoints: [VERIFY_ENTRY] });

/**
 * From the built package (`dist/`), as an app importing `@quantumapi/sdk/verify` gets it; undefined
 * before `pnpm build`. tsup shares chunks between entries, so this can carry more than the source
 * build (e.g. a namespace import elsewhere keeps every error class of a shared chunk alive).
 */
export const buildPublishedVerifyBundle = async (): Promise<VerifyBundle | undefined> =>
  existsSync(PUBLISHED_VERIFY_ENTRY) ? bundle({ entryPoints: [PUBLISHED_VERIFY_ENTRY] }) : undefined;
