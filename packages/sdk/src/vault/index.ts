export type * from './backend.js';
export { SecretNotFoundError, SecretStateError, SecretsUnresolvedError } from './errors.js';
export { createLocalVault } from './local.js';
export type {
  CreateSecretOptions,
  ListSecretsOptions,
  ResolveOptions,
  Secret,
  SecretInput,
  SecretList,
  UpdateSecretOptions,
  VaultNamespaceOptions,
} from './namespace.js';
export { VaultNamespace } from './namespace.js';
export { isSecretValue, REDACTED, SecretValue } from './secret-value.js';
