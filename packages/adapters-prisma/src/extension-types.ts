/**
 * The extension as Prisma's typing sees it. It has no run-time part: decryption and the rewriting
 * of arguments happen in the query hook, so Prisma never wraps results in its computed-field
 * proxies and its own methods run.
 *
 * - Results: the extension is typed as if it declared a result field of each encrypted column's
 *   type, which Prisma's typing lets override the scalar's type in every result (find*, create*,
 *   include, select, nested relations).
 * - Inputs and unique lookups: it is typed as if it declared model methods `create`, `update`,
 *   `findUnique`... whose `data` takes the declared types (nested writes included) and whose
 *   unique `where` may name an encrypted column with a unique blind index; Prisma's typing lets
 *   model methods override its own signatures.
 */
import type {
  Args,
  DynamicModelExtensionFnResult,
  DynamicModelExtensionFnResultNull,
  DynamicModelExtensionThis,
  Exact,
  PrismaPromise,
  Result,
  TypeMapDef,
} from '@prisma/client/runtime/client';
import type { EncryptedFieldTypes, ModelFields } from './field-types.js';
import type { EncryptionManifest } from './manifest.js';

/**
 * Prisma's internal shape for result-extension fields (`InternalArgs['result']`: a thunk of each
 * field's `{ compute }`); Prisma reads the field's type off `compute`'s return type.
 */
type ResultFields<T> = {
  [K in keyof T]: { [P in keyof T[K]]: () => { compute: () => T[K][P] } };
};

type FieldTypesOf<M extends EncryptionManifest, K extends string> = EncryptedFieldTypes<M>[Uncapitalize<K> &
  keyof EncryptedFieldTypes<M>];

/** Per model property, its encrypted fields that have a unique blind index, with their value types. */
type UniqueLookupFields<M extends EncryptionManifest> = {
  [K in keyof M['models'] & string as Uncapitalize<K>]: {
    [F in keyof ModelFields<M['models'][K]> & string as ModelFields<M['models'][K]>[F] extends {
      readonly index: { readonly unique: true };
    }
      ? F
      : never]: NonNullable<FieldTypesOf<M, K>[F & keyof FieldTypesOf<M, K>]>;
  };
};

/**
 * A unique `where` by one encrypted field: its plaintext (or `{ equals }`), which the extension
 * turns into the unique blind-index column, plus any other filters a `findFirst` would take.
 */
type EncryptedUniqueWhere<T, U> = {
  [F in keyof U]: Omit<NonNullable<Args<T, 'findFirst'>['where']>, F> & { [P in F]: U[F] | { equals: U[F] } };
}[keyof U];

/** What `update` takes for an encrypted field: the value, or Prisma's `{ set }` form of it. */
type UpdateValues<V> = { [F in keyof V]: V[F] | { set: V[F] } };

type WriteMode = 'create' | 'update';

type ModelRelations<M extends EncryptionManifest, K extends string> = M['models'][K] extends {
  readonly relations: infer R;
}
  ? R
  : Record<never, never>;

/**
 * What a write takes for each encrypted field: the type it reads as, less the legacy plaintext a
 * migration-mode column passes through on reads (writes always encrypt the declared type).
 */
