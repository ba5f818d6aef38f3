import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The sdk is consumed from source in tests (no build step): the same aliases its own tests use.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@quantumapi\/sdk\/fields$/, replacement: here('../sdk/src/fields/index.ts') },
      { find: /^@quantumapi\/sdk\/crypto$/, replacement: here('../sdk/src/crypto/index.ts') },
      { find: /^@quantumapi\/sdk$/, replacement: here('../sdk/src/index.ts') },
      { find: /^@quantumapi\/typeorm$/, replacement: here('../adapters-typeorm/src/index.ts') },
      { find: /^#runtime$/, replacement: here('../sdk/src/runtime/node.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
