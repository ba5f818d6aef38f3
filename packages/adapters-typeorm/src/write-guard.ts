/**
 * The last check before an INSERT or UPDATE reaches the database: every encrypted property the
 * query writes must hold a field ciphertext (or null). The subscriber encrypts what TypeORM
 * broadcasts; a write with listeners turned off (`save(x, { listeners: false })`,
 * `.callListeners(false)`) is not broadcast, and would otherwise store the plaintext. TypeORM's own
 * save path also builds its queries with listeners off (it broadcasts by itself, earlier), so the
 * guard sees those too: their values are ciphertexts by then.
 */
import { looksLikeFieldCiphertext } from '@quantumapi/sdk/fields';
import type { EntityMetadata, ObjectLiteral } from 'typeorm';
import { resolveEntity, unsupported } from './model.js';

const sealed = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && looksLikeFieldCiphertext(v));

/** Throws FIELD_UNSUPPORTED_OPERATION naming the column when a value set carries a plaintext. */
export const assertSealedValues = (metadata: EntityMetadata, valuesSet: unknown): void => {
  const model = resolveEntity(metadata);
  if (!model || typeof valuesSet !== 'object' || valuesSet === null) return;
  const sets = (Array.isArray(valuesSet) ? valuesSet : [valuesSet]) as ObjectLiteral[];
  for (const f of model.fields.values()) {
    for (const set of sets) {
      if (!sealed(set?.[f.property])) {
        throw unsupported(
          f,
          'writing a value that was not encrypted',
          'the write bypassed the subscriber (listeners turned off?); nothing was written',
        );
      }
    }
  }
};
