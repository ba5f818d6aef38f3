import { defineSection } from '../lib/types.js';

const ALG = 'ML-KEM-768';
const POOL = 16;

export default defineSection({
  id: 'ml-kem-768',
  title: 'ML-KEM-768',
  description:
    'Key generation from a 64-byte seed (d‖z, as keys are stored), encapsulation to a raw 1184-byte public key, ' +
    'and decapsulation of a 1088-byte ciphertext with an expanded private key.',
  cases(env) {
    const seeds = Array.from({ length: POOL }, () => env.random.randomBytes(64));
    return env.kem.flatMap((kem) => {
      const { publicKey, privateKey } = kem.keyPairFromSeed(ALG, seeds[0] ?? env.random.randomBytes(64));
      const { encapsulatedKey } = kem.encapsulate(ALG, publicKey);
      let i = 0;
      return [
        {
          operation: 'keygen (from seed)',
          provider: kem.name,
          run: () => kem.keyPairFromSeed(ALG, seeds[i++ % POOL] as Uint8Array),
        },
        { operation: 'encapsulate', provider: kem.name, run: () => kem.encapsulate(ALG, publicKey) },
        { operation: 'decapsulate', provider: kem.name, run: () => kem.decapsulate(ALG, privateKey, encapsulatedKey) },
      ];
    });
  },
});
