/** What each runtime module (node.ts, browser.ts) exports; `#runtime` resolves to one of them. */
import type { CryptoProviders } from '../crypto/providers.js';

export declare const runtimeName: 'node' | 'browser';
export declare const defaultProviders: CryptoProviders;