type WriteFieldTypes<M extends EncryptionManifest, K extends string> = {
  [F in keyof FieldTypesOf<M, K>]: ModelFields<M['models'][K]>[F & keyof ModelFields<M['models'][K]>] extends {
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
 * Model K's blind-index columns: the extension fills them, and refuses a value written there.
 * Only names the manifest's type spells out (a literal); a name typed as any string is skipped.
 */
type IndexColumns<M extends EncryptionManifest, K extends string> = {
  [F in keyof ModelFields<M['models'][K]>]: ModelFields<M['models'][K]>[F] extends { readonly index: infer I }
    ? LiteralName<I extends { readonly name: infer N } ? N : I>
    : never;
}[keyof ModelFields<M['models'][K]>];
type LiteralName<N> = N extends string ? (string extends N ? never : N) : never;

/**
 * Prisma's write input for model K (an object, an XOR of checked and unchecked inputs, or an
 * array of them) with each encrypted field taking its declared type, through nested writes too:
 * a relation field's operations (`create`, `update`, `upsert`, `connectOrCreate`, `createMany`,
 * `updateMany`, and the `data` inside them) are retyped for the related model. Index columns
 * take nothing but `undefined`. `where` is left as Prisma types it. The mapping keeps each field's
 * optionality.
 */
type WriteInput<
  D,
  M extends EncryptionManifest,
  K extends string,
  Mode extends WriteMode,
> = D extends readonly (infer E)[]
  ? WriteInput<E, M, K, Mode>[]
  : D extends object
    ? {
        [F in keyof D]: F extends keyof WriteFieldTypes<M, K>
          ? WriteValues<M, K, Mode>[F]
          : F extends IndexColumns<M, K>
            ? undefined
            : F extends keyof ModelRelations<M, K>
              ? NestedWrites<D[F], M, ModelRelations<M, K>[F] & string>
              : F extends 'data'
                ? WriteInput<D[F], M, K, Mode>
                : F extends 'create'
                  ? WriteInput<D[F], M, K, 'create'>
                  : F extends 'update'
                    ? WriteInput<D[F], M, K, 'update'>
                    : D[F];
      }
    : D;

/**
 * A nested reference to a record of model K by an encrypted field with a unique blind index
 * (`connect: { email }`): the plaintext alone, which the extension turns into the index column.
 */
type UniqueReference<M extends EncryptionManifest, K extends string> = UniqueReferenceOf<
  UniqueLookupFields<M>[Uncapitalize<K> & keyof UniqueLookupFields<M>]
>;
type UniqueReferenceOf<U> = { [F in keyof U]: { [P in F]: U[F] } }[keyof U];

/** Prisma's unique reference(s) in `connect`, or the encrypted field's. */
type ConnectInput<X, R> = X extends readonly (infer E)[] ? (E | R)[] : X | R;

type ConnectOrCreateInput<X, M extends EncryptionManifest, K extends string> = X extends readonly (infer E)[]
  ? ConnectOrCreateInput<E, M, K>[]
  : X extends object
    ? {
        [P in keyof X]: P extends 'where'
          ? X[P] | UniqueReference<M, K>
          : P extends 'create'
            ? WriteInput<X[P], M, K, 'create'>
            : X[P];
      }
    : X;

/** A relation field's nested operations, for the related model K. */
type NestedWrites<N, M extends EncryptionManifest, K extends string> = N extends object
  ? {
      [Op in keyof N]: Op extends 'create' | 'createMany'
        ? WriteInput<N[Op], M, K, 'create'>
        : Op extends 'update' | 'updateMany' | 'upsert'
          ? WriteInput<N[Op], M, K, 'update'>
          : Op extends 'connectOrCreate'
            ? ConnectOrCreateInput<N[Op], M, K>
            : Op extends 'connect'
              ? ConnectInput<N[Op], UniqueReference<M, K>>
              : N[Op];
    }
  : N;

type CreateOperation = 'create' | 'createMany' | 'createManyAndReturn';
type UpdateOperation = 'update' | 'updateMany' | 'updateManyAndReturn';
type UniqueOperation = 'findUnique' | 'findUniqueOrThrow' | 'update' | 'upsert' | 'delete';
type RetypedOperation = CreateOperation | UpdateOperation | UniqueOperation;

/** The operation's arguments with the encrypted fields of what it writes taking their declared types. */
type WriteArgs<
  T,
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
> = Op extends CreateOperation
  ? Omit<Args<T, Op>, 'data'> & { data: WriteInput<Args<T, Op>['data'], M, K, 'create'> }
  : Op extends UpdateOperation
    ? Omit<Args<T, Op>, 'data'> & { data: WriteInput<Args<T, Op>['data'], M, K, 'update'> }
    : Op extends 'upsert'
      ? Omit<Args<T, Op>, 'create' | 'update'> & {
          create: WriteInput<Args<T, Op>['create'], M, K, 'create'>;
          update: WriteInput<Args<T, Op>['update'], M, K, 'update'>;
        }
      : Args<T, Op>;

/** The same with a unique `where` by an encrypted field. */
type EncryptedUniqueArgs<T, Op extends UniqueOperation, M extends EncryptionManifest, K extends string, U> = Omit<
  WriteArgs<T, Op, M, K>,
  'where'
> & {
  where: EncryptedUniqueWhere<T, U>;
};

/**
 * What Prisma's own signature returns for the operation: its result type with `select`, `include`,
 * `omit` and the client's global `omit`, and the fluent relation accessors. The model's type map is
 * read off the delegate the method is called on, which Prisma types as `DynamicModelExtensionThis`.
 * Where that fails (the delegate's Prisma types are another copy than the ones imported here), the
 * result falls back to Prisma's structural `Result`: same fields, no global `omit` nor fluent calls.
 */
type OperationResult<T, A, Op extends RetypedOperation> =
  T extends DynamicModelExtensionThis<infer TypeMap extends TypeMapDef, infer Model extends PropertyKey, infer _ExtArgs>
    ? PropertyKey extends Model
      ? PrismaPromise<Result<T, A, Op>>
      : DynamicModelExtensionFnResult<TypeMap, Model, A, Op, DynamicModelExtensionFnResultNull<Op>>
    : PrismaPromise<Result<T, A, Op>>;

/** A write operation: Prisma's own signature with `data` taking the declared types. */
type WriteMethod<Op extends RetypedOperation, M extends EncryptionManifest, K extends string> = <T, A>(
  this: T,
  // A is left unconstrained: with `A extends Args<T, Op>`, T being inferred in the same call,
  // nested arguments (`include: { posts: { orderBy } }`) fall back to the constraint and the
  // result type silently loses them. Exact still rejects anything the arguments do not allow.
  args: Exact<A, WriteArgs<T, Op, M, K>>,
) => OperationResult<T, A, Op>;

/**
 * A unique operation: the same, and a second signature whose `where` names an encrypted field
 * with a unique blind index instead of a unique column.
 */
interface UniqueMethod<Op extends UniqueOperation, M extends EncryptionManifest, K extends string, U> {
  <T, A>(this: T, args: Exact<A, WriteArgs<T, Op, M, K>>): OperationResult<T, A, Op>;
  <T, A>(this: T, args: Exact<A, EncryptedUniqueArgs<T, Op, M, K, U>>): OperationResult<T, A, Op>;
}

type RetypedMethod<
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  U,
> = Op extends UniqueOperation ? UniqueMethod<Op, M, K, U> : WriteMethod<Op, M, K>;

/**
 * Prisma's internal shape for model-extension methods (`InternalArgs['model']`: a thunk each), for
 * every model with encrypted fields. Types only: at run time Prisma's own methods run and the query
 * hook rewrites their arguments.
 */
type RetypedMethods<M extends EncryptionManifest> = {
  [K in keyof M['models'] & string as keyof ModelFields<M['models'][K]> | keyof ModelRelations<M, K> extends never
    ? never
    : Uncapitalize<K>]: {
    [Op in RetypedOperation]: () => RetypedMethod<
      Op,
      M,
      K,
      UniqueLookupFields<M>[Uncapitalize<K> & keyof UniqueLookupFields<M>]
    >;
  };
};

/**
 * The extension as Prisma's `$extends` sees it: a function of the client whose extension args
 * declare the encrypted fields' types. `client` is `unknown` because any generated client fits.
 */
export type QuantumApiPrismaExtension<M extends EncryptionManifest> = (client: unknown) => {
  $extends: {
    extArgs: {
      result: ResultFields<EncryptedFieldTypes<M>>;
      model: RetypedMethods<M>;
      query: Record<never, never>;
      client: Record<never, never>;
    };
  };
};
