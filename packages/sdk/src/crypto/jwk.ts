/**
 * AKP ("Algorithm Key Pair") JWKs: RFC 9964 for ML-DSA, draft-ietf-jose-hpke-pq for ML-KEM / X-Wing.
 * `pub` is the raw public key, `priv` the seed (never the expanded key), both base64url.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidJwkError } from '../errors.js';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.js';

export interface AkpPublicJwk {
  readonly kty: 'AKP';
  readonly alg: string;
  readonly pub: string;
  readonly kid?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
}

export interface AkpPrivateJwk extends AkpPublicJwk {
  readonly priv: string;
}

/** RFC 7638 thumbprint over the required members, in lexicographic order: alg, kty, pub. */
export const akpThumbprint = (jwk: { alg: string; pub: string }): string =>
  toBase64Url(sha256(utf8(JSON.stringify({ alg: jwk.alg, kty: 'AKP', pub: jwk.pub }))));

export const toAkpPublicJwk = (alg: string, publicKey: Uint8Array): AkpPublicJwk & { kid: string } => {
  const pub = toBase64Url(publicKey);
  return { kty: 'AKP', alg, pub, kid: akpThumbprint({ alg, pub }) };
};

export const toAkpPrivateJwk = (
  alg: string,
  publicKey: Uint8Array,
  seed: Uint8Array,
): AkpPrivateJwk & { kid: string } => ({
  ...toAkpPublicJwk(alg, publicKey),
  priv: toBase64Url(seed),
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parse and check an AKP JWK. `expectedAlg`, when given, must match `alg` exactly: the JWK's
 * algorithm is what a verifier trusts, never the token header's.
 */
export const parseAkpJwk = (
  input: unknown,
  expectedAlg?: string,
): { jwk: AkpPublicJwk; publicKey: Uint8Array; seed: Uint8Array | undefined } => {
  if (!isRecord(input)) throw new InvalidJwkError('JWK must be a JSON object');
  if (input['kty'] !== 'AKP') throw new InvalidJwkError('JWK kty must be "AKP"');
  const alg = input['alg'];
  if (typeof alg !== 'string' || alg.length === 0) throw new InvalidJwkError('AKP JWK requires "alg"');
  if (expectedAlg !== undefined && alg !== expectedAlg) {
    throw new InvalidJwkError(`JWK alg "${alg}" does not match expected "${expectedAlg}"`);
  }
  const pub = input['pub'];
  if (typeof pub !== 'string') throw new InvalidJwkError('AKP JWK requires "pub"');
  let publicKey: Uint8Array;
  let seed: Uint8Array | undefined;
  try {
    publicKey = fromBase64Url(pub);
    const priv = input['priv'];
    if (priv !== undefined) {
      if (typeof priv !== 'string') throw new InvalidJwkError('AKP JWK "priv" must be a string');
      seed = fromBase64Url(priv);
    }
  } catch (cause) {
    if (cause instanceof InvalidJwkError) throw cause;
    throw new InvalidJwkError('AKP JWK "pub"/"priv" must be base64url', { cause });
  }
  const kid = input['kid'];
  if (kid !== undefined && typeof kid !== 'string') throw new InvalidJwkError('JWK "kid" must be a string');
  const jwk: AkpPublicJwk = { kty: 'AKP', alg, pub, ...(typeof kid === 'string' ? { kid } : {}) };
  return { jwk, publicKey, seed };
};
