/**
 * What the extension's types read off a manifest's type, per model: its encrypted fields' types,
 * which of them have a (unique) blind index, its index columns and its relations. Names the
 * manifest's type does not spell out (a manifest typed as plain `EncryptionManifest`) give nothing.
 */
import type { EncryptedFieldTypes, ModelFields } from '../field-types.js';
import type { EncryptionManifest } from '../manifest.js';

export type FieldTypesOf<M extends EncryptionManifest, K extends string> = EncryptedFieldTypes<M>[Uncapitalize<K> &
  keyof EncryptedFieldTypes<M>];

export type FieldSpecs<M extends EncryptionManifest, K extends string> = ModelFields<M['models'][K]>;

/** Model K's encrypted fields that have a unique blind index, with their value types. */
export type UniqueFieldsOf<M extends EncryptionManifest, K extends string> = {
  [F in keyof FieldSpecs<M, K> & string as FieldSpecs<M, K>[F] extends { readonly index: { readonly unique: true } }
    ? F
    : never]: NonNullable<FieldTypesOf<M, K>[F & keyof FieldTypesOf<M, K>]>;
};

/** Model K's encrypted fields that have a blind index (equality, `in`, `notIn`, `not` work on them). */
export type IndexedFields<M extends EncryptionManifest, K extends string> = {
  [F in keyof FieldSpecs<M, K>]: FieldSpecs<M, K>[F] extends { readonly index: unknown } ? F : never;
}[keyof FieldSpecs<M, K>];

/**
 * Model K's blind-index columns: the extension fills them, and refuses a value written there.
 * Only names the manifest's type spells out (a literal); a name typed as any string is skipped.
 */
export type IndexColumns<M extends EncryptionManifest, K extends string> = {
  [F in keyof FieldSpecs<M, K>]: FieldSpecs<M, K>[F] extends { readonly index: infer I }
    ? LiteralName<I extends { readonly name: infer N } ? N : I>
    : never;
}[keyof FieldSpecs<M, K>];
type LiteralName<N> = N extends string ? (string extends N ? never : N) : never;

export type ModelRelations<M extends EncryptionManifest, K extends string> = M['models'][K] extends {
  readonly relations: infer R;
}
  ? R
  : Record<never, never>;
