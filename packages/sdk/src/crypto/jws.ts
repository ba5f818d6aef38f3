/**
 * Compact JWS (RFC 7515) with RFC 9964 ML-DSA as the built-in algorithms. Classical algorithms
 * (ES256, EdDSA, RS256: sig/jws-classical.ts) are opt-in suites, so an ML-DSA-only verifier
 * bundles only ML-DSA.
 *
 * Verification trusts the caller's allow-list and the key, never the token: the header `alg`
 * must be allowed, implemented, and equal to the algorithm the key is bound to. Unknown critical
 * extensions, `alg: none`, HMAC and unencoded payloads are refused. No header member ever makes
 * the verifier fetch or trust a key (`jku`, `jwk`, `x5u`, `x5c` are ignored).
 */
import {
  InvalidInputError,
  InvalidJwkError,
  InvalidJwsError,
  InvalidOptionsError,
  SignatureInvalidError,
  UnsupportedAlgorithmError,
} from '../errors.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.js';
import { AlgorithmNotAllowedError, KeyAlgorithmMismatchError } from './sig/errors.js';
import { ML_DSA_JWS_SUITES } from './sig/jws-ml-dsa.js';
import type { JwsSigner, JwsSuite } from './sig/jws-types.js';

export { AlgorithmNotAllowedError, KeyAlgorithmMismatchError } from './sig/errors.js';
export type { JwsPublicKey, JwsSigner, JwsSuite } from './sig/jws-types.js';

export interface JwsProtectedHeader {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  readonly [member: string]: unknown;
}

