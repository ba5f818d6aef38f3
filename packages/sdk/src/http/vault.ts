/**
 * The vault section over http. Values travel as standard Base64 with their encoding; the server
 * never puts a value in a list or metadata response, and this side never logs one.
 */
import type { z } from 'zod';
import { toBase64 } from '../crypto/bytes.js';
import type { SecretInfo, SecretValueOutput, VaultBackend } from '../vault/backend.js';
import { bytes, defined } from './codec.js';
import { ROUTES } from './routes.js';
import type { Transport } from './transport.js';
import { purgeSchema, secretInfoSchema, secretPageSchema, secretValueSchema, secretVersionsSchema } from './wire.js';

const info = (s: z.output<typeof secretInfoSchema>): SecretInfo => {
  const { deletedAt, ...rest } = s;
  return deletedAt === undefined ? rest : { ...rest, deletedAt };
};

/** Labels filter as `label.<key>=<value>` query members: keys are restricted to [A-Za-z0-9._-/]. */
const labelQuery = (labels: Readonly<Record<string, string>> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(labels ?? {}).map(([k, v]) => [`label.${k}`, v]));

export class HttpVaultBackend implements VaultBackend {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  createSecret: VaultBackend['createSecret'] = async (input) =>
    info(
      await this.#t.call('createSecret', ROUTES.createSecret, secretInfoSchema, {
        sensitive: true,
        body: defined({
          name: input.name,
          value: toBase64(input.value),
          encoding: input.encoding,
          description: input.description,
          contentType: input.contentType,
          labels: input.labels,
        }),
      }),
    );

  getSecret: VaultBackend['getSecret'] = async (ref) =>
    info(await this.#t.call('getSecret', ROUTES.getSecret, secretInfoSchema, { id: ref }));

  getSecretValue = async (ref: string, version?: number): Promise<SecretValueOutput> => {
    const r = await this.#t.call('getSecretValue', ROUTES.getSecretValue, secretValueSchema, {
      id: ref,
      query: { version },
    });
    return { info: info(r.info), version: r.version, value: bytes('getSecretValue', r.value), encoding: r.encoding };
  };

  listSecrets: VaultBackend['listSecrets'] = async (input = {}) => {
    const page = await this.#t.call('listSecrets', ROUTES.listSecrets, secretPageSchema, {
      query: {
        pageSize: input.pageSize,
        continuationToken: input.continuationToken,
        state: input.state,
        ...labelQuery(input.labels),
      },
    });
    return { items: page.items.map(info), continuationToken: page.continuationToken };
  };

  updateSecret: VaultBackend['updateSecret'] = async (ref, input) =>
    info(
      await this.#t.call('updateSecret', ROUTES.updateSecret, secretInfoSchema, {
        id: ref,
        sensitive: input.value !== undefined,
        body: defined({
          value: input.value ? { value: toBase64(input.value.bytes), encoding: input.value.encoding } : undefined,
          description: input.description,
          contentType: input.contentType,
          labels: input.labels,
        }),
      }),
    );

  listSecretVersions: VaultBackend['listSecretVersions'] = async (ref) =>
    (await this.#t.call('listSecretVersions', ROUTES.listSecretVersions, secretVersionsSchema, { id: ref })).items;

  deleteSecret: VaultBackend['deleteSecret'] = async (ref) =>
    info(await this.#t.call('deleteSecret', ROUTES.deleteSecret, secretInfoSchema, { id: ref }));

  restoreSecret: VaultBackend['restoreSecret'] = async (ref) =>
    info(await this.#t.call('restoreSecret', ROUTES.restoreSecret, secretInfoSchema, { id: ref, body: {} }));

  purgeSecret: VaultBackend['purgeSecret'] = async (ref) => {
    await this.#t.call('purgeSecret', ROUTES.purgeSecret, purgeSchema, { id: ref, body: {} });
  };
}
