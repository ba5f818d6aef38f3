/**
 * The model methods the extension is typed as declaring: Prisma's own operations, whose
 * arguments take the declared types (writes.ts, filters.ts) and whose results are exactly what
 * Prisma's own signatures give. Prisma's typing lets a model method of an extension override the
 * built-in one of that name; at run time Prisma's methods run and the query hook rewrites their
 * arguments. `S` throughout is the `strictTypes` option: whether the arguments are only widened
 * (the default) or also narrowed to what the extension accepts at run time.
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
import type { EncryptionManifest } from '../manifest.js';
import type { EncryptedUniqueWhere, QueryArg } from './filters.js';
import type { FieldSpecs, ModelRelations } from './model.js';
import type { WriteInput, WriteMode } from './writes.js';

type CreateOperation = 'create' | 'createMany' | 'createManyAndReturn';
type UpdateOperation = 'update' | 'updateMany' | 'updateManyAndReturn';
type UniqueOperation = 'findUnique' | 'findUniqueOrThrow' | 'update' | 'upsert' | 'delete';
/** Operations whose arguments may be left out. */
type OptionalArgsOperation = 'findMany' | 'findFirst' | 'findFirstOrThrow' | 'count' | 'deleteMany';
/**
 * Retyped with strict types only: by default nothing in them needs widening, and Prisma's own
 * `groupBy` signature checks more (an `orderBy` field must be in `by`) than a retyping keeps.
 */
type AggregateOperation = 'aggregate' | 'groupBy';
type RetypedOperation =
  | CreateOperation
  | UpdateOperation
  | UniqueOperation
  | OptionalArgsOperation
  | AggregateOperation;

type DataMode<Op> = Op extends UpdateOperation ? 'update' : 'create';

/**
 * Prisma's arguments for the operation on model K (a homomorphic mapping: every key keeps its
 * optionality), each input the extension rewrites retyped.
 */
type OperationArgs<
  A,
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = {
  [P in keyof A]: P extends 'data'
    ? WriteInput<A[P], M, K, DataMode<Op>, S>
    : P extends 'create' | 'update'
      ? WriteInput<A[P], M, K, P & WriteMode, S>
      : QueryArg<P, A[P], M, K, S>;
};

type MethodArgs<
  T,
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = OperationArgs<Args<T, Op>, Op, M, K, S>;

/** The same with a unique `where` by an encrypted field with a unique blind index. */
type EncryptedUniqueArgs<
  T,
  Op extends UniqueOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = Omit<MethodArgs<T, Op, M, K, S>, 'where'> & {
  where: EncryptedUniqueWhere<NonNullable<Args<T, 'findFirst'>['where']>, M, K, S>;
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

// A is left unconstrained: with `A extends Args<T, Op>`, T being inferred in the same call, nested
// arguments (`include: { posts: { orderBy } }`) fall back to the constraint and the result type
// silently loses them. Exact still rejects anything the arguments do not allow.

type RequiredArgsMethod<
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = <T, A>(this: T, args: Exact<A, MethodArgs<T, Op, M, K, S>>) => OperationResult<T, A, Op>;

type OptionalArgsMethod<
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = <T, A = Record<never, never>>(this: T, args?: Exact<A, MethodArgs<T, Op, M, K, S>>) => OperationResult<T, A, Op>;

/** A unique operation: Prisma's unique `where`, or one naming an encrypted field with a unique index. */
interface UniqueMethod<Op extends UniqueOperation, M extends EncryptionManifest, K extends string, S extends boolean> {
  <T, A>(this: T, args: Exact<A, MethodArgs<T, Op, M, K, S>>): OperationResult<T, A, Op>;
  <T, A>(this: T, args: Exact<A, EncryptedUniqueArgs<T, Op, M, K, S>>): OperationResult<T, A, Op>;
}

type RetypedMethod<
  Op extends RetypedOperation,
  M extends EncryptionManifest,
  K extends string,
  S extends boolean,
> = Op extends UniqueOperation
  ? UniqueMethod<Op, M, K, S>
  : Op extends OptionalArgsOperation
    ? OptionalArgsMethod<Op, M, K, S>
    : RequiredArgsMethod<Op, M, K, S>;

/**
 * Prisma's internal shape for model-extension methods (`InternalArgs['model']`: a thunk each), for
 * every model with encrypted fields or relations to them.
 */
export type RetypedMethods<M extends EncryptionManifest, S extends boolean> = {
  [K in keyof M['models'] & string as keyof FieldSpecs<M, K> | keyof ModelRelations<M, K> extends never
    ? never
    : Uncapitalize<K>]: {
    [Op in Exclude<RetypedOperation, S extends true ? never : AggregateOperation>]: () => RetypedMethod<Op, M, K, S>;
  };
};
