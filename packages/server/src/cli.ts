/**
 * qapi-server start                       serve (DATABASE_URL, QAPI_MASTER_KEY, PORT, ...)
 * qapi-server bootstrap --tenant acme     create an API key per --tenant (repeatable); printed once, stored hashed
 *             [--scopes a,b] [--name n]
 * qapi-server revoke --key-id <uuid>      revoke an API key (effective on the next request)
 */
import { parseArgs } from 'node:util';
import { ApiKeyService, SCOPES, type Scope } from './api-keys.js';
import { ConfigError, loadConfig } from './config.js';
import { jsonLogger } from './log.js';
import { openStore, startServer } from './server.js';

const fail = (message: string): never => {
  process.stderr.write(`qapi-server: ${message}\n`);
  process.exit(2);
};

const errorText = (e: unknown): string =>
  e instanceof ConfigError || (e instanceof Error && 'code' in e)
    ? (e as Error).message
    : `${(e as Error)?.name ?? 'error'}`;

const main = async (): Promise<void> => {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string', multiple: true },
      scopes: { type: 'string' },
      name: { type: 'string' },
      'key-id': { type: 'string' },
    },
  });
  if (command === 'start') {
    const logger = jsonLogger();
    const server = await startServer(loadConfig(), logger);
    const stop = async () => {
      logger.log('info', 'shutting down');
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  if (command === 'bootstrap' || command === 'revoke') {
    const config = loadConfig();
    const store = await openStore(config);
    try {
      const keys = new ApiKeyService(store, config.pepper);
      if (command === 'bootstrap') {
        if (!values.tenant?.length) fail('bootstrap needs --tenant <name> (repeatable)');
        const scopes = (values.scopes ? values.scopes.split(',') : [...SCOPES]) as Scope[];
        for (const s of scopes) if (!(SCOPES as readonly string[]).includes(s)) fail(`unknown scope "${s}"`);
        // One JSON line per tenant, in the order given.
        for (const tenant of values.tenant as string[]) {
          const issued = await keys.issue(tenant, scopes, values.name);
          process.stdout.write(
            `${JSON.stringify({ tenant: issued.tenant, keyId: issued.keyId, scopes: issued.scopes, apiKey: issued.apiKey })}\n`,
          );
        }
        process.stderr.write('Store these API keys now: they are shown only once.\n');
      } else {
        if (!values['key-id']) fail('revoke needs --key-id <id>');
        const ok = await keys.revoke(values['key-id'] as string);
        process.stdout.write(`${JSON.stringify({ keyId: values['key-id'], revoked: ok })}\n`);
        if (!ok) process.exitCode = 1;
      }
    } finally {
      await store.close();
    }
    return;
  }
  fail('usage: qapi-server <start|bootstrap --tenant T|revoke --key-id K>');
};

main().catch((e: unknown) => fail(errorText(e)));
