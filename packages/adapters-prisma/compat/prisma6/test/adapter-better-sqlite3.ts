/** Prisma 6's driver adapter under the name Prisma 7 gives it, for the adapter's test helpers. */
export { PrismaBetterSQLite3 as PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
