/**
 * Static types of encrypted fields. Prisma's generated client types an encrypted column as the
 * `String` it stores; the extension reads and writes the declared type (a `Date`, a number,
 * JSON...). The generator emits these types per model; for a hand-written manifest they are
 * derived from the specs. `extension-types.ts` puts them on Prisma's results and inputs.
 */
import type { FieldValueOf, FieldValueType } from '@quantumapi/sdk/fields';
import type { EncryptionManifest } from './manifest.js';

/**
 * Per Prisma model property (`user` for model `User`), the type each encrypted field reads as.
 * The generator emits it with each column's nullability.
 */
export type FieldTypeMap = { readonly [modelProp: string]: { readonly [field: string]: unknown } };

/**
 * A manifest whose generator-emitted field types ride along with it, on a phantom property that is
 * never set at run time (the manifest stays a plain object literal).
 */
export interface WithFieldTypes<T extends FieldTypeMap> {
  readonly '~quantumapiFieldTypes'?: T;
}

type DeclaredType<S> = S extends { readonly type: infer T extends FieldValueType } ? T : 'string';

/**
 * One field's type from its spec alone (hand-written manifests): nullable, since the manifest does
 * not say whether the column is; legacy plaintext passes through as the stored string while a
 * column is in migration mode.
 */
type SpecValue<S> =
  | FieldValueOf[DeclaredType<S>]
  | null
  | (S extends { readonly migration: 'accept-plaintext' } ? string : never);

export type ModelFields<S> = S extends { readonly fields: infer F } ? F : Record<never, never>;

type TypesFromSpecs<M extends EncryptionManifest> = {
  [K in keyof M['models'] & string as Uncapitalize<K>]: {
    [F in keyof ModelFields<M['models'][K]> & string]: SpecValue<ModelFields<M['models'][K]>[F]>;
  };
};

/** The field types of a manifest: the generator's when it emitted them, else derived from the specs. */
export type EncryptedFieldTypes<M extends EncryptionManifest> =
  M extends WithFieldTypes<infer T> ? (unknown extends T ? TypesFromSpecs<M> : T) : TypesFromSpecs<M>;

/**
 * A value for an encrypted column typed as both its declared type and the `String` Prisma's own
 * input types expect: for code typed against the client without the extension. The extended
 * client's `data` (nested writes included) takes the declared types as they are. Identity at run
 * time: without the extension Prisma itself refuses a non-string for a String column, so nothing
 * is stored as is.
 */
export const encryptedInput = <V extends FieldValueOf[FieldValueType]>(value: V): V & string => value as V & string;
