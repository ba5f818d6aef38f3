/**
 * Field ciphertext format (docs/formats-fields.md):
 *
 *   qf1.<suite>.<dkid>.<base64url(nonce || ciphertext || tag)>
 *
 * ASCII-safe, no padding, one canonical encoding per byte string. `suite` is `A256GCM`
 * (AES-256-GCM, 96-bit random nonce, 128-bit tag). The AAD binds the header and the location
 * (table, column, optional row key), so a ciphertext copied to another column or row fails to open.
 */
import { fromBase64Url, lengthPrefixed, toBase64Url, utf8 } from '../crypto/bytes.js';
import { InvalidCiphertextError, UnsupportedAlgorithmError } from '../errors.js';

export const FIELD_VERSION = 'qf1';
export const FIELD_SUITE_AES256GCM = 'A256GCM';
export const FIELD_NONCE_LENGTH = 12;
export const FIELD_TAG_LENGTH = 16;
/** 12 bytes of SHA3-256 as base64url: 16 characters. */
export const DATA_KEY_ID_LENGTH = 16;

const DKID_RE = /^[A-Za-z0-9_-]{16}$/;

export interface ParsedField {
  readonly version: typeof FIELD_VERSION;
  readonly suite: typeof FIELD_SUITE_AES256GCM;
  readonly dataKeyId: string;
  readonly nonce: Uint8Array;
  readonly sealed: Uint8Array;
}

/** Where a field lives. The row key is bound only when the application supplies one. */
export interface FieldLocation {
  readonly table: string;
  readonly column: string;
  readonly rowKey?: string;
}

/** Cheap syntactic test used by migration mode to tell legacy plaintext from ciphertext. */
export const looksLikeFieldCiphertext = (s: string): boolean => s.startsWith(`${FIELD_VERSION}.`);

export const isDataKeyId = (s: string): boolean => DKID_RE.test(s);

export const serializeField = (dataKeyId: string, nonce: Uint8Array, sealed: Uint8Array): string => {
  const body = new Uint8Array(nonce.length + sealed.length);
  body.set(nonce, 0);
  body.set(sealed, nonce.length);
  return `${FIELD_VERSION}.${FIELD_SUITE_AES256GCM}.${dataKeyId}.${toBase64Url(body)}`;
};

export const parseField = (s: string): ParsedField => {
  if (typeof s !== 'string') throw new InvalidCiphertextError('field ciphertext must be a string');
  const parts = s.split('.');
  if (parts.length !== 4) throw new InvalidCiphertextError('field ciphertext must have 4 parts');
  const [version, suite, dataKeyId, body] = parts as [string, string, string, string];
  if (version !== FIELD_VERSION) {
    // No details: a plaintext planted in an encrypted column must not end up in an error.
    throw new InvalidCiphertextError('unknown field ciphertext version');
  }
  if (suite !== FIELD_SUITE_AES256GCM) {
    throw new UnsupportedAlgorithmError('unsupported field ciphertext suite');
  }
  if (!DKID_RE.test(dataKeyId)) throw new InvalidCiphertextError('malformed data key id in field ciphertext');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(body);
  } catch (cause) {
    throw new InvalidCiphertextError('field ciphertext body is not canonical base64url', { cause });
  }
  // A type tag byte is always present, so the shortest valid body is nonce + 1 + tag.
  if (bytes.length < FIELD_NONCE_LENGTH + 1 + FIELD_TAG_LENGTH) {
    throw new InvalidCiphertextError('field ciphertext body is too short');
  }
  return {
    version: FIELD_VERSION,
    suite: FIELD_SUITE_AES256GCM,
    dataKeyId,
    nonce: bytes.subarray(0, FIELD_NONCE_LENGTH),
    sealed: bytes.subarray(FIELD_NONCE_LENGTH),
  };
};

const AAD_LABEL = utf8('quantumapi/field/v1');
const NO_ROW = Uint8Array.of(0);
const ROW = Uint8Array.of(1);

/** Length-prefixed so no two (table, column, row) triples share an AAD. */
export const fieldAad = (dataKeyId: string, loc: FieldLocation): Uint8Array =>
  lengthPrefixed(
    AAD_LABEL,
    utf8(`${FIELD_VERSION}.${FIELD_SUITE_AES256GCM}.${dataKeyId}`),
    utf8(loc.table),
    utf8(loc.column),
    loc.rowKey === undefined ? NO_ROW : ROW,
    utf8(loc.rowKey ?? ''),
  );
