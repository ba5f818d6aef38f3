/**
 * HPKE base mode (RFC 9180 §5.1.1, §6) over the PQ KEMs of draft-ietf-hpke-pq: setup functions,
 * single-shot seal/open/export, and key pair helpers. Synchronous, like the provider seams.
 */
import { z } from 'zod';
import { InvalidOptionsError, UnsupportedAlgorithmError } from '../../errors.js';
import { webRandom } from '../noble-provider.js';
import type { AeadProvider, RandomSource } from '../providers.js';
import { hpkeAead } from './aead.js';
import { HpkeReceiverContext, HpkeSenderContext } from './context.js';
import { HPKE_KDFS } from './kdf.js';
import { type ExpandedPrivateKey, generateKemKeyPair, HPKE_KEMS, type HpkeKem, type HpkeKeyPair } from './kem.js';
import { type HpkeKemId, type HpkeSuite, hpkeSuite, hpkeSuiteId, isHpkeKemId } from './suites.js';

export interface HpkeSetupOptions {
  /** Application info bound into the key schedule. Default: empty. */
  info?: Uint8Array;
  /** AES-256-GCM implementation (e.g. node:crypto). Default: noble. Other AEADs always use noble. */
  aeadProvider?: AeadProvider;
}

export interface HpkeSenderOptions extends HpkeSetupOptions {
  /** Randomness for the KEM's encapsulation. Default: WebCrypto getRandomValues. */
  random?: RandomSource;
  /**
   * Deterministic encapsulation randomness (the test vectors' ikmE), for known-answer tests only:
   * reusing it with the same recipient key repeats the shared secret.
   */
  ikmE?: Uint8Array;
}

export interface HpkeSealOptions extends HpkeSenderOptions {
  aad?: Uint8Array;
}

export interface HpkeOpenOptions extends HpkeSetupOptions {
  aad?: Uint8Array;
}

