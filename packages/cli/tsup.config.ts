import { defineConfig } from 'tsup';

// Node-only package. The sdk, the TypeORM adapter and pg stay external: the app's own copies are
// used at run time, so field ciphertexts written by a migration are the exact bytes the adapters
// read, and `@quantumapi/cli/typeorm` sees the decorator records of the app's entities.
const external = [/^@quantumapi\/sdk/, /^@quantumapi\/typeorm/, 'typeorm', 'reflect-metadata', /^node:/, 'pg'];

export default defineConfig([
  {
    entry: { index: 'src/index.ts', typeorm: 'src/typeorm.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    target: 'es2022',
    platform: 'node',
    sourcemap: true,
    clean: true,
    external,
  },
  {
    // The binary is ESM only (top-level await); `bin` points at it.
    entry: { 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    sourcemap: true,
    external,
  },
]);
