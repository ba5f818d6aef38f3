/**
 * Result decryption: walks a result tree (records, arrays, included relations), decrypts every
 * encrypted column in one bulk call per migration mode, and restores the declared types.
 * Fails closed: a value that is not a valid ciphertext throws (unless its column is in migration mode).
 */
import type { DecryptItem, FieldEngine, FieldValueType } from '@quantumapi/sdk/fields';
import type { ResolvedManifest, ResolvedModel } from './manifest.js';
import { type Args, isPlainObject } from './shapes.js';

export const decryptResult = async (
  manifest: ResolvedManifest,
  engine: FieldEngine,
  model: ResolvedModel,
  result: unknown,
): Promise<unknown> => {
  // Where each decrypted value goes back: parallel arrays (row object, column name), no per-field slot objects.
  const strict: { items: DecryptItem<FieldValueType>[]; rows: Args[]; keys: string[] } = {
    items: [],
    rows: [],
    keys: [],
  };
  const lenient: typeof strict = { items: [], rows: [], keys: [] };

  const visit = (m: ResolvedModel, node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(m, n);
      return;
    }
    if (!isPlainObject(node)) return;
    // Walk the model's declared columns, not the row's keys: no entries array per row.
    for (const f of m.fields.values()) {
      const v = node[f.field];
      if (v === null || v === undefined) continue;
      const bucket = f.migration ? lenient : strict;
      bucket.items.push({ ciphertext: v as string, location: f.location, type: f.type });
      bucket.rows.push(node);
      bucket.keys.push(f.field);
    }
    for (const [rel, target] of m.relations) {
      const v = node[rel];
      if (v !== null && v !== undefined) visit(manifest.models.get(target)!, v);
    }
  };
  visit(model, result);

  for (const [bucket, opts] of [
    [strict, {}],
    [lenient, { migration: 'accept-plaintext' as const }],
  ] as const) {
    if (bucket.items.length === 0) continue;
    const values = await engine.decryptMany(bucket.items, opts);
    for (let i = 0; i < values.length; i++) bucket.rows[i]![bucket.keys[i]!] = values[i];
  }
  return result;
};