export interface CompactSignOptions {
  readonly alg: string;
  readonly kid?: string;
  readonly typ?: string;
  /** More protected-header members. May not redefine alg/kid/typ nor use crit/b64. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/** Returns the verification JWK for a token, e.g. by `kid` from a JWKS. */
export type JwsKeyResolver = (header: JwsProtectedHeader) => unknown;
export type JwsAsyncKeyResolver = (header: JwsProtectedHeader) => unknown | Promise<unknown>;

export interface CompactVerifyOptions {
  /** The algorithms this caller accepts. Required: a verifier never lets the token choose. */
  readonly algorithms: readonly string[];
  /** Implementations to use; defaults to the ML-DSA suites. Add CLASSICAL_JWS_SUITES for ES256/EdDSA/RS256. */
  readonly suites?: readonly JwsSuite[];
}

export interface CompactVerifyResult {
  readonly payload: Uint8Array;
  readonly protectedHeader: JwsProtectedHeader;
}

/** Most JOSE libraries use the same bound; anything bigger in a header is an attack, not a token. */
const MAX_HEADER_SEGMENT = 16 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isNone = (alg: string): boolean => alg.toLowerCase() === 'none';
/** HMAC needs a shared secret: with public keys it is the classic key-confusion hole. Never supported. */
const isHmac = (alg: string): boolean => /^HS\d+$/i.test(alg);

const OWN_MEMBERS = ['alg', 'kid', 'typ', 'crit', 'b64'] as const;

const refuseAlg = (alg: string, where: 'token' | 'signer'): void => {
  if (isNone(alg)) {
    throw where === 'token'
      ? new InvalidJwsError('JWS "alg: none" is never accepted')
      : new InvalidInputError('JWS "alg: none" cannot be signed');
  }
  if (isHmac(alg)) throw new UnsupportedAlgorithmError('HMAC JWS algorithms are not supported', { details: { alg } });
};

export const compactSign = (payload: Uint8Array | string, options: CompactSignOptions, signer: JwsSigner): string => {
  if (!isRecord(options) || typeof options.alg !== 'string' || options.alg.length === 0) {
    throw new InvalidInputError('compactSign needs options.alg');
  }
  refuseAlg(options.alg, 'signer');
  if (options.alg !== signer.alg) {
    throw new KeyAlgorithmMismatchError('header alg does not match the signer', {
      details: { alg: options.alg, signerAlg: signer.alg },
    });
  }
  if (options.kid !== undefined && typeof options.kid !== 'string') throw new InvalidInputError('kid must be a string');
  if (options.typ !== undefined && typeof options.typ !== 'string') throw new InvalidInputError('typ must be a string');
  const extra = options.header ?? {};
  if (!isRecord(extra)) throw new InvalidInputError('header must be an object');
  for (const name of OWN_MEMBERS) {
    if (name in extra) throw new InvalidInputError(`header may not set "${name}"`, { details: { member: name } });
  }
  const body = typeof payload === 'string' ? utf8(payload) : payload;
  if (!(body instanceof Uint8Array)) throw new InvalidInputError('payload must be a string or Uint8Array');
  // alg first, then kid: the member order of the RFC 9964 examples.
  const header = {
    alg: options.alg,
    ...(options.kid !== undefined ? { kid: options.kid } : {}),
    ...(options.typ !== undefined ? { typ: options.typ } : {}),
    ...extra,
  };
  const signingInput = `${toBase64Url(utf8(JSON.stringify(header)))}.${toBase64Url(body)}`;
  const signature = signer.sign(utf8(signingInput));
  return `${signingInput}.${toBase64Url(signature)}`;
};

interface Parsed {
  readonly header: JwsProtectedHeader;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  readonly signingInput: Uint8Array;
}

const segment = (s: string, what: string): Uint8Array => {
  try {
    return fromBase64Url(s);
  } catch (cause) {
    throw new InvalidJwsError(`JWS ${what} is not base64url`, { cause });
  }
};

const parseHeader = (encoded: string): JwsProtectedHeader => {
  if (encoded.length === 0 || encoded.length > MAX_HEADER_SEGMENT)
    throw new InvalidJwsError('JWS header has a bad length');
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(segment(encoded, 'header')));
  } catch (cause) {
    if (cause instanceof InvalidJwsError) throw cause;
    throw new InvalidJwsError('JWS header is not UTF-8 JSON', { cause });
  }
  if (!isRecord(value)) throw new InvalidJwsError('JWS header is not a JSON object');
  const { alg, kid, typ, crit, b64 } = value;
  if (typeof alg !== 'string' || alg.length === 0) throw new InvalidJwsError('JWS header has no "alg"');
  if (kid !== undefined && typeof kid !== 'string') throw new InvalidJwsError('JWS header "kid" must be a string');
  if (typ !== undefined && typeof typ !== 'string') throw new InvalidJwsError('JWS header "typ" must be a string');
  // No extension is understood, so any `crit` names something we would have to ignore (RFC 7515 §4.1.11).
  if (crit !== undefined) throw new InvalidJwsError('JWS header "crit" names extensions that are not supported');
  if (b64 !== undefined && b64 !== true)
    throw new InvalidJwsError('unencoded JWS payloads (b64: false) are not supported');
  return value as JwsProtectedHeader;
};

/** Structure only: split, decode, header checks. Says nothing about authenticity. */
const parse = (jws: unknown): Parsed => {
  if (typeof jws !== 'string') throw new InvalidJwsError('JWS must be a string');
  const parts = jws.split('.');
  if (parts.length !== 3) throw new InvalidJwsError('compact JWS must have three segments');
  const [h, p, s] = parts as [string, string, string];
  const header = parseHeader(h);
  const payload = segment(p, 'payload');
  const signature = segment(s, 'signature');
  if (signature.length === 0) throw new InvalidJwsError('JWS signature is empty');
  return { header, payload, signature, signingInput: utf8(`${h}.${p}`) };
};

/**
 * The protected header WITHOUT verifying anything, for choosing a key (e.g. by kid). Never act
 * on it otherwise.
 */
export const decodeProtectedHeader = (jws: string): JwsProtectedHeader => {
  if (typeof jws !== 'string') throw new InvalidJwsError('JWS must be a string');
  const dot = jws.indexOf('.');
  return parseHeader(dot < 0 ? jws : jws.slice(0, dot));
};

