/** `@quantumapi/prisma/generator`: the schema-comment reader, usable without running Prisma. */
export * from './parse.js';
