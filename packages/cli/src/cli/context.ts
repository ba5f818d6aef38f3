/** What every command gets: its parsed flags and positionals, the streams, and a lazily built client. */
import { readFile } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import { QuantumApiClient } from '@quantumapi/sdk';
import { UsageError } from './exit-codes.js';
import type { CliIo, OutputFormat } from './io.js';

export type Flags = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface CommandContext {
  readonly io: CliIo;
  readonly args: readonly string[];
  readonly flags: Flags;
  readonly output: OutputFormat;
  readonly signal: AbortSignal;
  /** The client from the environment: remote when QUANTUMAPI_KEY / QUANTUMAPI_BASE_URL are set, else the local file store. */
  client(): QuantumApiClient;
}

export interface Command {
  readonly usage: string;
  readonly summary: string;
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  /** Exact number of positionals, or [min, max]. */
  readonly positionals?: number | readonly [number, number];
  run(ctx: CommandContext): Promise<number>;
}

export const str = (flags: Flags, name: string): string | undefined => {
  const v = flags[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? v[v.length - 1] : v;
};

export const list = (flags: Flags, name: string): string[] => {
  const v = flags[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
};

export const int = (flags: Flags, name: string): number | undefined => {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
};

/** `k=v` pairs (labels). */
export const pairs = (flags: Flags, name: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const p of list(flags, name)) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--${name} takes key=value`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
};

export const makeClientFactory = (io: CliIo): { get: () => QuantumApiClient; close: () => Promise<void> } => {
  let client: QuantumApiClient | undefined;
  return {
    get: () => {
      client ??= new QuantumApiClient({ env: { ...io.env } });
      return client;
    },
    close: async () => {
      await client?.close();
    },
  };
};

/**
 * A JSON file's contents. Errors name the path and a reason but never quote the file: V8's
 * JSON.parse messages include a snippet, and the file may hold keys or secrets.
 */
export const readJsonFile = async (path: string): Promise<unknown> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'read error'})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
};
