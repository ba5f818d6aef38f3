import { defineSection } from '../lib/types.js';

const ALG = 'ML-DSA-65';

export default defineSection({
  id: 'ml-dsa-65',
  title: 'ML-DSA-65',
  description:
    'Hedged signing of a 256-byte message with an empty context (as in JWS, RFC 9964) and verification ' +
    'against a raw 1952-byte public key.',
  cases(env) {
    const message = env.random.randomBytes(256);
    return env.signature.flatMap((sig) => {
      const { publicKey, privateKey } = sig.keyPairFromSeed(ALG, env.random.randomBytes(32));
      const signature = sig.sign(ALG, privateKey, message);
      return [
        { operation: 'sign', provider: sig.name, run: () => sig.sign(ALG, privateKey, message) },
        { operation: 'verify', provider: sig.name, run: () => sig.verify(ALG, publicKey, message, signature) },
      ];
    });
  },
});
