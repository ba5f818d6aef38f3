import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@quantumapi\/sdk\/crypto$/, replacement: here('./dev/crypto-source.ts') },
      { find: /^@quantumapi\/sdk$/, replacement: here('./dev/sdk-source.ts') },
      { find: /^#runtime$/, replacement: here('../sdk/src/runtime/node.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
