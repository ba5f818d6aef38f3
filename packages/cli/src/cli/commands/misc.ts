/** `qapi token verify`, `qapi health`, `qapi version`. */
import { Buffer } from 'node:buffer';
import type { Jwk } from '@quantumapi/sdk';
import { type Command, list, readJsonFile, str } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, readStdin, renderRecord } from '../io.js';

/** `--jwks file.json`. A parse error is reported without its message: that would quote the file. */
const readJwks = async (path: string): Promise<{ keys: Jwk[] }> => {
  const parsed = await readJsonFile(path);
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new UsageError(`${path} is not a JWKS (no "keys" array)`);
  return { keys: keys as Jwk[] };
};

export const miscCommands = (version: string): Record<string, Command> => ({
  'token verify': {
    usage:
      'qapi token verify <jwt|-> --issuer url --audience aud [--jwks-url url | --jwks file.json] [--algorithm alg]...',
    summary: 'verify a JWT (ML-DSA-65 by default) against the issuer JWKS; prints its claims',
    positionals: 1,
    options: {
      issuer: { type: 'string' },
      audience: { type: 'string', multiple: true },
      'jwks-url': { type: 'string' },
      jwks: { type: 'string' },
      algorithm: { type: 'string', multiple: true },
    },
    async run(ctx) {
      const issuer = str(ctx.flags, 'issuer');
      const audience = list(ctx.flags, 'audience');
      if (!issuer || audience.length === 0) throw new UsageError('token verify needs --issuer and --audience');
      const jwt =
        ctx.args[0] === '-'
          ? Buffer.from(await readStdin(ctx.io))
              .toString('utf8')
              .trim()
          : ctx.args[0]!;
      const jwksUri = str(ctx.flags, 'jwks-url');
      const jwksFile = str(ctx.flags, 'jwks');
      if (jwksUri && jwksFile) throw new UsageError('give --jwks-url or --jwks, not both');
      // A JWKS saved to a file: verification offline, with exactly these keys (no fetch).
      const jwks = jwksFile ? await readJwks(jwksFile) : undefined;
      const algorithms = list(ctx.flags, 'algorithm');
      const r = await ctx.client().identity.verifyToken(jwt, {
        issuer,
        audience,
        ...(jwksUri ? { jwksUri } : {}),
        ...(jwks ? { jwks } : {}),
        ...(algorithms.length ? { algorithms } : {}),
      });
      if (ctx.output === 'json') printJson(ctx.io, { valid: true, header: r.protectedHeader, claims: r.payload });
      else ctx.io.stdout.write(`valid (${r.protectedHeader.alg})\n${JSON.stringify(r.payload, null, 2)}\n`);
      return 0;
    },
  },
  health: {
    usage: 'qapi health',
    summary: 'check that the backend answers (local: store and master key; remote: the service)',
    positionals: 0,
    async run(ctx) {
      const client = ctx.client();
      const started = Date.now();
      await client.ready();
      // ready() is lazy for remote backends: one cheap authenticated call proves the key works.
      for await (const _ of client.encryption.keys.list({ pageSize: 1 })) break;
      const r = { status: 'ok', backend: client.backendKind, latencyMs: Date.now() - started };
      if (ctx.output === 'json') printJson(ctx.io, r);
      else ctx.io.stdout.write(renderRecord(r));
      return 0;
    },
  },
  version: {
    usage: 'qapi version',
    summary: 'print the qapi version',
    positionals: 0,
    async run(ctx) {
      const r = { qapi: version, node: process.version };
      if (ctx.output === 'json') printJson(ctx.io, r);
      else ctx.io.stdout.write(`qapi ${version} (node ${process.version})\n`);
      return 0;
    },
  },
});
