/** Browsers, Deno, Bun, workers: noble for everything. */
import { nobleProviders } from '../crypto/noble-provider.js';

export const runtimeName = 'browser' as const;
export const defaultProviders = nobleProviders;
