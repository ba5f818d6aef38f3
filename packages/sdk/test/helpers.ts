/** Shared test fixtures: real stores and clients, plus a recording random source. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProviders } from '#runtime';
import type { CryptoProviders } from '../src/crypto/providers.js';
import { QuantumApiClient, type QuantumApiClientOptions } from '../src/index.js';

export const MASTER_KEY = 'q1mR0w8cS5m7lF2d9xV3b6N0a4Z8y1W5u2T7r3E9o6I=';
export const OTHER_MASTER_KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';

export const memoryClient = (extra: Partial<QuantumApiClientOptions> = {}): QuantumApiClient =>
  new QuantumApiClient({ env: {}, local: { store: 'memory' }, ...extra });

export const tempDir = async (): Promise<{ path: string; cleanup: () => Promise<void> }> => {
  const path = await mkdtemp(join(tmpdir(), 'qapi-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
};

/** Providers whose random bytes are all recorded, so tests can look for them where they must not be. */
export const recordingProviders = (): { providers: CryptoProviders; drawn: Uint8Array[] } => {
  const drawn: Uint8Array[] = [];
  return {
    drawn,
    providers: {
      ...defaultProviders,
      random: {
        name: 'recording',
        randomBytes: (n) => {
          const b = defaultProviders.random.randomBytes(n);
          drawn.push(b);
          return b;
        },
      },
    },
  };
};

/** Flips one bit of byte `i` (a new array). */
export const flipBit = (b: Uint8Array, i: number, bit = 0): Uint8Array => {
  const c = b.slice();
  c[i] = (c[i] as number) ^ (1 << bit);
  return c;
};
