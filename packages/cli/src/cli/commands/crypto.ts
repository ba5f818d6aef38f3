/** `qapi encrypt|decrypt|sign|verify`: data on stdin, result on stdout. */
import { Buffer } from 'node:buffer';
import { type Command, int, str } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, readStdin, renderRecord } from '../io.js';

export const cryptoCommands: Record<string, Command> = {
  encrypt: {
    usage: 'qapi encrypt [--key-id id] [--aad text] < plaintext > payload',
    summary: 'encrypt stdin (ML-KEM-768 + AES-256-GCM); prints the payload',
    positionals: 0,
    options: { 'key-id': { type: 'string' }, aad: { type: 'string' } },
    async run(ctx) {
      const data = await readStdin(ctx.io);
      const keyId = str(ctx.flags, 'key-id');
      const aad = str(ctx.flags, 'aad');
      const r = await ctx.client().encryption.encrypt(data, { ...(keyId ? { keyId } : {}), ...(aad ? { aad } : {}) });
      if (ctx.output === 'json') printJson(ctx.io, r);
      else ctx.io.stdout.write(`${r.payload}\n`);
      return 0;
    },
  },
  decrypt: {
    usage: 'qapi decrypt [--aad text] < payload > plaintext',
    summary: 'decrypt a payload from stdin; writes the plaintext bytes to stdout',
    positionals: 0,
    options: { aad: { type: 'string' } },
    async run(ctx) {
      const payload = Buffer.from(await readStdin(ctx.io))
        .toString('utf8')
        .trim();
      if (!payload) throw new UsageError('decrypt reads a payload from stdin');
      const aad = str(ctx.flags, 'aad');
      const r = await ctx.client().encryption.decrypt(payload, aad ? { aad } : {});
      const bytes = typeof r.plaintext === 'string' ? Buffer.from(r.plaintext, 'utf8') : Buffer.from(r.plaintext);
      if (ctx.output === 'json') {
        printJson(ctx.io, {
          plaintext: bytes.toString('base64'),
          encoding: 'base64',
          keyId: r.keyId,
          keyVersion: r.keyVersion,
        });
      } else {
        ctx.io.stdout.write(bytes);
      }
      return 0;
    },
  },
  sign: {
    usage: 'qapi sign [--key-id id] [--context text] < data',
    summary: 'sign stdin (ML-DSA-65 by default); prints the signature and the key that made it',
    positionals: 0,
    options: { 'key-id': { type: 'string' }, context: { type: 'string' } },
    async run(ctx) {
      const data = await readStdin(ctx.io);
      const keyId = str(ctx.flags, 'key-id');
      const context = str(ctx.flags, 'context');
      const r = await ctx.client().encryption.sign(data, {
        ...(keyId ? { keyId } : {}),
        ...(context ? { context } : {}),
      });
      if (ctx.output === 'json') printJson(ctx.io, r);
      else
        ctx.io.stdout.write(
          renderRecord({ signature: r.signature, keyId: r.keyId, keyVersion: r.keyVersion, algorithm: r.algorithm }),
        );
      return 0;
    },
  },
  verify: {
    usage: 'qapi verify --key-id id --signature base64 [--key-version n] [--context text] < data',
    summary: 'verify a signature over stdin; exit 0 when valid, 4 when not',
    positionals: 0,
    options: {
      'key-id': { type: 'string' },
      signature: { type: 'string' },
      'key-version': { type: 'string' },
      context: { type: 'string' },
    },
    async run(ctx) {
      const keyId = str(ctx.flags, 'key-id');
      const signature = str(ctx.flags, 'signature');
      if (!keyId || !signature) throw new UsageError('verify needs --key-id and --signature');
      const data = await readStdin(ctx.io);
      const keyVersion = int(ctx.flags, 'key-version');
      const context = str(ctx.flags, 'context');
      const r = await ctx.client().encryption.verify({
        data,
        signature,
        keyId,
        ...(keyVersion !== undefined ? { keyVersion } : {}),
        ...(context ? { context } : {}),
      });
      if (ctx.output === 'json') printJson(ctx.io, { valid: true, ...r });
      else ctx.io.stdout.write(`valid (key ${r.keyId} v${r.keyVersion}, ${r.algorithm})\n`);
      return 0;
    },
  },
};
