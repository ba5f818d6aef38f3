/**
 * RFC 9964 ML-DSA for JOSE: `alg` "ML-DSA-44" / "ML-DSA-65" / "ML-DSA-87", pure ML-DSA with the empty
 * context, AKP JWKs. Kept apart from the classical algorithms so a verify-only browser bundle
 * carries nothing but ML-DSA and SHA-3.
 */
import { InvalidJwkError, UnsupportedAlgorithmError } from '../../errors.js';
import { isMlDsaAlgorithm, ML_DSA_ALGORITHMS, type MlDsaAlgorithm } from '../algorithms.js';
import { equalBytes } from '../bytes.js';
import { parseAkpJwk } from '../jwk.js';
import type { PrivateKeyHandle, SignatureProvider } from '../providers.js';
import { KeyAlgorithmMismatchError } from './errors.js';
import type { JwsPublicKey, JwsSigner, JwsSuite } from './jws-types.js';
import { ML_DSA_SIZES, mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from './ml-dsa.js';

const mlDsaJwsSuite = (alg: MlDsaAlgorithm, provider: SignatureProvider | undefined): JwsSuite => ({
  alg,
  importJwk(jwk) {
    if (jwk['kty'] !== 'AKP') {
      throw new KeyAlgorithmMismatchError(`${alg} needs an AKP JWK`, { details: { alg } });
    }
    const { jwk: parsed, publicKey } = parseAkpJwk(jwk);
    if (parsed.alg !== alg) {
      throw new KeyAlgorithmMismatchError('JWS alg does not match the JWK alg', {
        details: { alg, jwkAlg: parsed.alg },
      });
    }
    if (publicKey.length !== ML_DSA_SIZES[alg].publicKey) {
      throw new InvalidJwkError(`${alg} JWK "pub" must be ${ML_DSA_SIZES[alg].publicKey} bytes`);
    }
    return { alg, inner: publicKey };
  },
  verify(key: JwsPublicKey, signingInput, signature) {
    if (key.alg !== alg || !(key.inner instanceof Uint8Array)) return false;
    // RFC 9964: the context is always the empty string.
    return mlDsaVerify(alg, key.inner, signingInput, signature, provider ? { provider } : {});
  },
});

/** ML-DSA JWS suites on `provider` (noble by default). */
export const createMlDsaJwsSuites = (provider?: SignatureProvider): readonly JwsSuite[] =>
  ML_DSA_ALGORITHMS.map((alg) => mlDsaJwsSuite(alg, provider));

export const ML_DSA_JWS_SUITES: readonly JwsSuite[] = /* @__PURE__ */ createMlDsaJwsSuites();

export const mlDsaJwsSigner = (
  alg: MlDsaAlgorithm,
  privateKey: PrivateKeyHandle,
  provider?: SignatureProvider,
): JwsSigner => {
  if (!isMlDsaAlgorithm(alg)) throw new UnsupportedAlgorithmError('not an ML-DSA algorithm', { details: { alg } });
  return {
    alg,
    sign: (signingInput) => mlDsaSign(alg, privateKey, signingInput, provider ? { provider } : {}),
  };
};

/** Signer from an AKP private JWK (`priv` = the 32-byte seed); checks that `pub` matches the seed. */
export const mlDsaJwsSignerFromJwk = (jwk: unknown, provider?: SignatureProvider): JwsSigner => {
  const { jwk: parsed, publicKey, seed } = parseAkpJwk(jwk);
  if (!isMlDsaAlgorithm(parsed.alg)) throw new InvalidJwkError('AKP JWK alg is not an ML-DSA algorithm');
  if (seed === undefined) throw new InvalidJwkError('AKP JWK has no "priv"');
  const pair = mlDsaKeyPairFromSeed(parsed.alg, seed, provider);
  if (!equalBytes(pair.publicKey, publicKey)) {
    throw new InvalidJwkError('AKP JWK "pub" does not match its "priv"');
  }
  return mlDsaJwsSigner(parsed.alg, pair.privateKey, provider);
};
