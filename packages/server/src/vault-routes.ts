/**
 * The vault routes (docs/http-api.md). A secret value leaves the server in exactly one response:
 * `GET /secrets/{ref}/value`. Lists, metadata and write responses carry SecretInfo only, and the
 * request log records the route pattern, never the ref, name or body.
 */
import type { SecretInfo, SecretValueOutput } from '@quantumapi/sdk';
import { fromBase64, toBase64 } from '@quantumapi/sdk/crypto';
import type { Hono } from 'hono';
import type { AppEnv } from './app.js';
import { id, router } from './routing.js';
import * as s from './schemas.js';
import type { TenantBackends } from './tenants.js';

/** Only the metadata members: whatever a backend returns, nothing else is serialized. */
const info = (i: SecretInfo) => ({
  id: i.id,
  name: i.name,
  description: i.description ?? null,
  contentType: i.contentType ?? null,
  labels: i.labels,
  state: i.state,
  currentVersion: i.currentVersion,
  createdAt: i.createdAt,
  updatedAt: i.updatedAt,
  ...(i.deletedAt !== undefined ? { deletedAt: i.deletedAt } : {}),
});

const valueOut = (v: SecretValueOutput) => ({
  info: info(v.info),
  version: v.version,
  value: toBase64(v.value),
  encoding: v.encoding,
});

export const registerVaultRoutes = (api: Hono<AppEnv>, tenants: TenantBackends): void => {
  const r = router(api, tenants);

  r.get('/secrets', 'secrets:read', s.listSecretsQuery, async (b, q) => {
    const page = await b.vault.listSecrets({
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.continuationToken !== undefined ? { continuationToken: q.continuationToken } : {}),
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.labels !== undefined ? { labels: q.labels } : {}),
    });
    return { items: page.items.map(info), continuationToken: page.continuationToken ?? null };
  });

  r.post('/secrets', 'secrets:write', s.createSecretRequest, async (b, i) =>
    info(
      await b.vault.createSecret({
        name: i.name,
        value: fromBase64(i.value),
        encoding: i.encoding,
        ...(i.description !== undefined ? { description: i.description } : {}),
        ...(i.contentType !== undefined ? { contentType: i.contentType } : {}),
        ...(i.labels !== undefined ? { labels: i.labels } : {}),
      }),
    ),
  );

  r.get('/secrets/:id', 'secrets:read', s.emptyRequest, async (b, _i, c) => info(await b.vault.getSecret(id(c))));

  r.get('/secrets/:id/value', 'secrets:read', s.versionQuery, async (b, q, c) =>
    valueOut(await b.vault.getSecretValue(id(c), q.version)),
  );

  r.get('/secrets/:id/versions', 'secrets:read', s.emptyRequest, async (b, _i, c) => ({
    items: (await b.vault.listSecretVersions(id(c))).map((v) => ({ version: v.version, createdAt: v.createdAt })),
  }));

  r.patch('/secrets/:id', 'secrets:write', s.updateSecretRequest, async (b, i, c) =>
    info(
      await b.vault.updateSecret(id(c), {
        ...(i.value ? { value: { bytes: fromBase64(i.value.value), encoding: i.value.encoding } } : {}),
        ...(i.description !== undefined ? { description: i.description } : {}),
        ...(i.contentType !== undefined ? { contentType: i.contentType } : {}),
        ...(i.labels !== undefined ? { labels: i.labels } : {}),
      }),
    ),
  );

  r.delete('/secrets/:id', 'secrets:write', s.emptyRequest, async (b, _i, c) =>
    info(await b.vault.deleteSecret(id(c))),
  );
  r.post('/secrets/:id/restore', 'secrets:write', s.emptyRequest, async (b, _i, c) =>
    info(await b.vault.restoreSecret(id(c))),
  );
  r.post('/secrets/:id/purge', 'secrets:write', s.emptyRequest, async (b, _i, c) => {
    await b.vault.purgeSecret(id(c));
    return { purged: true };
  });
};
