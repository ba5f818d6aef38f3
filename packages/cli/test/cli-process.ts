/** Runs the real `qapi` binary (bin.ts under node --import tsx, one process, so signals reach it). */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** A local engine of its own: a fresh file store and master key (what `qapi` reads from the environment). */
export const localEnv = (): Record<string, string> => ({
  QAPI_MASTER_KEY: randomBytes(32).toString('base64'),
  QAPI_STORE_PATH: join(mkdtempSync(join(tmpdir(), 'qapi-cli-')), 'store'),
});

/** Environment without the caller's QuantumAPI settings, plus `env`. */
const cleanEnv = (env: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(QAPI_|QUANTUMAPI_|DATABASE_URL$)/.test(k)) out[k] = v;
  }
  return { ...out, NO_COLOR: '1', ...env };
};

export const start = (args: readonly string[], env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: PACKAGE_DIR,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });

export const finish = (child: ChildProcess, input?: string | Uint8Array): Promise<Run> =>
  new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin!.end(input ?? '');
  });

export const qapi = (args: readonly string[], env: Record<string, string>, input?: string | Uint8Array): Promise<Run> =>
  finish(start(args, env), input);
