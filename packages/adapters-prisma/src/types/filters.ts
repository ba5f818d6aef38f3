/**
 * Query inputs as the extension can answer them. A blind index answers equality, so a filter on an
 * encrypted column takes its value, `equals`, `in`, `notIn` and `not`; one without an index only
 * null checks; `orderBy`, `distinct` and a `groupBy`'s `by`, `having` and value aggregates
 * (`_min`, `_max`, `_avg`, `_sum`) leave encrypted columns out. What the query hook refuses
 * at run time (`contains`, `gt`, ordering by ciphertext...) is then a type error too, also in the
 * arguments of a relation read through `include` / `select`.
 */
import type { EncryptionManifest } from '../manifest.js';
import type { FieldTypesOf, IndexedFields, ModelRelations, UniqueFieldsOf } from './model.js';
import type { UniqueReference } from './writes.js';

/** A filter on an encrypted column with a blind index. */
type IndexedFilter<V> = V | null | { equals?: V | null; in?: V[]; notIn?: V[]; not?: IndexedFilter<V> };

/** A filter on an encrypted column without one: the ciphertext only tells whether a value is there. */
type PresenceFilter = null | { equals?: null; not?: null };

type FieldFilter<M extends EncryptionManifest, K extends string, F> =
  F extends IndexedFields<M, K>
    ? IndexedFilter<NonNullable<FieldTypesOf<M, K>[F & keyof FieldTypesOf<M, K>]>>
    : PresenceFilter;

/** Keys whose value is a filter on the same model (combinators, and relation filters' operators). */
type SameModelKey = 'AND' | 'OR' | 'NOT' | 'some' | 'every' | 'none' | 'is' | 'isNot';

/**
 * Prisma's `where` for model K (or an array, an XOR, a relation filter of them) with each
 * encrypted column's filter narrowed as above, through `AND`/`OR`/`NOT` and relation filters.
 */
export type Filters<W, M extends EncryptionManifest, K extends string> = W extends readonly (infer E)[]
  ? Filters<E, M, K>[]
  : W extends object
    ? {
        [F in keyof W]: F extends keyof FieldTypesOf<M, K>
          ? FieldFilter<M, K, F>
          : F extends keyof ModelRelations<M, K>
            ? Filters<W[F], M, ModelRelations<M, K>[F] & string>
            : F extends SameModelKey
              ? Filters<W[F], M, K>
              : W[F];
      }
    : W;

/** Keys F of model K that are not encrypted columns: what orderBy, distinct, by, having... keep. */
type Unencrypted<F, M extends EncryptionManifest, K extends string> = Exclude<F, keyof FieldTypesOf<M, K>>;

/** Aggregates that read column values; a `_count` only tells whether one is there. */
type ValueAggregate = '_min' | '_max' | '_avg' | '_sum';

/** An object keyed by model K's columns (an aggregate's selection) without the encrypted ones. */
type WithoutEncrypted<X, M extends EncryptionManifest, K extends string> = X extends object
  ? { [F in keyof X as Unencrypted<F, M, K>]: X[F] }
  : X;

/**
 * Prisma's `orderBy` for model K without its encrypted columns (ciphertexts have no useful order),
 * also inside the aggregates a `groupBy` orders by.
 */
export type OrderBy<O, M extends EncryptionManifest, K extends string> = O extends readonly (infer E)[]
  ? OrderBy<E, M, K>[]
  : O extends object
    ? {
        [F in keyof O as Unencrypted<F, M, K>]: F extends keyof ModelRelations<M, K>
          ? OrderBy<O[F], M, ModelRelations<M, K>[F] & string>
          : F extends ValueAggregate
            ? WithoutEncrypted<O[F], M, K>
            : O[F];
      }
    : O;

/** A `groupBy`'s `having` without encrypted columns, through `AND` / `OR` / `NOT`. */
type Having<H, M extends EncryptionManifest, K extends string> = H extends readonly (infer E)[]
  ? Having<E, M, K>[]
  : H extends object
    ? {
        [F in keyof H as Unencrypted<F, M, K>]: F extends 'AND' | 'OR' | 'NOT' ? Having<H[F], M, K> : H[F];
      }
    : H;

/** Prisma's `distinct` for model K without its encrypted columns (every ciphertext is distinct). */
export type Distinct<D, M extends EncryptionManifest, K extends string> = D extends readonly (infer E)[]
  ? Unencrypted<E, M, K>[]
  : Unencrypted<D, M, K>;

/**
 * A unique `where` by one encrypted field with a unique blind index: its plaintext (or
 * `{ equals }`), which the extension turns into the index column, plus any other filters.
 */
export type EncryptedUniqueWhere<W, M extends EncryptionManifest, K extends string, S extends boolean> = {
  [F in keyof UniqueFieldsOf<M, K>]: Omit<S extends true ? Filters<W, M, K> : W, F> & {
    [P in F]: UniqueFieldsOf<M, K>[F] | { equals: UniqueFieldsOf<M, K>[F] };
  };
}[keyof UniqueFieldsOf<M, K>];

/**
 * One argument of a read of model K (or of a relation read inside `include` / `select`). With
 * strict types the filters, `orderBy`, `distinct` and the aggregate arguments are narrowed as
 * above; without, they are Prisma's own, so that arguments typed with Prisma's generated types
 * still fit. A `cursor` by an encrypted unique column is accepted either way.
 */
export type QueryArg<P, V, M extends EncryptionManifest, K extends string, S extends boolean> = P extends 'cursor'
  ? V | UniqueReference<M, K>
  : S extends false
    ? V
    : P extends 'where'
      ? Filters<V, M, K>
      : P extends 'orderBy'
        ? OrderBy<V, M, K>
        : P extends 'distinct' | 'by'
          ? Distinct<V, M, K>
          : P extends ValueAggregate
            ? WithoutEncrypted<V, M, K>
            : P extends 'having'
              ? Having<V, M, K>
              : P extends 'include' | 'select'
                ? Selection<V, M, K>
                : V;

/** `include` / `select` of model K: each relation's arguments (and `_count`'s) as a read of its model. */
type Selection<X, M extends EncryptionManifest, K extends string> = X extends object
  ? {
      [R in keyof X]: R extends keyof ModelRelations<M, K>
        ? RelationRead<X[R], M, ModelRelations<M, K>[R] & string>
        : R extends '_count'
          ? RelationRead<X[R], M, K>
          : X[R];
    }
  : X;

/** A relation's `true` or its arguments (`{ where, orderBy, select, ... }`), for the related model K. */
type RelationRead<X, M extends EncryptionManifest, K extends string> = X extends object
  ? { [P in keyof X]: QueryArg<P, X[P], M, K, true> }
  : X;
