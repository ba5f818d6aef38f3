/**
 * Generates the two test Prisma clients (SQLite, PostgreSQL) and their encryption manifests with
 * the real `prisma generate`, running our generator from source. Offline: the schema engine is
 * never started by `generate`, but Prisma insists the variable points at a file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

export default function setup(): void {
  const models = readFileSync(`${dir}models.prisma.part`, 'utf8');
  const sources = [
    fileURLToPath(new URL('../src/generator/parse.ts', import.meta.url)),
    fileURLToPath(new URL('../src/generator/bin.ts', import.meta.url)),
    `${dir}models.prisma.part`,
  ];
  const newest = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  for (const provider of ['sqlite', 'postgresql']) {
    const schema = `${dir}${provider}/schema.prisma`;
    const text = header(provider) + models;
    const manifest = `${dir}${provider}/generated/quantumapi-manifest.ts`;
    const upToDate =
      existsSync(schema) &&
      readFileSync(schema, 'utf8') === text &&
      existsSync(manifest) &&
      statSync(manifest).mtimeMs > newest;
    if (upToDate) continue;
    mkdirSync(`${dir}${provider}`, { recursive: true }); // generated output is not committed
    writeFileSync(schema, text);
    execFileSync(`${pkg}node_modules/.bin/prisma`, ['generate', '--schema', schema], {
      cwd: pkg,
      stdio: 'pipe',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
        TSX_TSCONFIG_PATH: `${pkg}tsconfig.json`,
        PATH: `${pkg}node_modules/.bin:${process.env.PATH ?? ''}`,
      },
    });
  }
}
