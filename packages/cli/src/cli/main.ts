/**
 * The qapi dispatcher: finds the command (one or two words), parses its flags with
 * node:util parseArgs (strict: unknown flags are usage errors), runs it, maps errors to exit codes.
 * Error output names the error code and message only: messages never carry secrets (sdk rule).
 */
import { parseArgs } from 'node:util';
import { QuantumApiError } from '@quantumapi/sdk';
import { certsCommands } from './commands/certs.js';
import { cryptoCommands } from './commands/crypto.js';
import { keysCommands } from './commands/keys.js';
import { migrateCommands } from './commands/migrate.js';
import { miscCommands } from './commands/misc.js';
import { secretsCommands } from './commands/secrets.js';
import { type Command, makeClientFactory } from './context.js';
import { EXIT, exitCodeOf, UsageError } from './exit-codes.js';
import type { CliIo, OutputFormat } from './io.js';

const GLOBAL = {
  output: { type: 'string', short: 'o' },
  show: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const registry = (version: string): Record<string, Command> => ({
  ...secretsCommands,
  ...keysCommands,
  ...cryptoCommands,
  ...certsCommands,
  ...migrateCommands,
  ...miscCommands(version),
});

const help = (commands: Record<string, Command>): string =>
  [
    'usage: qapi <command> [flags]   (--output json|table, --help)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`),
    '',
    'Backend: QUANTUMAPI_KEY / QUANTUMAPI_BASE_URL select the remote service; otherwise the local',
    'engine with its file store (QAPI_MASTER_KEY, QAPI_STORE_PATH). Exit codes: see the README.',
    '',
  ].join('\n');

export const main = async (
  argv: readonly string[],
  io: CliIo,
  options: { version: string; signal?: AbortSignal },
): Promise<number> => {
  const commands = registry(options.version);
  // The command is the first one or two words: `qapi secrets get <id> ...`, `qapi health`.
  const two = argv.slice(0, 2).join(' ');
  const name = commands[two] ? two : commands[argv[0] ?? ''] ? argv[0]! : undefined;
  if (!name) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      io.stdout.write(help(commands));
      return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    io.stderr.write(`qapi: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help(commands)}`);
    return EXIT.USAGE;
  }
  const command = commands[name]!;
  const clients = makeClientFactory(io);
  try {
    const rest = argv.slice(name.split(' ').length);
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL, ...(command.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout.write(`usage: ${command.usage}\n  ${command.summary}\n`);
      return EXIT.OK;
    }
    const output = (parsed.values.output ?? 'table') as string;
    if (output !== 'json' && output !== 'table') throw new UsageError('--output must be json or table');
    const want = command.positionals ?? 0;
    const [min, max] = typeof want === 'number' ? [want, want] : want;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`usage: ${command.usage}`);
    }
    return await command.run({
      io,
      args: parsed.positionals,
      flags: parsed.values,
      output: output as OutputFormat,
      signal: options.signal ?? new AbortController().signal,
      client: clients.get,
    });
  } catch (e) {
    const code = exitCodeOf(e);
    const wantJson = argv.includes('json') && (argv.includes('--output') || argv.includes('-o'));
    if (e instanceof QuantumApiError) {
      if (wantJson) io.stderr.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
      else io.stderr.write(`qapi: ${e.code}: ${e.message}\n`);
    } else if (String((e as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS')) {
      // Node's parseArgs messages quote the offending argument, which may be a secret value
      // (`qapi secrets create name --s3cret`): say what went wrong, never what was typed.
      io.stderr.write("qapi: unknown or malformed flag (put values that start with '-' after '--'; see qapi help)\n");
    } else if (code === EXIT.USAGE) {
      io.stderr.write(`qapi: ${(e as Error).message}\n`);
    } else {
      // Not ours (driver, file system): the class and message, never a stack with arguments.
      io.stderr.write(`qapi: ${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}\n`);
    }
    return code;
  } finally {
    await clients.close().catch(() => {});
  }
};
