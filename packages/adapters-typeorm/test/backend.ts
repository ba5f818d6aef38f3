/** The lead's local engine as the key backend, with its calls counted (real crypto, memory store). */
import { QuantumApiClient } from '@quantumapi/sdk';
import type { FieldKeyBackend } from '@quantumapi/sdk/fields';

export interface CountingBackend extends FieldKeyBackend {
  readonly calls: { generateDataKey: number; unwrapKey: number };
}

export const localBackend = async (): Promise<CountingBackend> => {
  const client = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
  const enc = client.backend.encryption;
  await enc.createKey({ algorithm: 'ML-KEM-768', setAsDefault: true });
  const calls = { generateDataKey: 0, unwrapKey: 0 };
  return {
    calls,
    generateDataKey: (input) => {
      calls.generateDataKey++;
      return enc.generateDataKey(input);
    },
    unwrapKey: (wrapped) => {
      calls.unwrapKey++;
      return enc.unwrapKey(wrapped);
    },
  };
};
