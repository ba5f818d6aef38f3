/**
 * Write inputs with the declared types: each encrypted field of a model's `data` (and of the
 * nested writes inside it, per related model) takes the type it reads as, in place of the `String`
 * Prisma's generated input types give the column.
 */
import type { EncryptionManifest } from '../manifest.js';
import type { FieldSpecs, FieldTypesOf, IndexColumns, ModelRelations, UniqueFieldsOf } from './model.js';

/** What `update` takes for an encrypted field: the value, or Prisma's `{ set }` form of it. */
type UpdateValues<V> = { [F in keyof V]: V[F] | { set: V[F] } };

export type WriteMode = 'create' | 'update';

/**
 * What a write takes for each encrypted field: the type it reads as, less the legacy plaintext a
 * migration-mode column passes through on reads (writes always encrypt the declared type).
 */
type WriteFieldTypes<M extends EncryptionManifest, K extends string> = {
  [F in keyof FieldTypesOf<M, K>]: FieldSpecs<M, K>[F & keyof FieldSpecs<M, K>] extends {
    readonly migration: 'accept-plaintext';
    readonly type: 'number' | 'bigint' | 'boolean' | 'date' | 'bytes';
  }
    ? Exclude<FieldTypesOf<M, K>[F], string>
    : FieldTypesOf<M, K>[F];
};

type WriteValues<M extends EncryptionManifest, K extends string, Mode extends WriteMode> = Mode extends 'update'
  ? UpdateValues<WriteFieldTypes<M, K>>
  : WriteFieldTypes<M, K>;

/**
 * Prisma's write input for model K (an object, an XOR of checked and unchecked inputs, or an
 * array of them) with each encrypted field taking its declared type, through nested writes too:
 * a relation field's operations (`create`, `update`, `upsert`, `connectOrCreate`, `createMany`,
 * `updateMany`, and the `data` inside them) are retyped for the related model. `where` is left as
 * Prisma types it. The mapping keeps each field's optionality.
 *
 * With strict types (S) that is all an encrypted field takes, and an index column takes nothing
 * but `undefined`. Without, Prisma's own input type is accepted beside the declared one, so that
 * data typed with Prisma's generated types still fits (the extension checks values at run time).
 */
export type WriteInput<
  D,
  M extends EncryptionManifest,
  K extends string,
  Mode extends WriteMode,
  S extends boolean,
> = D extends readonly (infer E)[]
  ? WriteInput<E, M, K, Mode, S>[]
  : D extends object
    ? {
        [F in keyof D]: F extends keyof WriteFieldTypes<M, K>
          ? WriteValues<M, K, Mode>[F] | (S extends true ? never : D[F])
          : F extends IndexColumns<M, K>
            ? S extends true
              ? undefined
              : D[F]
            : F extends keyof ModelRelations<M, K>
              ? NestedWrites<D[F], M, ModelRelations<M, K>[F] & string, S>
              : F extends 'data'
                ? WriteInput<D[F], M, K, Mode, S>
                : F extends 'create'
                  ? WriteInput<D[F], M, K, 'create', S>
                  : F extends 'update'
                    ? WriteInput<D[F], M, K, 'update', S>
                    : D[F];
      }
    : D;

/**
 * A nested reference to a record of model K by an encrypted field with a unique blind index
 * (`connect: { email }`): the plaintext alone, which the extension turns into the index column.
 */
export type UniqueReference<M extends EncryptionManifest, K extends string> = UniqueReferenceOf<UniqueFieldsOf<M, K>>;
type UniqueReferenceOf<U> = { [F in keyof U]: { [P in F]: U[F] } }[keyof U];

/** Prisma's unique reference(s) in `connect`, or the encrypted field's. */
type ConnectInput<X, R> = X extends readonly (infer E)[] ? (E | R)[] : X | R;

type ConnectOrCreateInput<
  X,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = X extends readonly (infer E)[]
  ? ConnectOrCreateInput<E, M, K, S>[]
  : X extends object
    ? {
        [P in keyof X]: P extends 'where'
          ? X[P] | UniqueReference<M, K>
          : P extends 'create'
            ? WriteInput<X[P], M, K, 'create', S>
            : X[P];
      }
    : X;

/** A relation field's nested operations, for the related model K. */
type NestedWrites<N, M extends EncryptionManifest, K extends string, S extends boolean> = N extends object
  ? {
      [Op in keyof N]: Op extends 'create' | 'createMany'
        ? WriteInput<N[Op], M, K, 'create', S>
        : Op extends 'update' | 'updateMany' | 'upsert'
          ? WriteInput<N[Op], M, K, 'update', S>
          : Op extends 'connectOrCreate'
            ? ConnectOrCreateInput<N[Op], M, K, S>
            : Op extends 'connect'
              ? ConnectInput<N[Op], UniqueReference<M, K>>
              : N[Op];
    }
  : N;
