#!/usr/bin/env node
/**
 * `qapi` entry point. SIGINT/SIGTERM abort a running migration after its batch in flight commits
 * (exit 130); a second signal exits at once, which is also safe: every batch is one transaction.
 */
import { readFileSync } from 'node:fs';
import { main } from './main.js';

const version = (): string => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
};

const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env },
  {
    version: version(),
    signal: controller.signal,
  },
);
process.exitCode = code;
