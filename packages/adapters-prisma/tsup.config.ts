import { defineConfig } from 'tsup';

// Node-only package. The sdk and Prisma stay external: the app's own copies are used at run time.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'generator/index': 'src/generator/index.ts',
    'generator/bin': 'src/generator/bin.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', 'generator/index': 'src/generator/index.ts' } },
  target: 'es2022',
  platform: 'node',
  sourcemap: true,
  clean: true,
  external: [/^@quantumapi\/sdk/, /^@prisma\//, /^node:/],
});
