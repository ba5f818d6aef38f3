/**
 * JWE Integrated Encryption with HPKE (draft-ietf-jose-hpke-encrypt §5) for the post-quantum
 * algorithms of draft-ietf-jose-hpke-pq-pqt: HPKE-12 (ML-KEM-768), HPKE-13 (ML-KEM-1024) and
 * HPKE-9 (X-Wing), each with SHAKE256 and AES-256-GCM.
 *
 * Integrated Encryption: no CEK and no "enc"; the JWE Encrypted Key is the HPKE encapsulated key, the
 * JWE Ciphertext is the HPKE ciphertext (tag included), IV and Tag are empty, and the HPKE aad is
 * ASCII(BASE64URL(protected)) or, with JWE AAD, ASCII(BASE64URL(protected) || "." || BASE64URL(aad)).
 */
import { z } from 'zod';
import {
  InvalidCiphertextError,
  InvalidJwkError,
  InvalidKeyError,
  InvalidOptionsError,
  UnsupportedAlgorithmError,
} from '../errors.js';
import { equalBytes, fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.js';
import { hpkeKemSizes, hpkeSeal, setupBaseRExpanded } from './hpke/hpke.js';
import { HPKE_KEMS } from './hpke/kem.js';
import { isJoseHpkeAlgorithm, JOSE_HPKE_ALGORITHMS, type JoseHpkeAlgorithm } from './hpke/suites.js';
import { parseAkpJwk } from './jwk.js';
import type { AeadProvider, RandomSource } from './providers.js';

/** Flattened JWE JSON Serialization (RFC 7516 §7.2.2) of an integrated-encryption JWE. */
export interface FlattenedJwe {
  readonly protected: string;
  readonly encrypted_key: string;
  readonly ciphertext: string;
  readonly aad?: string;
  readonly iv?: string;
  readonly tag?: string;
  readonly header?: Readonly<Record<string, unknown>>;
  readonly unprotected?: Readonly<Record<string, unknown>>;
}

export type JoseHeaderValue = string | number | boolean | null | readonly JoseHeaderValue[] | JoseHeaderObject;
export interface JoseHeaderObject {
  readonly [key: string]: JoseHeaderValue;
}

export interface JweEncryptOptions {
  /** Extra protected header parameters (e.g. "typ", "cty", "kid"). "alg" comes from the JWK. */
  protectedHeader?: JoseHeaderObject;
  /** HPKE info: mutually known private information; both sides must pass the same. Default empty. */
  info?: Uint8Array;
  /** AES-256-GCM implementation (e.g. node:crypto). Default: noble. */
  aeadProvider?: AeadProvider;
  random?: RandomSource;
}

export interface JweDecryptOptions {
  info?: Uint8Array;
  aeadProvider?: AeadProvider;
}

export interface JweDecryptResult {
  readonly plaintext: Uint8Array;
  readonly alg: JoseHpkeAlgorithm;
  readonly protectedHeader: Readonly<Record<string, unknown>>;
  /** Decoded JWE AAD (JSON serialization only). */
  readonly additionalAuthenticatedData?: Uint8Array;
  /** Shared and per-recipient unprotected header parameters, merged (JSON serialization only). */
  readonly unprotectedHeader?: Readonly<Record<string, unknown>>;
}

/** Header parameters that integrated encryption forbids or that this build does not implement. */
const FORBIDDEN_IN_INTEGRATED = ['enc', 'ek'] as const;
const NOT_IMPLEMENTED = ['zip', 'psk_id', 'crit'] as const;
/** Encoded protected header cap (same as the JWS profile): parsing stays cheap on hostile input. */
const MAX_PROTECTED_HEADER = 16 * 1024;
const RESERVED_EXTRAS = ['alg', ...FORBIDDEN_IN_INTEGRATED, ...NOT_IMPLEMENTED];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const bytes = z.instanceof(Uint8Array);
const hasFn = (name: string) => (v: unknown) => isRecord(v) && typeof v[name] === 'function';
const commonOptions = {
  info: bytes.optional(),
  aeadProvider: z.custom<AeadProvider>((v) => hasFn('seal')(v) && hasFn('open')(v)).optional(),
};
const encryptSchema = z.strictObject({
  ...commonOptions,
  protectedHeader: z.record(z.string(), z.unknown()).optional(),
  random: z.custom<RandomSource>(hasFn('randomBytes')).optional(),
  serialization: z.enum(['compact', 'flattened']).optional(),
  aad: z.union([bytes, z.string()]).optional(),
});
const decryptSchema = z.strictObject(commonOptions);

const parseOptions = <T>(schema: z.ZodType<T>, options: unknown): T => {
  const r = schema.safeParse(options ?? {});
  if (!r.success) {
    throw new InvalidOptionsError('invalid JWE options', {
      details: { issues: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ') },
    });
  }
  return r.data;
};

/** The JWK `use`, when present, must allow encryption: a signing key is never an HPKE key. */
const checkUse = (jwk: unknown): void => {
  if (isRecord(jwk) && jwk['use'] !== undefined && jwk['use'] !== 'enc') {
    throw new InvalidJwkError('JWK "use" does not allow encryption');
  }
};

const recipientKey = (jwk: unknown): { alg: JoseHpkeAlgorithm; publicKey: Uint8Array; kid: string | undefined } => {
  const parsed = parseAkpJwk(jwk);
  const alg = parsed.jwk.alg;
  if (!isJoseHpkeAlgorithm(alg)) {
    throw new UnsupportedAlgorithmError('JWK alg is not a supported JOSE HPKE algorithm', {
      details: { alg: alg.slice(0, 32) },
    });
  }
  checkUse(jwk);
  if (parsed.publicKey.length !== hpkeKemSizes(JOSE_HPKE_ALGORITHMS[alg].kem).npk) {
    throw new InvalidJwkError(`${alg} JWK "pub" has the wrong length`);
  }
  return { alg, publicKey: parsed.publicKey, kid: parsed.jwk.kid };
};

/** Encrypt to an AKP public JWK as a JWE Compact Serialization. */
export function jweEncrypt(
  plaintext: Uint8Array | string,
  recipientPublicJwk: unknown,
  options?: JweEncryptOptions & { serialization?: 'compact' },
): string;
/** Encrypt to an AKP public JWK as a Flattened JWE JSON Serialization, optionally with JWE AAD. */
export function jweEncrypt(
  plaintext: Uint8Array | string,
  recipientPublicJwk: unknown,
  options: JweEncryptOptions & { serialization: 'flattened'; aad?: Uint8Array | string },
): FlattenedJwe;
export function jweEncrypt(
  plaintext: Uint8Array | string,
  recipientPublicJwk: unknown,
  options?: JweEncryptOptions & { serialization?: 'compact' | 'flattened'; aad?: Uint8Array | string },
): string | FlattenedJwe {
  const o = parseOptions(encryptSchema, options);
  const serialization = o.serialization ?? 'compact';
  if (serialization === 'compact' && o.aad !== undefined) {
    throw new InvalidOptionsError('JWE AAD needs the flattened serialization: compact cannot carry it');
  }
  const pt = typeof plaintext === 'string' ? utf8(plaintext) : plaintext;
  if (!(pt instanceof Uint8Array)) throw new InvalidOptionsError('plaintext must be bytes or a string');
  const { alg, publicKey, kid } = recipientKey(recipientPublicJwk);

  const extras = o.protectedHeader ?? {};
  for (const name of RESERVED_EXTRAS) {
    if (Object.hasOwn(extras, name)) {
      throw new InvalidOptionsError(`protected header parameter "${name}" cannot be set here`);
    }
  }
  const header = { alg, ...(kid !== undefined ? { kid } : {}), ...extras };
  const protectedB64 = toBase64Url(utf8(JSON.stringify(header)));
  const aadB64 = o.aad === undefined ? undefined : toBase64Url(typeof o.aad === 'string' ? utf8(o.aad) : o.aad);
  const hpkeAad = utf8(aadB64 === undefined ? protectedB64 : `${protectedB64}.${aadB64}`);

  let sealed: { enc: Uint8Array; ciphertext: Uint8Array };
  try {
    sealed = hpkeSeal(JOSE_HPKE_ALGORITHMS[alg], publicKey, pt, {
      aad: hpkeAad,
      ...(o.info ? { info: o.info } : {}),
      ...(o.random ? { random: o.random } : {}),
      ...(o.aeadProvider ? { aeadProvider: o.aeadProvider } : {}),
    });
  } catch (cause) {
    if (cause instanceof InvalidKeyError) throw new InvalidJwkError(`${alg} JWK "pub" is not a valid key`, { cause });
    throw cause;
  }
  const encryptedKey = toBase64Url(sealed.enc);
  const ciphertext = toBase64Url(sealed.ciphertext);
  if (serialization === 'compact') return `${protectedB64}.${encryptedKey}..${ciphertext}.`;
  return {
    protected: protectedB64,
    encrypted_key: encryptedKey,
    ciphertext,
    ...(aadB64 !== undefined ? { aad: aadB64 } : {}),
  };
}

interface ParsedJwe {
  protectedB64: string;
  encryptedKey: string;
  ciphertext: string;
  iv: string;
  tag: string;
  aad: string | undefined;
  unprotected: Record<string, unknown> | undefined;
}

const b64 = (s: string, what: string): Uint8Array => {
  try {
    return fromBase64Url(s);
  } catch (cause) {
    throw new InvalidCiphertextError(`JWE ${what} is not valid base64url`, { cause });
  }
};

const optionalString = (v: unknown, what: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidCiphertextError(`JWE "${what}" must be a string`);
  return v;
};

const optionalHeader = (v: unknown, what: string): Record<string, unknown> | undefined => {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new InvalidCiphertextError(`JWE "${what}" must be a JSON object`);
  return v;
};

/** Shared and per-recipient unprotected headers must not repeat a name (RFC 7516 §7.2.1). */
const mergeDisjoint = (
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined => {
  if (!a) return b;
  if (!b) return a;
  for (const k of Object.keys(b)) {
    if (Object.hasOwn(a, k)) throw new InvalidCiphertextError('JWE header parameter names must be disjoint');
  }
  return { ...a, ...b };
};

const parseJson = (jwe: Record<string, unknown>): ParsedJwe => {
  let recipient: Record<string, unknown> = jwe;
  if (jwe['recipients'] !== undefined) {
    const r = jwe['recipients'];
    // Integrated Encryption has exactly one recipient.
    if (!Array.isArray(r) || r.length !== 1 || !isRecord(r[0])) {
      throw new InvalidCiphertextError('integrated-encryption JWE must have exactly one recipient');
    }
    if (jwe['encrypted_key'] !== undefined || jwe['header'] !== undefined) {
      throw new InvalidCiphertextError('JWE mixes general and flattened members');
    }
    recipient = r[0];
  }
  const protectedB64 = optionalString(jwe['protected'], 'protected');
  const encryptedKey = optionalString(recipient['encrypted_key'], 'encrypted_key');
  const ciphertext = optionalString(jwe['ciphertext'], 'ciphertext');
  if (protectedB64 === undefined || encryptedKey === undefined || ciphertext === undefined) {
    throw new InvalidCiphertextError('JWE needs "protected", "encrypted_key" and "ciphertext"');
  }
  return {
    protectedB64,
    encryptedKey,
    ciphertext,
    iv: optionalString(jwe['iv'], 'iv') ?? '',
    tag: optionalString(jwe['tag'], 'tag') ?? '',
    aad: optionalString(jwe['aad'], 'aad'),
    unprotected: mergeDisjoint(
      optionalHeader(jwe['unprotected'], 'unprotected'),
      optionalHeader(recipient['header'], 'header'),
    ),
  };
};

const parseJwe = (jwe: unknown): ParsedJwe => {
  if (typeof jwe === 'string' && jwe.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(jwe);
    } catch (cause) {
      throw new InvalidCiphertextError('JWE JSON serialization is not valid JSON', { cause });
    }
    if (!isRecord(json)) throw new InvalidCiphertextError('JWE JSON serialization must be an object');
    return parseJson(json);
  }
  if (typeof jwe === 'string') {
    const parts = jwe.split('.');
    if (parts.length !== 5) throw new InvalidCiphertextError('JWE compact serialization must have 5 parts');
    const [protectedB64, encryptedKey, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    return { protectedB64, encryptedKey, iv, ciphertext, tag, aad: undefined, unprotected: undefined };
  }
  if (isRecord(jwe)) return parseJson(jwe);
  throw new InvalidCiphertextError('JWE must be a compact string or a JSON serialization object');
};

const parseProtectedHeader = (protectedB64: string): Record<string, unknown> => {
  if (protectedB64.length === 0) throw new InvalidCiphertextError('JWE protected header is required');
  if (protectedB64.length > MAX_PROTECTED_HEADER) throw new InvalidCiphertextError('JWE protected header is too large');
  let header: unknown;
  try {
    header = JSON.parse(fromUtf8(b64(protectedB64, 'protected header')));
  } catch (cause) {
    if (cause instanceof InvalidCiphertextError) throw cause;
    throw new InvalidCiphertextError('JWE protected header is not a JSON object', { cause });
  }
  if (!isRecord(header)) throw new InvalidCiphertextError('JWE protected header is not a JSON object');
  return header;
};

const checkHeaderParameters = (header: Record<string, unknown>): void => {
  for (const name of FORBIDDEN_IN_INTEGRATED) {
    if (Object.hasOwn(header, name)) {
      throw new InvalidCiphertextError(`header parameter "${name}" must not be present with integrated encryption`);
    }
  }
  for (const name of NOT_IMPLEMENTED) {
    if (Object.hasOwn(header, name)) {
      throw new UnsupportedAlgorithmError(`JWE header parameter "${name}" is not supported`);
    }
  }
};

/**
 * Decrypt an integrated-encryption JWE (compact string, or flattened/general JSON object with one
 * recipient) with an AKP private JWK. The JWK's "alg" must equal the JWE's: the key decides.
 */
export const jweDecrypt = (jwe: unknown, privateJwk: unknown, options?: JweDecryptOptions): JweDecryptResult => {
  const o = parseOptions(decryptSchema, options);
  const parsed = parseJwe(jwe);
  const protectedHeader = parseProtectedHeader(parsed.protectedB64);
  checkHeaderParameters(protectedHeader);
  if (parsed.unprotected) {
    checkHeaderParameters(parsed.unprotected);
    for (const k of Object.keys(parsed.unprotected)) {
      if (Object.hasOwn(protectedHeader, k)) {
        throw new InvalidCiphertextError('JWE header parameter names must be disjoint');
      }
    }
    if (Object.hasOwn(parsed.unprotected, 'alg')) {
      throw new InvalidCiphertextError('integrated encryption needs "alg" in the protected header');
    }
  }
  if (parsed.iv !== '' || parsed.tag !== '') {
    throw new InvalidCiphertextError('integrated-encryption JWE must have an empty IV and tag');
  }
  const alg = protectedHeader['alg'];
  if (typeof alg !== 'string') throw new InvalidCiphertextError('JWE protected header needs "alg"');
  if (!isJoseHpkeAlgorithm(alg)) {
    throw new UnsupportedAlgorithmError('JWE alg is not a supported JOSE HPKE algorithm', {
      details: { alg: alg.slice(0, 32) },
    });
  }
  const suite = JOSE_HPKE_ALGORITHMS[alg];

  const sizes = hpkeKemSizes(suite.kem);
  const key = parseAkpJwk(privateJwk, alg);
  checkUse(privateJwk);
  if (key.seed === undefined) throw new InvalidJwkError('decryption needs a private JWK ("priv")');
  if (key.seed.length !== sizes.nsk || key.publicKey.length !== sizes.npk) {
    throw new InvalidJwkError(`${alg} JWK "priv"/"pub" have the wrong length`);
  }
  const enc = b64(parsed.encryptedKey, 'encrypted key');
  const ciphertext = b64(parsed.ciphertext, 'ciphertext');
  const aadBytes = parsed.aad === undefined ? undefined : b64(parsed.aad, 'aad');
  const hpkeAad = utf8(parsed.aad === undefined ? parsed.protectedB64 : `${parsed.protectedB64}.${parsed.aad}`);
  if (enc.length !== sizes.nenc) throw new InvalidCiphertextError(`${alg} JWE encrypted key has the wrong length`);
  if (ciphertext.length < 16) throw new InvalidCiphertextError('JWE ciphertext is shorter than the AEAD tag');

  const expanded = HPKE_KEMS[suite.kem].expand(key.seed);
  if (!equalBytes(expanded.publicKey, key.publicKey)) {
    throw new InvalidJwkError(`${alg} JWK "pub" does not belong to its "priv"`);
  }

  const plaintext = setupBaseRExpanded(suite, enc, expanded, {
    ...(o.info ? { info: o.info } : {}),
    ...(o.aeadProvider ? { aeadProvider: o.aeadProvider } : {}),
  }).open(ciphertext, hpkeAad);
  return {
    plaintext,
    alg,
    protectedHeader,
    ...(aadBytes !== undefined ? { additionalAuthenticatedData: aadBytes } : {}),
    ...(parsed.unprotected ? { unprotectedHeader: parsed.unprotected } : {}),
  };
};
