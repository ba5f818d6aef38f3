/**
 * The EaaS payload: QuantumAPI's `EncryptedPayload`, standard Base64 of compact JSON
 * `{"c","ek","n","t","k","kv","e"}` (docs/formats.md §1).
 *
 * Parsing is canonical-only: the decoded JSON must re-serialize to exactly the same text (member
 * order, no whitespace, no duplicates, no extra members), and every Base64 field must be canonical.
 * One accepted encoding per payload means a flipped character can never decode to the same value.
 */
import { InvalidCiphertextError } from '../errors.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from './bytes.js';

export type PayloadEncodingName = 'utf8' | 'base64';

export interface EaasPayload {
  /** AES-256-GCM ciphertext without the tag. */
  readonly ciphertext: Uint8Array;
  /** KEM encapsulated key (1088 bytes for ML-KEM-768); empty for symmetric (AES-256-GCM) keys. */
  readonly encapsulatedKey: Uint8Array;
  readonly nonce: Uint8Array;
  readonly tag: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encoding: PayloadEncodingName;
}

export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
/** Key ids are lowercase UUIDs. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Upper bound on accepted payload text: 64 MiB of plaintext plus overhead. */
export const MAX_PAYLOAD_CHARS = 96 * 1024 * 1024;

const serialize = (p: EaasPayload): string =>
  JSON.stringify({
    c: toBase64(p.ciphertext),
    ek: toBase64(p.encapsulatedKey),
    n: toBase64(p.nonce),
    t: toBase64(p.tag),
    k: p.keyId,
    kv: p.keyVersion,
    e: p.encoding,
  });

export const encodeEaasPayload = (p: EaasPayload): string => toBase64(utf8(serialize(p)));

const bad = (reason: string, cause?: unknown): InvalidCiphertextError =>
  new InvalidCiphertextError(`invalid encrypted payload: ${reason}`, cause === undefined ? undefined : { cause });

const field = (o: Record<string, unknown>, name: string): string => {
  const v = o[name];
  if (typeof v !== 'string') throw bad(`"${name}" must be a string`);
  return v;
};

const b64field = (o: Record<string, unknown>, name: string): Uint8Array => {
  try {
    return fromBase64(field(o, name));
  } catch (cause) {
    if (cause instanceof InvalidCiphertextError) throw cause;
    throw bad(`"${name}" is not canonical Base64`, cause);
  }
};

export const decodeEaasPayload = (payload: string): EaasPayload => {
  if (typeof payload !== 'string' || payload.length === 0) throw bad('expected a non-empty string');
  if (payload.length > MAX_PAYLOAD_CHARS) throw bad('too large');
  let text: string;
  try {
    text = fromUtf8(fromBase64(payload));
  } catch (cause) {
    throw bad('not canonical Base64 of UTF-8 JSON', cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw bad('not JSON', cause);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('not a JSON object');
  const o = parsed as Record<string, unknown>;
  const kv = o['kv'];
  if (typeof kv !== 'number' || !Number.isSafeInteger(kv) || kv < 1) throw bad('"kv" must be a positive integer');
  const e = o['e'];
  if (e !== 'utf8' && e !== 'base64') throw bad('"e" must be "utf8" or "base64"');
  const keyId = field(o, 'k');
  if (!UUID_RE.test(keyId)) throw bad('"k" must be a lowercase UUID');
  const p: EaasPayload = {
    ciphertext: b64field(o, 'c'),
    encapsulatedKey: b64field(o, 'ek'),
    nonce: b64field(o, 'n'),
    tag: b64field(o, 't'),
    keyId,
    keyVersion: kv,
    encoding: e,
  };
  if (p.nonce.length !== NONCE_LENGTH) throw bad(`"n" must be ${NONCE_LENGTH} bytes`);
  if (p.tag.length !== TAG_LENGTH) throw bad(`"t" must be ${TAG_LENGTH} bytes`);
  if (serialize(p) !== text) throw bad('not in canonical form');
  return p;
};
