/** The master key (`QAPI_MASTER_KEY`): 32 bytes given as standard Base64 or hex. */
import { fromBase64, fromHex } from '../crypto/bytes.js';
import { MasterKeyInvalidError, MasterKeyMissingError } from '../errors.js';

export const MASTER_KEY_ENV = 'QAPI_MASTER_KEY';

const HOW =
  'Generate one with `node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))"` and keep it in your secret manager.';

export const parseMasterKey = (value: string | Uint8Array): Uint8Array => {
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw new MasterKeyInvalidError(`the master key must be 32 bytes, got ${value.length}`);
    return value;
  }
  const s = value.trim();
  let bytes: Uint8Array | undefined;
  try {
    if (/^[0-9a-fA-F]{64}$/.test(s)) bytes = fromHex(s);
    else bytes = fromBase64(s);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 32) {
    throw new MasterKeyInvalidError(`${MASTER_KEY_ENV} must be 32 bytes as Base64 (44 characters) or hex (64). ${HOW}`);
  }
  return bytes;
};

export const resolveMasterKey = (
  option: string | Uint8Array | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Uint8Array => {
  const value = option ?? env[MASTER_KEY_ENV];
  if (value === undefined || value === '') {
    throw new MasterKeyMissingError(
      `the file store needs a master key: set ${MASTER_KEY_ENV} or pass local.masterKey. ${HOW} ` +
        "For a throwaway in-memory engine pass local: { store: 'memory' }.",
    );
  }
  return parseMasterKey(value);
};
