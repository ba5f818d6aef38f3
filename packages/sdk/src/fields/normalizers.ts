/**
 * Versioned normalizers for blind indexes. A normalizer's id is part of the index definition:
 * changing how values are normalized means a new index version (old rows are re-indexed), because
 * the same person's email must always produce the same index bytes.
 */
import { FieldConfigError } from './errors.js';

export interface Normalizer {
  /** Stable id, e.g. "trim@1". Custom normalizers choose their own and bump it on any change. */
  readonly id: string;
  readonly apply: (value: string) => string;
}

const builtin = (id: string, apply: (s: string) => string): Normalizer => Object.freeze({ id, apply });

export const NORMALIZERS = Object.freeze({
  trim: builtin('trim@1', (s) => s.trim()),
  lowercase: builtin('lowercase@1', (s) => s.toLowerCase()),
  nfc: builtin('nfc@1', (s) => s.normalize('NFC')),
  nfkc: builtin('nfkc@1', (s) => s.normalize('NFKC')),
  collapseWhitespace: builtin('collapse-whitespace@1', (s) => s.replace(/\s+/gu, ' ')),
  removeWhitespace: builtin('remove-whitespace@1', (s) => s.replace(/\s+/gu, '')),
  /** Phone numbers: keep digits and a leading "+". */
  phone: builtin('phone@1', (s) => {
    const t = s.trim();
    return (t.startsWith('+') ? '+' : '') + t.replace(/\D+/g, '');
  }),
});

export type NormalizerName = keyof typeof NORMALIZERS;

/** NFC first so that composed and decomposed forms of the same text index alike. */
export const DEFAULT_NORMALIZERS: readonly NormalizerName[] = Object.freeze(['nfc', 'trim', 'lowercase']);

export const resolveNormalizers = (spec: readonly (NormalizerName | Normalizer)[] | undefined): Normalizer[] =>
  (spec ?? DEFAULT_NORMALIZERS).map((n) => {
    if (typeof n === 'string') {
      const found = (NORMALIZERS as Record<string, Normalizer>)[n];
      if (!found) throw new FieldConfigError(`unknown normalizer ${n}`, { details: { normalizer: n } });
      return found;
    }
    if (typeof n.apply !== 'function' || typeof n.id !== 'string' || n.id.length === 0) {
      throw new FieldConfigError('a custom normalizer needs a non-empty id and an apply function');
    }
    return n;
  });

export const applyNormalizers = (normalizers: readonly Normalizer[], value: string): string => {
  let out = value;
  for (const n of normalizers) out = n.apply(out);
  return out;
};
