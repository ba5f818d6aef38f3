/** Field engine: compact field ciphertexts, data-key cache, blind indexes. Shared by every ORM adapter. */
export * from './blind-index.js';
export * from './data-key-cache.js';
export * from './data-key-directory.js';
export * from './engine.js';
export * from './errors.js';
export * from './format.js';
export * from './normalizers.js';
export * from './value-codec.js';
