/** `qapi keys create|list|get|rotate`. */
import { KEY_ALGORITHMS, type KeyAlgorithm, type KeyInfo } from '@quantumapi/sdk';
import { type Command, str } from '../context.js';
import { UsageError } from '../exit-codes.js';
import { printJson, renderRecord, renderTable } from '../io.js';

const row = (k: KeyInfo) => ({
  id: k.id,
  name: k.name,
  algorithm: k.algorithm,
  state: k.state,
  version: k.currentVersion,
  default: k.isDefault,
  createdAt: k.createdAt,
});

const algorithm = (v: string | undefined): KeyAlgorithm | undefined => {
  if (v === undefined) return undefined;
  if (!(KEY_ALGORITHMS as readonly string[]).includes(v)) {
    throw new UsageError(`--algorithm must be one of ${KEY_ALGORITHMS.join(', ')}`);
  }
  return v as KeyAlgorithm;
};

const one = (ctx: Parameters<Command['run']>[0], k: KeyInfo): number => {
  if (ctx.output === 'json') printJson(ctx.io, k);
  else ctx.io.stdout.write(renderRecord(row(k)));
  return 0;
};

export const keysCommands: Record<string, Command> = {
  'keys create': {
    usage: 'qapi keys create [--algorithm ML-KEM-768] [--name name] [--default]',
    summary: 'create a key (ML-KEM-*, ML-DSA-*, SLH-DSA-SHA2-128s, AES-256-GCM)',
    positionals: 0,
    options: { algorithm: { type: 'string' }, name: { type: 'string' }, default: { type: 'boolean' } },
    async run(ctx) {
      const name = str(ctx.flags, 'name');
      const k = await ctx.client().encryption.keys.create({
        algorithm: algorithm(str(ctx.flags, 'algorithm')) ?? 'ML-KEM-768',
        ...(name ? { name } : {}),
        ...(ctx.flags['default'] ? { setAsDefault: true } : {}),
      });
      return one(ctx, k);
    },
  },
  'keys list': {
    usage: 'qapi keys list [--algorithm alg]',
    summary: 'list keys',
    positionals: 0,
    options: { algorithm: { type: 'string' } },
    async run(ctx) {
      const alg = algorithm(str(ctx.flags, 'algorithm'));
      const keys: KeyInfo[] = [];
      for await (const k of ctx.client().encryption.keys.list(alg ? { algorithm: alg } : {})) keys.push(k);
      if (ctx.output === 'json') printJson(ctx.io, keys);
      else ctx.io.stdout.write(renderTable(keys.map(row), ['id', 'name', 'algorithm', 'state', 'version', 'default']));
      return 0;
    },
  },
  'keys get': {
    usage: 'qapi keys get <id>',
    summary: 'show one key and its versions',
    positionals: 1,
    async run(ctx) {
      return one(ctx, await ctx.client().encryption.keys.get(ctx.args[0]!));
    },
  },
  'keys rotate': {
    usage: 'qapi keys rotate <id>',
    summary: 'new key version: it encrypts from now on, older versions still decrypt',
    positionals: 1,
    async run(ctx) {
      return one(ctx, await ctx.client().encryption.keys.rotate(ctx.args[0]!));
    },
  },
};
