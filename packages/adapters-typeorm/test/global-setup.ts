/**
 * Generates the Prisma clients for the cross-ORM test (SQLite, PostgreSQL) with the real
 * `prisma generate`, into test/prisma/<provider>/generated (git-ignored build output). Offline:
 * `generate` never starts the schema engine, but Prisma insists the variable points at a file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const dir = fileURLToPath(new URL('./prisma/', import.meta.url));

const header = (provider: string) => `// Written by test/global-setup.ts from user.prisma.part: edit that file.
generator client {
  provider     = "prisma-client"
  output       = "./generated/client"
  moduleFormat = "esm"
}

datasource db {
  provider = "${provider}"
}

`;

export default function setup(): void {
  const part = `${dir}user.prisma.part`;
  const models = readFileSync(part, 'utf8');
  for (const provider of ['sqlite', 'postgresql']) {
    mkdirSync(`${dir}${provider}`, { recursive: true });
    const schema = `${dir}${provider}/schema.prisma`;
    const text = header(provider) + models;
    const client = `${dir}${provider}/generated/client/client.ts`;
    if (existsSync(schema) && readFileSync(schema, 'utf8') === text && existsSync(client)) {
      if (statSync(client).mtimeMs > statSync(part).mtimeMs) continue;
    }
    writeFileSync(schema, text);
    execFileSync(`${pkg}node_modules/.bin/prisma`, ['generate', '--schema', schema], {
      cwd: pkg,
      stdio: 'pipe',
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      },
    });
  }
}
