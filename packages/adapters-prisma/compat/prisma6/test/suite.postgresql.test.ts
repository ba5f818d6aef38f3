/** The adapter's whole specification, unchanged, on Prisma 6 with @prisma/adapter-pg (see suite.sqlite.test.ts). */
import { adapterSuite } from '../../../test/suite.js';

adapterSuite('postgresql');
