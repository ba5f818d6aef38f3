/**
 * Global setup (and `pnpm generate`, test/generate.ts): generates Prisma 6 clients and encryption manifests from the
 * adapter's own test models with the real Prisma 6 `prisma generate`, running our generator from
 * source. Prisma 6 is used the Rust-free way (`engineType = "client"`: the query compiler is
 * WASM inside the npm package, queries go through a driver adapter), so nothing is downloaded.
 * `generate` never starts the schema engine, but Prisma 6 insists its variable names a file;
 * without it the CLI tries to fetch the engine binary.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateIfStale } from '../../../test/global-setup.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../generated/', import.meta.url));
const models = fileURLToPath(new URL('../../../test/prisma/models.prisma.part', import.meta.url));
const generatorSources = ['parse.ts', 'bin.ts'].map((f) =>
  fileURLToPath(new URL(`../../../src/generator/${f}`, import.meta.url)),
);

export const PROVIDERS = ['sqlite', 'postgresql'] as const;

// Prisma 6 still wants a datasource url in the schema; `generate` never connects to it.
const URLS = { sqlite: 'file:./unused.db', postgresql: 'postgresql://unused@127.0.0.1:5432/unused' };

const header = (
  provider: (typeof PROVIDERS)[number],
) => `// Written by compat/prisma6/test/global-setup.ts from the adapter's test/prisma/models.prisma.part.
generator client {
  provider     = "prisma-client"
  output       = "./client"
  moduleFormat = "esm"
  runtime      = "nodejs"
  engineType   = "client"
}

generator quantumapi {
  provider = "tsx ../../src/generator/bin.ts"
  output   = "./quantumapi-manifest.ts"
}

datasource db {
  provider = "${provider}"
  url      = "${URLS[provider]}"
}

`;

export default function setup(): void {
  const text = readFileSync(models, 'utf8');
  for (const provider of PROVIDERS) {
    generateIfStale({
      pkg,
      schema: `${out}${provider}/schema.prisma`,
      text: header(provider) + text,
      manifest: `${out}${provider}/quantumapi-manifest.ts`,
      sources: [models, ...generatorSources],
      tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)),
    });
  }
}
