/**
 * SLH-DSA-SHA2-128s (FIPS 205), pure mode with context. Stateless hash-based: slow to sign
 * (hundreds of ms in JS) but with no lattice assumption, for long-lived roots of trust.
 */
import { slh_dsa_sha2_128s } from '@noble/post-quantum/slh-dsa.js';
import { InvalidKeyError } from '../../errors.js';
import type { KeyPair, PrivateKeyHandle } from '../providers.js';
import { checkBytes, checkContext } from './context.js';

export const SLH_DSA_SHA2_128S = 'SLH-DSA-SHA2-128s' as const;
/** SK.seed || SK.prf || PK.seed, n = 16 bytes each. */
export const SLH_DSA_SEED_LENGTH = 48;
export const SLH_DSA_SIZES = { publicKey: 32, secretKey: 64, signature: 7856 } as const;

const PROVIDER = 'noble';

const secretOf = (handle: PrivateKeyHandle): Uint8Array => {
  if (
    handle.provider !== PROVIDER ||
    handle.algorithm !== SLH_DSA_SHA2_128S ||
    !(handle.inner instanceof Uint8Array) ||
    handle.inner.length !== SLH_DSA_SIZES.secretKey
  ) {
    throw new InvalidKeyError(`private key handle is not a ${SLH_DSA_SHA2_128S} key`);
  }
  return handle.inner;
};

export const slhDsaKeyPairFromSeed = (seed: Uint8Array): KeyPair => {
  if (checkBytes(seed, 'seed').length !== SLH_DSA_SEED_LENGTH) {
    throw new InvalidKeyError(`${SLH_DSA_SHA2_128S} seed must be ${SLH_DSA_SEED_LENGTH} bytes`);
  }
  const { publicKey, secretKey } = slh_dsa_sha2_128s.keygen(seed);
  return { publicKey, privateKey: { provider: PROVIDER, algorithm: SLH_DSA_SHA2_128S, inner: secretKey } };
};

export const slhDsaSign = (privateKey: PrivateKeyHandle, message: Uint8Array, context?: Uint8Array): Uint8Array =>
  slh_dsa_sha2_128s.sign(checkBytes(message, 'message'), secretOf(privateKey), { context: checkContext(context) });

export const slhDsaVerify = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context?: Uint8Array,
): boolean => {
  const ctx = checkContext(context);
  checkBytes(publicKey, 'publicKey');
  checkBytes(message, 'message');
  checkBytes(signature, 'signature');
  if (publicKey.length !== SLH_DSA_SIZES.publicKey || signature.length !== SLH_DSA_SIZES.signature) return false;
  try {
    return slh_dsa_sha2_128s.verify(signature, message, publicKey, { context: ctx }) === true;
  } catch {
    return false;
  }
};
