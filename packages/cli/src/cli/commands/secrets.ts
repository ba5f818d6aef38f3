/** `qapi secrets create|list|get|delete`: values are never printed unless `--show` asks for them. */
import type { SecretInfo } from '@quantumapi/sdk';
import { type Command, int, list, pairs, str } from '../context.js';
import { printJson, readStdin, renderRecord, renderTable } from '../io.js';

const info = (s: SecretInfo) => ({
  id: s.id,
  name: s.name,
  state: s.state,
  version: s.currentVersion,
  description: s.description,
  contentType: s.contentType,
  labels: s.labels,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

const flat = (s: SecretInfo) => {
  const { labels, ...rest } = info(s);
  return {
    ...rest,
    labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  };
};

export const secretsCommands: Record<string, Command> = {
  'secrets create': {
    usage: 'qapi secrets create <name> <value|-> [--description text] [--content-type type] [--label k=v]...',
    summary: 'store a secret (value "-" reads it from stdin)',
    positionals: 2,
    options: {
      description: { type: 'string' },
      'content-type': { type: 'string' },
      label: { type: 'string', multiple: true },
    },
    async run(ctx) {
      const [name, raw] = ctx.args as [string, string];
      const value = raw === '-' ? await readStdin(ctx.io) : raw;
      const description = str(ctx.flags, 'description');
      const contentType = str(ctx.flags, 'content-type');
      const labels = list(ctx.flags, 'label').length > 0 ? pairs(ctx.flags, 'label') : undefined;
      const created = await ctx.client().vault.create({
        name,
        value,
        ...(description ? { description } : {}),
        ...(contentType ? { contentType } : {}),
        ...(labels ? { labels } : {}),
      });
      if (ctx.output === 'json') printJson(ctx.io, info(created));
      else ctx.io.stdout.write(renderRecord(flat(created)));
      return 0;
    },
  },
  'secrets list': {
    usage: 'qapi secrets list [--label k=v]... [--include-deleted]',
    summary: 'list secrets (names and metadata, never values)',
    positionals: 0,
    options: { label: { type: 'string', multiple: true }, 'include-deleted': { type: 'boolean' } },
    async run(ctx) {
      const labels = list(ctx.flags, 'label').length > 0 ? pairs(ctx.flags, 'label') : undefined;
      const out: SecretInfo[] = [];
      for await (const s of ctx.client().vault.list({
        ...(labels ? { labels } : {}),
        ...(ctx.flags['include-deleted'] ? { state: 'all' as const } : {}),
      })) {
        out.push(s);
      }
      if (ctx.output === 'json') printJson(ctx.io, out.map(info));
      else ctx.io.stdout.write(renderTable(out.map(flat), ['id', 'name', 'state', 'version', 'updatedAt']));
      return 0;
    },
  },
  'secrets get': {
    usage: 'qapi secrets get <id|name> [--show] [--version n]',
    summary: 'show a secret; the value only with --show',
    positionals: 1,
    options: { version: { type: 'string' } },
    async run(ctx) {
      const version = int(ctx.flags, 'version');
      const secret = await ctx.client().vault.get(ctx.args[0]!, version !== undefined ? { version } : {});
      const show = ctx.flags['show'] === true;
      const value = show
        ? secret.value.kind === 'string'
          ? secret.value.reveal()
          : Buffer.from(secret.value.revealBytes()).toString('base64')
        : undefined;
      const base = {
        ...info(secret),
        version: secret.version,
        encoding: secret.value.kind === 'string' ? 'utf8' : 'base64',
      };
      if (ctx.output === 'json') {
        printJson(ctx.io, show ? { ...base, value } : base);
      } else {
        const { labels: _labels, ...rest } = base;
        ctx.io.stdout.write(renderRecord({ ...rest, value: show ? value : '******** (use --show to print it)' }));
      }
      return 0;
    },
  },
  'secrets delete': {
    usage: 'qapi secrets delete <id|name>',
    summary: 'soft-delete a secret (restorable until purged)',
    positionals: 1,
    async run(ctx) {
      const deleted = await ctx.client().vault.delete(ctx.args[0]!);
      if (ctx.output === 'json') printJson(ctx.io, info(deleted));
      else ctx.io.stdout.write(renderRecord(flat(deleted)));
      return 0;
    },
  },
};
