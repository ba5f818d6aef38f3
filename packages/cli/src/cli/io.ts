/** Output for humans (`--output table`, the default) and for scripts (`--output json`). */
import { Buffer } from 'node:buffer';

export type OutputFormat = 'table' | 'json';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const readStdin = async (io: CliIo): Promise<Uint8Array> => {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
};

type Cell = string | number | boolean | null | undefined;

const cell = (v: Cell): string => (v === null || v === undefined ? '' : String(v));

/** A plain aligned table: column headers, then one line per row. */
export const renderTable = (rows: readonly Record<string, Cell>[], columns: readonly string[]): string => {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n')}\n`;
};

/** key: value lines, for one record. */
export const renderRecord = (record: Record<string, Cell>): string => {
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  const w = Math.max(...keys.map((k) => k.length));
  return `${keys.map((k) => `${`${k}:`.padEnd(w + 1)} ${cell(record[k])}`).join('\n')}\n`;
};

export const printJson = (io: CliIo, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
