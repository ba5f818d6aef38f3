/** Signatures in the crypto core: ML-DSA, SLH-DSA, composite ML-DSA-65 + ECDSA-P256, JWS suites. */
export * from './composite-mldsa65-p256.js';
export { MAX_CONTEXT_LENGTH } from './context.js';
export * from './errors.js';
export * from './jws-classical.js';
export * from './jws-ml-dsa.js';
export type * from './jws-types.js';
export * from './ml-dsa.js';
export * from './rsa.js';
export * from './slh-dsa.js';
export * from './suites.js';
