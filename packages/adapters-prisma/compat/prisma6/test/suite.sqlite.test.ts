/**
 * The adapter's whole specification (packages/adapters-prisma/test/suite.ts), unchanged, on
 * Prisma 6 with the Rust-free client and @prisma/adapter-better-sqlite3. vitest.config.ts swaps
 * in the Prisma 6 packages. One provider per file: Prisma 6.16 keeps one query compiler per
 * process, so a PostgreSQL client after a SQLite one fails there (fixed by 6.19).
 */
import { adapterSuite } from '../../../test/suite.js';

adapterSuite('sqlite');
