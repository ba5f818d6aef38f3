import { defineConfig } from 'tsup';

// Runtime modules are separate entries, reached through the package's `#runtime` import map,
// so that each environment loads only its own providers (the jose approach).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    crypto: 'src/crypto/index.ts',
    verify: 'src/verify/index.ts',
    fields: 'src/fields/index.ts',
    'runtime/node': 'src/runtime/node.ts',
    'runtime/browser': 'src/runtime/browser.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      crypto: 'src/crypto/index.ts',
      verify: 'src/verify/index.ts',
      fields: 'src/fields/index.ts',
    },
  },
  target: 'es2022',
  platform: 'neutral',
  sourcemap: true,
  clean: true,
  treeshake: true,
  splitting: true,
  external: ['#runtime', /^node:/],
  noExternal: ['ky'],
});
