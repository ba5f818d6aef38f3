/**
 * Static types of encrypted fields. Prisma's generated client types an encrypted column as the
 * `String` it stores; the extension returns the declared type (a `Date`, a number, JSON...).
 * These types tell Prisma so: the extension is typed as if it declared a result field of that
 * type for each encrypted column, which Prisma's own typing lets override the scalar's type in
 * every result (find*, create*, include, select, nested relations).
 *
 * The types have no run-time part: decryption happens in the query hook, so Prisma never wraps
 * results in its computed-field proxies.
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

type ModelFields<S> = S extends { readonly fields: infer F } ? F : Record<never, never>;

type TypesFromSpecs<M extends EncryptionManifest> = {
  [K in keyof M['models'] & string as Uncapitalize<K>]: {
    [F in keyof ModelFields<M['models'][K]> & string]: SpecValue<ModelFields<M['models'][K]>[F]>;
  };
};

/** The field types of a manifest: the generator's when it emitted them, else derived from the specs. */
export type EncryptedFieldTypes<M extends EncryptionManifest> =
  M extends WithFieldTypes<infer T> ? (unknown extends T ? TypesFromSpecs<M> : T) : TypesFromSpecs<M>;

/**
 * Prisma's internal shape for result-extension fields (`InternalArgs['result']`: a thunk of each
 * field's `{ compute }`); Prisma reads the field's type off `compute`'s return type.
 */
type ResultFields<T> = {
  [K in keyof T]: { [P in keyof T[K]]: () => { compute: () => T[K][P] } };
};

/**
 * The extension as Prisma's `$extends` sees it: a function of the client whose extension args
 * declare the encrypted fields' types. `client` is `unknown` because any generated client fits.
 */
export type QuantumApiPrismaExtension<M extends EncryptionManifest> = (client: unknown) => {
  $extends: {
    extArgs: {
      result: ResultFields<EncryptedFieldTypes<M>>;
      model: Record<never, never>;
      query: Record<never, never>;
      client: Record<never, never>;
    };
  };
};

/**
 * A value for an encrypted column whose Prisma input type is the `String` it stores: a `Date`, a
 * number, JSON... which the extension encrypts as declared. An extension can retype Prisma's
 * results but not its inputs, so this names the cast. Identity at run time: without the extension
 * Prisma itself refuses a non-string for a String column, so nothing is stored as is.
 */
export const encryptedInput = (value: FieldValueOf[FieldValueType]): string => value as unknown as string;
