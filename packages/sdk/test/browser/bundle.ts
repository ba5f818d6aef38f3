/** Builds the `@quantumapi/sdk/verify` browser bundle the way a consumer's bundler would: esbuild, minified, tree-shaken. */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const VERIFY_ENTRY = new URL('../../src/verify/index.ts', import.meta.url).pathname;
export const SIZE_LIMIT_BYTES = 12 * 1024;

export interface VerifyBundle {
  readonly code: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  /** Every module that contributes bytes to the bundle (for "no node:" checks). */
  readonly inputs: readonly string[];
}

export const buildVerifyBundle = async (): Promise<VerifyBundle> => {
  const result = await build({
    entryPoints: [VERIFY_ENTRY],
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
  return {
    code,
    minifiedBytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code, { level: 9 }).length,
    inputs: Object.values(result.metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([k]) => k),
    ),
  };
};
