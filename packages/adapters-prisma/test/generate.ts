/** `pnpm generate`: the test Prisma clients and manifests (also run by vitest's global setup). */
import setup from './global-setup.js';

setup();
