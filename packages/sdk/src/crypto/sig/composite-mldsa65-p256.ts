/**
 * Composite ML-DSA-65 + ECDSA-P256 (draft-ietf-lamps-pq-composite-sigs, id-MLDSA65-ECDSA-P256-SHA512,
 * OID 1.3.6.1.5.5.7.6.45). A signature is valid only if BOTH components verify over the same
 * domain-separated message representative, so forging it needs a break of ML-DSA-65 and of P-256.
 *
 * Checked against lamps-wg/draft-composite-sigs @ 60fcb1e (test/vectors/composite-*.json):
 *   M'  = "CompositeAlgorithmSignatures2025" || Label || len(ctx) (1 byte) || ctx || SHA-512(M)
 *   Label = "COMPSIG-MLDSA65-ECDSA-P256-SHA512"
 *   mldsaSig = ML-DSA-65.Sign(sk, M', ctx = Label)
 *   ecdsaSig = ECDSA-P256-with-SHA256(M'), DER Ecdsa-Sig-Value
 *   signature  = mldsaSig (3309 B) || ecdsaSig
 *   publicKey  = ML-DSA-65 pk (1952 B) || uncompressed P-256 point (65 B)
 *   privateKey = ML-DSA-65 seed (32 B) || DER ECPrivateKey (RFC 5915, curve OID, no public key)
 */
import { p256 } from '@noble/curves/nist.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { InvalidKeyError } from '../../errors.js';
import { concat, equalBytes, utf8 } from '../bytes.js';
import type { KeyPair, PrivateKeyHandle, SignatureProvider } from '../providers.js';
import { checkBytes, checkContext } from './context.js';
import { encodeLength, readTlv } from './der.js';
import { ML_DSA_SEED_LENGTH, ML_DSA_SIZES, mlDsaKeyPairFromSeed, mlDsaSign, mlDsaVerify } from './ml-dsa.js';

export const COMPOSITE_MLDSA65_P256 = 'MLDSA65-ECDSA-P256-SHA512' as const;
export const COMPOSITE_MLDSA65_P256_OID = '1.3.6.1.5.5.7.6.45';
export const COMPOSITE_PREFIX = utf8('CompositeAlgorithmSignatures2025');
export const COMPOSITE_MLDSA65_P256_LABEL = utf8('COMPSIG-MLDSA65-ECDSA-P256-SHA512');

const EC_SCALAR_LENGTH = 32;
const EC_POINT_LENGTH = 65;
/** ML-DSA-65 seed || P-256 private scalar: the form keys take at rest in this SDK. */
export const COMPOSITE_SEED_LENGTH = ML_DSA_SEED_LENGTH + EC_SCALAR_LENGTH;
export const COMPOSITE_PUBLIC_KEY_LENGTH = ML_DSA_SIZES['ML-DSA-65'].publicKey + EC_POINT_LENGTH;
/** Longest DER Ecdsa-Sig-Value for P-256: two 33-byte INTEGERs. */
const MAX_EC_DER_SIGNATURE = 72;

/** 1.2.840.10045.3.1.7 (prime256v1), DER-encoded OBJECT IDENTIFIER. */
const P256_OID_DER = Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);

const PROVIDER = 'composite';

interface CompositeSecret {
  readonly mlDsa: PrivateKeyHandle;
  readonly ecdsa: Uint8Array;
}

/** The message representative M' both components sign. */
export const compositeMessageRepresentative = (message: Uint8Array, context?: Uint8Array): Uint8Array => {
  const ctx = checkContext(context);
  return concat(
    COMPOSITE_PREFIX,
    COMPOSITE_MLDSA65_P256_LABEL,
    Uint8Array.of(ctx.length),
    ctx,
    sha512(checkBytes(message, 'message')),
  );
};

const checkScalar = (scalar: Uint8Array): Uint8Array => {
  if (scalar.length !== EC_SCALAR_LENGTH || !p256.utils.isValidSecretKey(scalar)) {
    throw new InvalidKeyError('ECDSA P-256 private scalar is out of range');
  }
  return scalar;
};

/**
 * `seed` = ML-DSA-65 seed (32 B) || P-256 scalar (32 B). A random scalar is out of range with
 * probability about 2^-32; that seed is refused (InvalidKeyError), never silently reduced.
 */
export const compositeKeyPairFromSeed = (seed: Uint8Array, provider?: SignatureProvider): KeyPair => {
  if (checkBytes(seed, 'seed').length !== COMPOSITE_SEED_LENGTH) {
    throw new InvalidKeyError(`${COMPOSITE_MLDSA65_P256} seed must be ${COMPOSITE_SEED_LENGTH} bytes`);
  }
  const ecdsa = checkScalar(seed.slice(ML_DSA_SEED_LENGTH));
  const ml = mlDsaKeyPairFromSeed('ML-DSA-65', seed.subarray(0, ML_DSA_SEED_LENGTH), provider);
  const secret: CompositeSecret = { mlDsa: ml.privateKey, ecdsa };
  return {
    publicKey: concat(ml.publicKey, p256.getPublicKey(ecdsa, false)),
    privateKey: { provider: PROVIDER, algorithm: COMPOSITE_MLDSA65_P256, inner: secret },
  };
};

/** The draft's private-key encoding: ML-DSA seed || ECPrivateKey { version 1, key, [0] prime256v1 }. */
export const encodeCompositePrivateKey = (seed: Uint8Array): Uint8Array => {
  if (checkBytes(seed, 'seed').length !== COMPOSITE_SEED_LENGTH) {
    throw new InvalidKeyError(`${COMPOSITE_MLDSA65_P256} seed must be ${COMPOSITE_SEED_LENGTH} bytes`);
  }
  const scalar = checkScalar(seed.subarray(ML_DSA_SEED_LENGTH));
  const body = concat(
    Uint8Array.of(0x02, 0x01, 0x01),
    Uint8Array.of(0x04, EC_SCALAR_LENGTH),
    scalar,
    Uint8Array.of(0xa0, P256_OID_DER.length),
    P256_OID_DER,
  );
  return concat(seed.subarray(0, ML_DSA_SEED_LENGTH), Uint8Array.of(0x30), encodeLength(body.length), body);
};

