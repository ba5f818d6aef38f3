/**
 * HPKE KDFs and the key schedule. Two shapes exist (draft-ietf-hpke-hpke §4, §7.2):
 * - two-stage (HKDF): LabeledExtract / LabeledExpand exactly as in RFC 9180;
 * - one-stage (SHAKE256, draft-ietf-hpke-pq): a single LabeledDerive over length-prefixed inputs,
 *   which yields key || base_nonce || exporter_secret in one squeeze.
 */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { InvalidInputError } from '../../errors.js';
import { concat, i2osp, utf8 } from '../bytes.js';
import { HPKE_KDF, HPKE_MODE_BASE, type HpkeKdfId } from './suites.js';

const VERSION = utf8('HPKE-v1');
const EMPTY = new Uint8Array(0);
const U16_MAX = 0xffff;

/** lengthPrefixed(x) = I2OSP(len(x), 2) || x (the HPKE draft's 2-byte framing, not bytes.ts's u32 one). */
const lp16 = (x: Uint8Array): Uint8Array => {
  if (x.length > U16_MAX) throw new InvalidInputError('HPKE input longer than 65535 bytes');
  return concat(i2osp(x.length, 2), x);
};

/** SHAKE256.LabeledDerive(ikm, label, context, L) with the given suite_id. */
export const shake256LabeledDerive = (
  suiteId: Uint8Array,
  ikm: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array => {
  if (!Number.isInteger(length) || length < 0 || length > U16_MAX) {
    throw new InvalidInputError('HPKE derive length out of range');
  }
  const labeledIkm = concat(ikm, VERSION, suiteId, lp16(utf8(label)), i2osp(length, 2), context);
  return shake256(labeledIkm, { dkLen: length });
};

const labeledExtract = (suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array =>
  extract(sha256, concat(VERSION, suiteId, utf8(label), ikm), salt);

const labeledExpand = (
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Uint8Array => expand(sha256, prk, concat(i2osp(length, 2), VERSION, suiteId, utf8(label), info), length);

export interface KeyScheduleOutput {
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

export interface HpkeKdf {
  readonly id: HpkeKdfId;
  readonly name: string;
  /** Nh: exporter_secret length. */
  readonly nh: number;
  /** Largest L export() accepts. */
  readonly maxExportLength: number;
  /** KeySchedule for mode_base (no PSK): Nk-byte key, Nn-byte base_nonce, Nh-byte exporter secret. */
  keySchedule(
    suiteId: Uint8Array,
    sharedSecret: Uint8Array,
    info: Uint8Array,
    nk: number,
    nn: number,
  ): KeyScheduleOutput;
  export(suiteId: Uint8Array, exporterSecret: Uint8Array, exporterContext: Uint8Array, length: number): Uint8Array;
}

const MODE_BASE = new Uint8Array([HPKE_MODE_BASE]);

const hkdfSha256: HpkeKdf = {
  id: HPKE_KDF.HKDF_SHA256,
  name: 'HKDF-SHA256',
  nh: 32,
  maxExportLength: 255 * 32,
  keySchedule(suiteId, sharedSecret, info, nk, nn) {
    const pskIdHash = labeledExtract(suiteId, EMPTY, 'psk_id_hash', EMPTY);
    const infoHash = labeledExtract(suiteId, EMPTY, 'info_hash', info);
    const context = concat(MODE_BASE, pskIdHash, infoHash);
    const secret = labeledExtract(suiteId, sharedSecret, 'secret', EMPTY);
    // Export-only suites have Nk = Nn = 0: RFC 9180 skips those expansions rather than asking for 0 bytes.
    return {
      key: nk === 0 ? EMPTY : labeledExpand(suiteId, secret, 'key', context, nk),
      baseNonce: nn === 0 ? EMPTY : labeledExpand(suiteId, secret, 'base_nonce', context, nn),
      exporterSecret: labeledExpand(suiteId, secret, 'exp', context, 32),
    };
  },
  export(suiteId, exporterSecret, exporterContext, length) {
    return labeledExpand(suiteId, exporterSecret, 'sec', exporterContext, length);
  },
};

const shake256Kdf: HpkeKdf = {
  id: HPKE_KDF.SHAKE256,
  name: 'SHAKE256',
  nh: 64,
  maxExportLength: U16_MAX,
  keySchedule(suiteId, sharedSecret, info, nk, nn) {
    // secrets = lengthPrefixed(psk) || lengthPrefixed(shared_secret); psk is empty in mode_base.
    const secrets = concat(lp16(EMPTY), lp16(sharedSecret));
    const context = concat(MODE_BASE, lp16(EMPTY), lp16(info));
    const out = shake256LabeledDerive(suiteId, secrets, 'secret', context, nk + nn + 64);
    return { key: out.slice(0, nk), baseNonce: out.slice(nk, nk + nn), exporterSecret: out.slice(nk + nn) };
  },
  export(suiteId, exporterSecret, exporterContext, length) {
    return shake256LabeledDerive(suiteId, exporterSecret, 'sec', exporterContext, length);
  },
};

export const HPKE_KDFS: Readonly<Record<HpkeKdfId, HpkeKdf>> = {
  [HPKE_KDF.HKDF_SHA256]: hkdfSha256,
  [HPKE_KDF.SHAKE256]: shake256Kdf,
};
