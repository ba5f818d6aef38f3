/**
 * Blind indexes: a keyed MAC over a normalized value, so equality lookups work on encrypted
 * columns without a bare hash of PII. Keys are derived per (tenant, table, columns, version,
 * algorithm) from an index root key that only the backend can unwrap.
 *
 * `sha3-compat` is the one unkeyed mode: exactly lowercase hex SHA3-256 of trim(lowercase(value)),
 * the reference architecture's `SearchableEmail`, for tables shared with existing services.
 */
import { sha3_256 } from '@noble/hashes/sha3.js';
import { kmac256 } from '@noble/hashes/sha3-addons.js';
import { lengthPrefixed, toHex, utf8 } from '../crypto/bytes.js';
import { nobleMac } from '../crypto/noble-provider.js';
import { InvalidInputError } from '../errors.js';
import { hexText } from './ascii-out.js';
import { FieldConfigError } from './errors.js';
import { applyNormalizers, type Normalizer, type NormalizerName, resolveNormalizers } from './normalizers.js';
import { encodeValue, type FieldValue } from './value-codec.js';

export const BLIND_INDEX_ALGORITHMS = ['hmac-sha3-256', 'kmac256', 'sha3-compat'] as const;
export type BlindIndexAlgorithm = (typeof BLIND_INDEX_ALGORITHMS)[number];

export interface BlindIndexDefinition {
  /** The column that stores the index (e.g. `emailHash`). */
  readonly name: string;
  readonly table: string;
  /** Source columns: one for a simple index, several for a compound index (order matters). */
  readonly columns: readonly string[];
  /** Default `hmac-sha3-256`. */
  readonly algorithm?: BlindIndexAlgorithm;
  /** Bump to re-key (and re-normalize); default 1. */
  readonly version?: number;
  /** String normalizers, applied in order; default nfc, trim, lowercase. Ignored by sha3-compat. */
  readonly normalize?: readonly (NormalizerName | Normalizer)[];
  /** Truncate the MAC to this many bytes (8..32; default 32). Shorter means more false positives. */
  readonly bytes?: number;
  /** The index column is unique: lets `findUnique({ where: { email } })` resolve through it. */
  readonly unique?: boolean;
}

/** HMAC-SHA3-256 as a plain function (the older option form; prefer a `MacProvider`). */
export type HmacSha3_256 = (key: Uint8Array, message: Uint8Array) => Uint8Array;

/** HMAC-SHA3-256 keyed once (a `MacProvider.hmacSha3_256`): the per-index key is fixed. */
export type KeyedHmacSha3_256 = (key: Uint8Array) => (message: Uint8Array) => Uint8Array;

/** noble HMAC with the keyed state computed once and cloned per message. */
/** HMAC-SHA3-256 in pure JavaScript: the crypto core's noble MAC provider. */
export const nobleHmacSha3_256: (key: Uint8Array) => (message: Uint8Array) => Uint8Array = nobleMac.hmacSha3_256;

const KEY_LABEL = utf8('quantumapi/blind-index-key/v1');
const KMAC_KEY_CUSTOM = utf8('QAPI blind index key');
const KMAC_INDEX_CUSTOM = utf8('QAPI blind index');
const COMPOUND_LABEL = utf8('quantumapi/blind-index-input/v1');

export interface ResolvedIndex {
  readonly definition: BlindIndexDefinition;
  readonly algorithm: BlindIndexAlgorithm;
  readonly version: number;
  readonly bytes: number;
  readonly normalizers: readonly Normalizer[];
  /** MAC over the framed input; undefined for sha3-compat. */
  readonly mac: ((message: Uint8Array) => Uint8Array) | undefined;
}

/**
 * The same index under each version still present in a table while a re-index runs: lookups match
 * any of them, writes use `d`. One rule for every adapter and the migration engine: listing the
 * current version is a mistake (a bump that was not made), and sha3-compat is unkeyed, so all its
 * versions are one value and there is nothing to re-index.
 */
export const previousIndexDefinitions = (
  d: BlindIndexDefinition,
  previousVersions: readonly number[] | undefined,
): BlindIndexDefinition[] => {
  if (!previousVersions?.length) return [];
  const details = { index: d.name };
  if ((d.algorithm ?? 'hmac-sha3-256') === 'sha3-compat') {
    throw new FieldConfigError(`blind index ${d.name}: sha3-compat has no versions to re-index`, { details });
  }
  if (previousVersions.includes(d.version ?? 1)) {
    throw new FieldConfigError(`blind index ${d.name}: previousVersions must not contain the current version`, {
      details,
    });
  }
  return [...new Set(previousVersions)].map((version) => {
    const previous = { ...d, version };
    validateIndexDefinition(previous);
    return previous;
  });
};

