/**
 * Structured JSON logs, one line per event. Only the fields named here can ever be written: there
 * is no way to log a request body, a header, a plaintext, a key or an API key through this module.
 */
export interface LogFields {
  readonly requestId?: string;
  readonly method?: string;
  readonly route?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly tenant?: string;
  readonly apiKeyId?: string;
  readonly code?: string;
  readonly errorName?: string;
  readonly port?: number;
  readonly store?: string;
  readonly retryAfterSeconds?: number;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, msg: string, fields?: LogFields): void;
}

const ALLOWED: readonly (keyof LogFields)[] = [
  'requestId',
  'method',
  'route',
  'status',
  'durationMs',
  'tenant',
  'apiKeyId',
  'code',
  'errorName',
  'port',
  'store',
  'retryAfterSeconds',
];

export const jsonLogger = (write: (line: string) => void = (l) => process.stdout.write(l)): Logger => ({
  log(level, msg, fields = {}) {
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level, msg };
    for (const k of ALLOWED) if (fields[k] !== undefined) entry[k] = fields[k];
    write(`${JSON.stringify(entry)}\n`);
  },
});

export const silentLogger: Logger = { log() {} };
