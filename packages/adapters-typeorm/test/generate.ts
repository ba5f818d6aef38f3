/** `pnpm generate`: the Prisma clients the cross-ORM test imports, so `typecheck` works before any test run. */
import setup from './global-setup.js';

setup();
