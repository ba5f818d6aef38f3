/**
 * Running TypeScript under Node 26 (OpenSSL 3.5: native ML-KEM / ML-DSA) as a child process.
 * Shared by the interop tests and the benchmark runner, which both compare runtimes.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../../..');
export const sdkRoot = resolve(here, '../..');

/** Path of the Node 26 binary; the script installs it on first use. */
export const ensureNode26 = async (): Promise<string> => {
  const { stdout } = await run('bash', [resolve(repoRoot, 'scripts/ensure-node26.sh')], { timeout: 300_000 });
  const bin = stdout.trim().split('\n').pop();
  if (!bin) throw new Error('ensure-node26.sh printed no path');
  return bin;
};

/** tsx's CLI, resolved from this package so the child uses the same version as the parent. */
export const tsxCli = (): string => createRequire(import.meta.url).resolve('tsx/cli');

/** Runs a .ts file under Node 26 and parses the last stdout line as JSON. */
export const runTsUnderNode26 = async <T>(script: string, args: string[] = [], timeoutMs = 120_000): Promise<T> => {
  const node = await ensureNode26();
  const { stdout } = await run(node, [tsxCli(), script, ...args], {
    cwd: sdkRoot,
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
};