const checkOptions = (options: CompactVerifyOptions): { allowed: ReadonlySet<string>; suites: readonly JwsSuite[] } => {
  if (!isRecord(options) || !Array.isArray(options.algorithms) || options.algorithms.length === 0) {
    throw new InvalidOptionsError('compactVerify needs a non-empty "algorithms" allow-list');
  }
  for (const alg of options.algorithms) {
    if (typeof alg !== 'string' || alg.length === 0) throw new InvalidOptionsError('"algorithms" must list alg names');
    if (isNone(alg)) throw new InvalidOptionsError('"none" cannot be allowed');
    if (isHmac(alg)) throw new UnsupportedAlgorithmError('HMAC JWS algorithms are not supported', { details: { alg } });
  }
  const suites = options.suites ?? ML_DSA_JWS_SUITES;
  if (!Array.isArray(suites)) throw new InvalidOptionsError('"suites" must be an array');
  return { allowed: new Set(options.algorithms), suites };
};

const selectSuite = (
  header: JwsProtectedHeader,
  allowed: ReadonlySet<string>,
  suites: readonly JwsSuite[],
): JwsSuite => {
  refuseAlg(header.alg, 'token');
  if (!allowed.has(header.alg)) {
    throw new AlgorithmNotAllowedError('JWS alg is not in the allow-list', { details: { alg: header.alg } });
  }
  const suite = suites.find((s) => s.alg === header.alg);
  if (!suite) throw new UnsupportedAlgorithmError('JWS alg is not implemented here', { details: { alg: header.alg } });
  return suite;
};

const checkJwkUse = (jwk: unknown): Readonly<Record<string, unknown>> => {
  if (!isRecord(jwk)) throw new InvalidJwsError('no verification key (JWK object) for this JWS');
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') {
    throw new InvalidJwkError('JWK "use" is not "sig"');
  }
  const ops = jwk['key_ops'];
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes('verify'))) {
    throw new InvalidJwkError('JWK "key_ops" does not allow "verify"');
  }
  return jwk;
};

const finish = (parsed: Parsed, suite: JwsSuite, jwk: unknown): CompactVerifyResult => {
  const key = suite.importJwk(checkJwkUse(jwk));
  if (!suite.verify(key, parsed.signingInput, parsed.signature)) {
    throw new SignatureInvalidError('JWS signature does not verify', { details: { alg: suite.alg } });
  }
  return { payload: parsed.payload, protectedHeader: parsed.header };
};

/**
 * Verify a compact JWS against a JWK (any JSON-object JWK: AKP, EC, OKP, RSA) (or a resolver that picks one from the header). Returns the
 * payload only if the signature verifies; every refusal is a typed error.
 */
export const compactVerify = (
  jws: string,
  key: object | JwsKeyResolver,
  options: CompactVerifyOptions,
): CompactVerifyResult => {
  const { allowed, suites } = checkOptions(options);
  const parsed = parse(jws);
  const suite = selectSuite(parsed.header, allowed, suites);
  const jwk = typeof key === 'function' ? key(parsed.header) : key;
  if (jwk instanceof Promise) throw new InvalidOptionsError('key resolver returned a Promise: use compactVerifyAsync');
  return finish(parsed, suite, jwk);
};

/** compactVerify with an asynchronous key resolver (e.g. a JWKS that may need refetching). */
export const compactVerifyAsync = async (
  jws: string,
  key: object | JwsAsyncKeyResolver,
  options: CompactVerifyOptions,
): Promise<CompactVerifyResult> => {
  const { allowed, suites } = checkOptions(options);
  const parsed = parse(jws);
  const suite = selectSuite(parsed.header, allowed, suites);
  const jwk = typeof key === 'function' ? await key(parsed.header) : key;
  return finish(parsed, suite, jwk);
};
