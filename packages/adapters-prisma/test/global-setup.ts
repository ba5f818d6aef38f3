/**
 * Generates the two test Prisma clients (SQLite, PostgreSQL) and their encryption manifests with
 * the real `prisma generate`, running our generator from source. Offline: the schema engine is
 * never started by `generate`, but Prisma insists the variable points at a file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = fileURLToPath(new URL('./prisma/', import.meta.url));

const header = (
  provider: string,
) => `// Test schema (${provider}). Written by test/global-setup.ts from models.prisma.part: edit that file.
generator client {
  provider     = "prisma-client"
  output       = "./generated/client"
  moduleFormat = "esm"
}

generator quantumapi {
  provider = "tsx src/generator/bin.ts"
  output   = "./generated/quantumapi-manifest.ts"
}

datasource db {
  provider = "${provider}"
}

`;

export interface GenerateOptions {
  /** The package whose `node_modules/.bin/prisma` runs (its version is the one under test). */
  readonly pkg: string;
  readonly schema: string;
  readonly text: string;
  /** The generator's output: regenerated when older than any of `sources`. */
  readonly manifest: string;
  readonly sources: readonly string[];
  readonly tsconfig: string;
}

/** Runs `prisma generate` for `schema` unless its text and generated manifest are current. */
export const generateIfStale = (o: GenerateOptions): void => {
  const newest = Math.max(...o.sources.map((s) => statSync(s).mtimeMs));
  const upToDate =
    existsSync(o.schema) &&
    readFileSync(o.schema, 'utf8') === o.text &&
    existsSync(o.manifest) &&
    statSync(o.manifest).mtimeMs > newest;
  if (upToDate) return;
  mkdirSync(dirname(o.schema), { recursive: true }); // generated output is not committed
  writeFileSync(o.schema, o.text);
  execFileSync(`${o.pkg}node_modules/.bin/prisma`, ['generate', '--schema', o.schema], {
    cwd: o.pkg,
    stdio: 'pipe',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      TSX_TSCONFIG_PATH: o.tsconfig,
      PATH: `${o.pkg}node_modules/.bin:${process.env.PATH ?? ''}`,
    },
  });
};

export default function setup(): void {
  const models = readFileSync(`${dir}models.prisma.part`, 'utf8');
  const sources = [
    fileURLToPath(new URL('../src/generator/parse.ts', import.meta.url)),
    fileURLToPath(new URL('../src/generator/bin.ts', import.meta.url)),
    `${dir}models.prisma.part`,
  ];
  for (const provider of ['sqlite', 'postgresql']) {
    generateIfStale({
      pkg,
      schema: `${dir}${provider}/schema.prisma`,
      text: header(provider) + models,
      manifest: `${dir}${provider}/generated/quantumapi-manifest.ts`,
      sources,
      tsconfig: `${pkg}tsconfig.json`,
    });
  }
}