const bytes = z.instanceof(Uint8Array);
const hasFn = (name: string) => (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[name] === 'function';
const baseShape = {
  info: bytes.optional(),
  aad: bytes.optional(),
  aeadProvider: z.custom<AeadProvider>((v) => hasFn('seal')(v) && hasFn('open')(v)).optional(),
};
const senderSchema = z.strictObject({
  ...baseShape,
  random: z.custom<RandomSource>(hasFn('randomBytes')).optional(),
  ikmE: bytes.optional(),
});
const receiverSchema = z.strictObject(baseShape);

const parseOptions = <T>(schema: z.ZodType<T>, options: unknown): T => {
  const r = schema.safeParse(options ?? {});
  if (!r.success) {
    throw new InvalidOptionsError('invalid HPKE options', {
      details: { issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ') },
    });
  }
  return r.data;
};

const EMPTY = new Uint8Array(0);

interface Resolved {
  suite: HpkeSuite;
  kem: HpkeKem;
  suiteId: Uint8Array;
}

const resolve = (suite: HpkeSuite): Resolved => {
  const checked = hpkeSuite(suite.kem, suite.kdf, suite.aead);
  return { suite: checked, kem: HPKE_KEMS[checked.kem], suiteId: hpkeSuiteId(checked) };
};

const keySchedule = (
  r: Resolved,
  sharedSecret: Uint8Array,
  info: Uint8Array,
  aeadProvider: AeadProvider | undefined,
) => {
  const aead = hpkeAead(r.suite.aead, aeadProvider);
  const kdf = HPKE_KDFS[r.suite.kdf];
  return { aead, kdf, secrets: kdf.keySchedule(r.suiteId, sharedSecret, info, aead.nk, aead.nn) };
};

/** SetupBaseS: encapsulate to `publicKey` and return `enc` plus the sender context. */
export const setupBaseS = (
  suite: HpkeSuite,
  publicKey: Uint8Array,
  options?: HpkeSenderOptions,
): { enc: Uint8Array; context: HpkeSenderContext } => {
  const o = parseOptions(senderSchema, options);
  const r = resolve(suite);
  const randomness = o.ikmE ?? (o.random ?? webRandom).randomBytes(r.kem.nrandom);
  const { sharedSecret, enc } = r.kem.encap(publicKey, randomness);
  const { aead, kdf, secrets } = keySchedule(r, sharedSecret, o.info ?? EMPTY, o.aeadProvider);
  return { enc, context: new HpkeSenderContext(r.suite, r.suiteId, kdf, aead, secrets) };
};

const setupBaseRWith = (
  suite: HpkeSuite,
  decap: (kem: HpkeKem) => Uint8Array,
  options: HpkeSetupOptions | undefined,
): HpkeReceiverContext => {
  const o = parseOptions(receiverSchema, options);
  const r = resolve(suite);
  const sharedSecret = decap(r.kem);
  const { aead, kdf, secrets } = keySchedule(r, sharedSecret, o.info ?? EMPTY, o.aeadProvider);
  return new HpkeReceiverContext(r.suite, r.suiteId, kdf, aead, secrets);
};

/** SetupBaseR: decapsulate `enc` with the private key (seed) and return the receiver context. */
export const setupBaseR = (
  suite: HpkeSuite,
  enc: Uint8Array,
  privateKey: Uint8Array,
  options?: HpkeSetupOptions,
): HpkeReceiverContext => setupBaseRWith(suite, (kem) => kem.decap(enc, privateKey), options);

/** SetupBaseR with a key the caller already expanded (and checked); not part of the public API. */
export const setupBaseRExpanded = (
  suite: HpkeSuite,
  enc: Uint8Array,
  privateKey: ExpandedPrivateKey,
  options?: HpkeSetupOptions,
): HpkeReceiverContext => setupBaseRWith(suite, () => privateKey.decap(enc), options);

/** Single-shot Seal (RFC 9180 §6.1): one message, fresh encapsulation. */
export const hpkeSeal = (
  suite: HpkeSuite,
  publicKey: Uint8Array,
  plaintext: Uint8Array,
  options?: HpkeSealOptions,
): { enc: Uint8Array; ciphertext: Uint8Array } => {
  const { aad, ...setup } = options ?? {};
  const { enc, context } = setupBaseS(suite, publicKey, setup);
  return { enc, ciphertext: context.seal(plaintext, aad ?? EMPTY) };
};

/** Single-shot Open: DecryptionFailedError on a wrong key, AAD, info or any tampered byte. */
export const hpkeOpen = (
  suite: HpkeSuite,
  enc: Uint8Array,
  privateKey: Uint8Array,
  ciphertext: Uint8Array,
  options?: HpkeOpenOptions,
): Uint8Array => {
  const { aad, ...setup } = options ?? {};
  return setupBaseR(suite, enc, privateKey, setup).open(ciphertext, aad ?? EMPTY);
};

/** Single-shot SendExport (RFC 9180 §6.2). */
export const hpkeSendExport = (
  suite: HpkeSuite,
  publicKey: Uint8Array,
  exporterContext: Uint8Array,
  length: number,
  options?: HpkeSenderOptions,
): { enc: Uint8Array; exported: Uint8Array } => {
  const { enc, context } = setupBaseS(suite, publicKey, options);
  return { enc, exported: context.export(exporterContext, length) };
};

/** Single-shot ReceiveExport (RFC 9180 §6.2). */
export const hpkeReceiveExport = (
  suite: HpkeSuite,
  enc: Uint8Array,
  privateKey: Uint8Array,
  exporterContext: Uint8Array,
  length: number,
  options?: HpkeSetupOptions,
): Uint8Array => setupBaseR(suite, enc, privateKey, options).export(exporterContext, length);

const kemOf = (kemId: HpkeKemId): HpkeKem => {
  if (!isHpkeKemId(kemId)) throw new UnsupportedAlgorithmError('unsupported HPKE KEM', { details: { kem: kemId } });
  return HPKE_KEMS[kemId];
};

/** DeriveKeyPair (draft-ietf-hpke-pq): deterministic key pair from at least 32 bytes of ikm. */
export const hpkeDeriveKeyPair = (kemId: HpkeKemId, ikm: Uint8Array): HpkeKeyPair => kemOf(kemId).deriveKeyPair(ikm);

/** GenerateKeyPair: private key = fresh random seed (Nsk bytes). */
export const hpkeGenerateKeyPair = (kemId: HpkeKemId, options?: { random?: RandomSource }): HpkeKeyPair =>
  generateKemKeyPair(kemOf(kemId), options?.random ?? webRandom);

/** The public key of a serialized private key (seed). */
export const hpkePublicKey = (kemId: HpkeKemId, privateKey: Uint8Array): Uint8Array =>
  kemOf(kemId).publicKeyOf(privateKey);

/** Sizes of a KEM (Nsecret, Nenc, Npk, Nsk), for callers that frame `enc` themselves. */
export const hpkeKemSizes = (kemId: HpkeKemId): { nsecret: number; nenc: number; npk: number; nsk: number } => {
  const { nsecret, nenc, npk, nsk } = kemOf(kemId);
  return { nsecret, nenc, npk, nsk };
};
