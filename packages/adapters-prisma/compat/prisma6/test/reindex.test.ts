/**
 * The adapter's blind-index re-keying tests (packages/adapters-prisma/test/reindex.test.ts),
 * unchanged, on Prisma 6.19. They include the batch `$transaction([...])` case, which depends on
 * the internal field the adapter reads to detect a batch.
 */
import '../../../test/reindex.test.js';
