/**
 * qapi-server start                       serve (DATABASE_URL, QAPI_MASTER_KEY, PORT, ...)
 * qapi-server bootstrap --tenant acme     create an API key per --tenant (repeatable); printed once, stored hashed
 *             [--scopes a,b] [--name n]
 * qapi-server revoke --key-id <uuid>      revoke an API key (effective on the next request)
 * qapi-server update-scopes --key-id <uuid> [--add a,b] [--remove c]
 *                                         change an active key's scopes (effective on the next request)
 *
 * Exit status: 0 done, 1 refused (no such key, revoked, nothing would be left), 2 usage.
 */
import { parseArgs } from 'node:util';
import { ApiKeyError, ApiKeyService, isScope, SCOPES, type Scope } from './api-keys.js';
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
      add: { type: 'string', multiple: true },
      remove: { type: 'string', multiple: true },
    },
  });
  /** `--add a,b --add c` -> [a, b, c]; every name must be a known scope. */
  const scopeList = (given: string[] | undefined): string[] => {
    const list = (given ?? []).flatMap((v) => v.split(',')).map((v) => v.trim());
    for (const s of list) if (!isScope(s)) fail(`unknown scope "${s}" (known: ${SCOPES.join(', ')})`);
    return list;
  };
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
  if (command === 'bootstrap' || command === 'revoke' || command === 'update-scopes') {
    // Usage errors before anything touches the store.
    if (command === 'update-scopes') {
      if (!values['key-id']) fail('update-scopes needs --key-id <id> and --add and/or --remove <scope,...>');
      if (scopeList(values.add).length + scopeList(values.remove).length === 0)
        fail('update-scopes needs --add and/or --remove <scope,...>');
    }
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
      } else if (command === 'update-scopes') {
        try {
          const r = await keys.updateScopes(values['key-id'] as string, {
            add: scopeList(values.add),
            remove: scopeList(values.remove),
          });
          process.stdout.write(`${JSON.stringify({ keyId: r.keyId, tenant: r.tenant, scopes: r.scopes })}\n`);
        } catch (e) {
          if (!(e instanceof ApiKeyError)) throw e;
          process.stderr.write(`qapi-server: ${e.message}\n`);
          process.exitCode = e.code === 'UNKNOWN_SCOPE' ? 2 : 1;
        }
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
  fail('usage: qapi-server <start|bootstrap --tenant T|revoke --key-id K|update-scopes --key-id K --add a --remove b>');
};

main().catch((e: unknown) => fail(errorText(e)));
