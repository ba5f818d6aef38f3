/**
 * A real `@quantumapi/server` child process for tests: PostgreSQL in a fresh schema, a random
 * 127.0.0.1 port, stdout captured line by line (the log test reads it). The server runs from the
 * working tree's TypeScript (packages/server/dev/register.mjs maps the sdk to its source).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freshSchema, TEST_DATABASE_URL, type TestSchema } from './pg.js';

const SERVER_DIR = fileURLToPath(new URL('../../../server/', import.meta.url));
const NODE_ARGS = ['--import', 'tsx', '--import', './dev/register.mjs', 'src/cli.ts'];
const run = promisify(execFile);

export interface ServerEnv {
  readonly schema: string;
  readonly masterKey: string;
  readonly extra?: Readonly<Record<string, string>>;
}

const envFor = (e: ServerEnv): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'],
  DATABASE_URL: TEST_DATABASE_URL,
  QAPI_DB_SCHEMA: e.schema,
  QAPI_MASTER_KEY: e.masterKey,
  QAPI_DB_POOL_SIZE: '4',
  PORT: '0',
  HOST: '127.0.0.1',
  ...(e.extra ?? {}),
});

export interface ServerProcess {
  readonly port: number;
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly stdout: string[];
  readonly stderr: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const startServerProcess = async (e: ServerEnv): Promise<ServerProcess> => {
  const child = spawn(process.execPath, NODE_ARGS.concat('start'), { cwd: SERVER_DIR, env: envFor(e), stdio: 'pipe' });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr.join('')}`)), 45_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        stdout.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; port?: number };
          if (j.msg === 'listening' && j.port) {
            clearTimeout(timer);
            resolve(j.port);
          }
        } catch {
          // not JSON: the log test reports it
        }
        nl = buf.indexOf('\n');
      }
    });
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString('utf8')));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr.join('')}`));
    });
  });
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    child,
    stdout,
    stderr,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
};

export interface IssuedKey {
  readonly apiKey: string;
  readonly keyId: string;
  readonly tenant: string;
}

/** Runs `qapi-server bootstrap` once for all the tenants (one process start, one line each). */
export const bootstrapTenants = async (
  e: ServerEnv,
  tenants: readonly string[],
  scopes?: readonly string[],
): Promise<IssuedKey[]> => {
  const args = [
    ...NODE_ARGS,
    'bootstrap',
    ...tenants.flatMap((t) => ['--tenant', t]),
    ...(scopes ? ['--scopes', scopes.join(',')] : []),
  ];
  const { stdout } = await run(process.execPath, args, { cwd: SERVER_DIR, env: envFor(e) });
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as IssuedKey);
};

export const bootstrapTenant = async (e: ServerEnv, tenant: string, scopes?: readonly string[]): Promise<IssuedKey> =>
  (await bootstrapTenants(e, [tenant], scopes))[0] as IssuedKey;

export const revokeKey = async (e: ServerEnv, keyId: string): Promise<void> => {
  await run(process.execPath, [...NODE_ARGS, 'revoke', '--key-id', keyId], { cwd: SERVER_DIR, env: envFor(e) });
};

/** A schema and master key for one server deployment (several processes may share it). */
export interface Deployment extends ServerEnv {
  readonly db: TestSchema;
}

export const newDeployment = async (extra?: Readonly<Record<string, string>>): Promise<Deployment> => {
  const db = await freshSchema('qapi_srv');
  return { db, schema: db.name, masterKey: randomBytes(32).toString('base64'), ...(extra ? { extra } : {}) };
};
