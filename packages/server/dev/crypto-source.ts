/** Development seam: `@quantumapi/sdk/crypto` from source (see sdk-source.ts). */
export * from '../../sdk/src/crypto/index.js';
