/** `@quantumapi/sdk/crypto`: the pure crypto core (browser-safe, no I/O). */
export * from './algorithms.js';
export * from './bytes.js';
export * from './eaas.js';
export * from './eaas-payload.js';
export * from './hpke/index.js';
export * from './jose-hpke.js';
export * from './jwk.js';
export * from './jws.js';
export type * from './providers.js';
export { nobleProviders } from './noble-provider.js';
export * from './sig/index.js';
