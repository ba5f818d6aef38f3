/**
 * Result decryption: walks a result tree (records, arrays, included relations), decrypts every
 * encrypted column in one bulk call per migration mode, and restores the declared types.
 * Fails closed: a value that is not a valid ciphertext throws (unless its column is in migration mode).
 */
import type { DecryptItem, FieldEngine, FieldValueType } from '@quantumapi/sdk/fields';
import type { ResolvedManifest, ResolvedModel } from './manifest.js';
import { type Args, isPlainObject } from './shapes.js';

interface Slot {
  obj: Args;
  key: string;
}

export const decryptResult = async (
  manifest: ResolvedManifest,
  engine: FieldEngine,
  model: ResolvedModel,
  result: unknown,
): Promise<unknown> => {
  const strict: { items: DecryptItem<FieldValueType>[]; slots: Slot[] } = { items: [], slots: [] };
  const lenient: typeof strict = { items: [], slots: [] };

  const visit = (m: ResolvedModel, node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(m, n);
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (v === null || v === undefined) continue;
      const f = m.fields.get(k);
      if (f) {
        const bucket = f.migration ? lenient : strict;
        bucket.items.push({ ciphertext: v as string, location: f.location, type: f.type });
        bucket.slots.push({ obj: node, key: k });
        continue;
      }
      const target = m.relations.get(k);
      if (target) visit(manifest.models.get(target)!, v);
    }
  };
  visit(model, result);

  for (const [bucket, opts] of [
    [strict, {}],
    [lenient, { migration: 'accept-plaintext' as const }],
  ] as const) {
    if (bucket.items.length === 0) continue;
    const values = await engine.decryptMany(bucket.items, opts);
    for (let i = 0; i < values.length; i++) {
      const s = bucket.slots[i]!;
      s.obj[s.key] = values[i];
    }
  }
  return result;
};