/**
 * Inverse of encodeCompositePrivateKey: returns the 64-byte seed. Accepts the optional [1]
 * publicKey of RFC 5915, but only if it is the point the scalar actually yields.
 */
export const decodeCompositePrivateKey = (privateKey: Uint8Array): Uint8Array => {
  const what = `${COMPOSITE_MLDSA65_P256} private key`;
  checkBytes(privateKey, 'privateKey');
  if (privateKey.length <= ML_DSA_SEED_LENGTH) throw new InvalidKeyError(`${what} is too short`);
  const der = privateKey.subarray(ML_DSA_SEED_LENGTH);
  const seq = readTlv(der, 0, what);
  if (seq.tag !== 0x30 || seq.end !== der.length) throw new InvalidKeyError(`malformed DER in ${what}`);
  const body = seq.value;
  const version = readTlv(body, 0, what);
  if (version.tag !== 0x02 || version.value.length !== 1 || version.value[0] !== 1) {
    throw new InvalidKeyError(`${what}: ECPrivateKey version must be 1`);
  }
  const key = readTlv(body, version.end, what);
  if (key.tag !== 0x04 || key.value.length !== EC_SCALAR_LENGTH) {
    throw new InvalidKeyError(`${what}: ECPrivateKey must hold a 32-byte P-256 scalar`);
  }
  const scalar = checkScalar(key.value.slice());
  let pos = key.end;
  if (pos < body.length && body[pos] === 0xa0) {
    const params = readTlv(body, pos, what);
    if (!equalBytes(params.value, P256_OID_DER)) throw new InvalidKeyError(`${what}: ECPrivateKey curve is not P-256`);
    pos = params.end;
  }
  if (pos < body.length && body[pos] === 0xa1) {
    const pub = readTlv(body, pos, what);
    const bits = readTlv(pub.value, 0, what);
    const expected = concat(Uint8Array.of(0), p256.getPublicKey(scalar, false));
    if (bits.tag !== 0x03 || bits.end !== pub.value.length || !equalBytes(bits.value, expected)) {
      throw new InvalidKeyError(`${what}: ECPrivateKey public key does not match its scalar`);
    }
    pos = pub.end;
  }
  if (pos !== body.length) throw new InvalidKeyError(`malformed DER in ${what}`);
  return concat(privateKey.subarray(0, ML_DSA_SEED_LENGTH), scalar);
};

const secretOf = (handle: PrivateKeyHandle): CompositeSecret => {
  const inner = handle.inner as Partial<CompositeSecret> | undefined;
  if (
    handle.provider !== PROVIDER ||
    handle.algorithm !== COMPOSITE_MLDSA65_P256 ||
    typeof inner !== 'object' ||
    inner === null ||
    !(inner.ecdsa instanceof Uint8Array) ||
    inner.mlDsa === undefined
  ) {
    throw new InvalidKeyError(`private key handle is not a ${COMPOSITE_MLDSA65_P256} key`);
  }
  return inner as CompositeSecret;
};

export interface CompositeOptions {
  readonly context?: Uint8Array;
  /** Provider for the ML-DSA-65 component; defaults to noble. */
  readonly provider?: SignatureProvider;
}

export const compositeSign = (
  privateKey: PrivateKeyHandle,
  message: Uint8Array,
  options: CompositeOptions = {},
): Uint8Array => {
  const secret = secretOf(privateKey);
  const mPrime = compositeMessageRepresentative(message, options.context);
  const mlSig = mlDsaSign('ML-DSA-65', secret.mlDsa, mPrime, {
    context: COMPOSITE_MLDSA65_P256_LABEL,
    ...(options.provider ? { provider: options.provider } : {}),
  });
  const ecSig = p256.sign(mPrime, secret.ecdsa, { prehash: true, lowS: true, format: 'der' });
  return concat(mlSig, ecSig);
};

/** True only if both component signatures verify. Malformed keys or signatures are invalid (false). */
export const compositeVerify = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  options: CompositeOptions = {},
): boolean => {
  const mPrime = compositeMessageRepresentative(message, options.context);
  checkBytes(publicKey, 'publicKey');
  checkBytes(signature, 'signature');
  const mlPkLen = ML_DSA_SIZES['ML-DSA-65'].publicKey;
  const mlSigLen = ML_DSA_SIZES['ML-DSA-65'].signature;
  if (publicKey.length !== COMPOSITE_PUBLIC_KEY_LENGTH) return false;
  if (signature.length <= mlSigLen || signature.length > mlSigLen + MAX_EC_DER_SIGNATURE) return false;
  // Evaluate both components unconditionally: the result must not hint at which one failed.
  const mlOk = mlDsaVerify('ML-DSA-65', publicKey.subarray(0, mlPkLen), mPrime, signature.subarray(0, mlSigLen), {
    context: COMPOSITE_MLDSA65_P256_LABEL,
    ...(options.provider ? { provider: options.provider } : {}),
  });
  let ecOk = false;
  try {
    // Standard ECDSA accepts either s; only the signer normalises to low-S.
    ecOk = p256.verify(signature.subarray(mlSigLen), mPrime, publicKey.subarray(mlPkLen), {
      prehash: true,
      lowS: false,
      format: 'der',
    });
  } catch {
    ecOk = false;
  }
  return mlOk && ecOk;
};