export const validateIndexDefinition = (d: BlindIndexDefinition): void => {
  const algorithm = d.algorithm ?? 'hmac-sha3-256';
  if (!BLIND_INDEX_ALGORITHMS.includes(algorithm)) {
    throw new FieldConfigError(`blind index ${d.name}: unknown algorithm`, { details: { index: d.name } });
  }
  if (d.columns.length === 0) throw new FieldConfigError(`blind index ${d.name} has no source column`);
  if (algorithm === 'sha3-compat' && (d.columns.length !== 1 || d.bytes !== undefined || d.normalize)) {
    throw new FieldConfigError(
      `blind index ${d.name}: sha3-compat takes one column, no truncation, fixed normalization`,
      {
        details: { index: d.name },
      },
    );
  }
  const version = d.version ?? 1;
  if (!Number.isInteger(version) || version < 1) throw new FieldConfigError(`blind index ${d.name}: bad version`);
  const bytes = d.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < 8 || bytes > 32) {
    throw new FieldConfigError(`blind index ${d.name}: bytes must be 8..32`, { details: { index: d.name } });
  }
};

/** Per-index key: KMAC256 under the root, over the framed (tenant, table, columns, version, algorithm). */
export const deriveIndexKey = (root: Uint8Array, tenant: string, d: BlindIndexDefinition): Uint8Array =>
  kmac256(
    root,
    lengthPrefixed(
      KEY_LABEL,
      utf8(tenant),
      utf8(d.table),
      lengthPrefixed(...d.columns.map(utf8)),
      utf8(String(d.version ?? 1)),
      utf8(d.algorithm ?? 'hmac-sha3-256'),
    ),
    { dkLen: 32, personalization: KMAC_KEY_CUSTOM },
  );

export const resolveIndex = (
  d: BlindIndexDefinition,
  root: Uint8Array | undefined,
  tenant: string,
  keyedHmac: KeyedHmacSha3_256 | undefined,
): ResolvedIndex => {
  validateIndexDefinition(d);
  const algorithm = d.algorithm ?? 'hmac-sha3-256';
  let mac: ResolvedIndex['mac'];
  if (algorithm !== 'sha3-compat') {
    if (!root) throw new FieldConfigError('blind index root key is not loaded');
    const key = deriveIndexKey(root, tenant, d);
    if (algorithm === 'kmac256') {
      const keyed = kmac256.create(key, { dkLen: 32, personalization: KMAC_INDEX_CUSTOM });
      mac = (m) => keyed.clone().update(m).digest();
    } else {
      mac = (keyedHmac ?? nobleHmacSha3_256)(key);
    }
  }
  return {
    definition: d,
    algorithm,
    version: d.version ?? 1,
    bytes: d.bytes ?? 32,
    normalizers: resolveNormalizers(d.normalize),
    mac,
  };
};

/** SearchableEmail compatibility: lowercase hex SHA3-256 of trim(lowercase(value)). */
export const sha3CompatIndex = (value: string): string => toHex(sha3_256(utf8(value.toLowerCase().trim())));

// lengthPrefixed(COMPOUND_LABEL, part) for one part is a fixed prefix, the part's length and the
// part. It is framed in one reusable buffer (a fresh buffer and DataView per value cost as much as
// one of the two hashes) and zeroed after the MAC has read it, so no plaintext stays behind.
const FRAME_PREFIX = lengthPrefixed(COMPOUND_LABEL);
const FRAME_HEAD = FRAME_PREFIX.length + 4;
let frame = new Uint8Array(FRAME_HEAD + 256);
frame.set(FRAME_PREFIX);

const frameOne = (part: Uint8Array): number => {
  const n = part.length;
  if (FRAME_HEAD + n > frame.length) {
    frame = new Uint8Array(FRAME_HEAD + n * 2);
    frame.set(FRAME_PREFIX);
  }
  frame[FRAME_HEAD - 4] = n >>> 24;
  frame[FRAME_HEAD - 3] = (n >>> 16) & 0xff;
  frame[FRAME_HEAD - 2] = (n >>> 8) & 0xff;
  frame[FRAME_HEAD - 1] = n & 0xff;
  frame.set(part, FRAME_HEAD);
  part.fill(0);
  return FRAME_HEAD + n;
};

const encodePart = (idx: ResolvedIndex, v: FieldValue): Uint8Array =>
  encodeValue(typeof v === 'string' ? applyNormalizers(idx.normalizers, v) : v);

/** The index of one value (or one tuple for a compound index); lowercase hex. */
export const computeIndex = (idx: ResolvedIndex, values: readonly FieldValue[]): string => {
  if (values.length !== idx.definition.columns.length) {
    throw new InvalidInputError(`blind index ${idx.definition.name} takes ${idx.definition.columns.length} value(s)`);
  }
  if (idx.algorithm === 'sha3-compat') {
    const v = values[0];
    if (typeof v !== 'string')
      throw new InvalidInputError(`blind index ${idx.definition.name}: sha3-compat indexes strings only`);
    return sha3CompatIndex(v);
  }
  // The framing is the same for one column or many, so a simple index is a compound index of one.
  let tag: Uint8Array;
  if (values.length === 1) {
    const end = frameOne(encodePart(idx, values[0] as FieldValue));
    try {
      tag = idx.mac!(frame.subarray(0, end));
    } finally {
      frame.fill(0, FRAME_HEAD, end);
    }
  } else {
    tag = idx.mac!(lengthPrefixed(COMPOUND_LABEL, ...values.map((v) => encodePart(idx, v))));
  }
  return hexText(tag, idx.bytes);
};
