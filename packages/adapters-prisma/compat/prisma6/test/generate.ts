/** `pnpm generate`: the Prisma 6 test clients and manifests (also run by vitest's global setup). */
import setup from './global-setup.js';

setup();
