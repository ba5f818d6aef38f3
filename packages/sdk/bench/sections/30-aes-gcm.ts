import { defineSection } from '../lib/types.js';

const SIZES = [
  { label: '32 B', bytes: 32 },
  { label: '1 KiB', bytes: 1024 },
];

export default defineSection({
  id: 'aes-256-gcm',
  title: 'AES-256-GCM',
  description:
    'Seal and open with a 12-byte nonce and 32 bytes of AAD: 32 B is a typical encrypted column (an email), ' +
    '1 KiB a small document. Each call sets the key up afresh, as the field engine does.',
  cases(env) {
    const key = env.random.randomBytes(32);
    const nonce = env.random.randomBytes(12);
    const aad = env.random.randomBytes(32);
    return env.aead.flatMap((aead) =>
      SIZES.flatMap(({ label, bytes }) => {
        const plaintext = env.random.randomBytes(bytes);
        const sealed = aead.seal(key, nonce, plaintext, aad);
        return [
          { operation: `seal ${label}`, provider: aead.name, run: () => aead.seal(key, nonce, plaintext, aad) },
          { operation: `open ${label}`, provider: aead.name, run: () => aead.open(key, nonce, sealed, aad) },
        ];
      }),
    );
  },
});
