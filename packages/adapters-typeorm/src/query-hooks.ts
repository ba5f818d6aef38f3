/**
 * Transparent finds. TypeORM has no "before find" event, but every repository, entity manager,
 * transaction and Active Record finder builds its query through `dataSource.createQueryBuilder`.
 * `registerQuantumApi` replaces that one method on the registered DataSource (an own property,
 * removed again by `close()`; no prototype or other DataSource is touched), and gives each builder
 * it returns hooked versions of the public methods that take object conditions:
 *
 * - `setFindOptions` (behind find, findBy, findOne(OrFail), count, exists...): `where` on
 *   encrypted properties rewritten to blind indexes, `order` on them refused;
 * - `where` / `andWhere` / `orWhere` with an object or array (behind update(criteria),
 *   delete(criteria), softDelete, restore and QueryBuilder object conditions);
 * - `update` / `delete` / `softDelete` / `restore` / `createQueryBuilder` (Brackets): the builders
 *   they return get the same treatment;
 * - `getQuery`: a SQL string condition comparing an encrypted column is refused
 *   (string-conditions.ts), and so is a select's ORDER BY an encrypted property.
 *
 * So `repo.findOneBy({ email })` finds the row, and `Like` on an encrypted column throws instead
 * of comparing plaintext to ciphertext and silently matching nothing. INSERT and UPDATE builders
 * also get the write guard (write-guard.ts), with or without rewriting.
 */
import { type DataSource, type EntityMetadata, InstanceChecker, type ObjectLiteral } from 'typeorm';
import { adapterOf } from './adapter.js';
import { assertNoEncryptedStringConditions } from './string-conditions.js';
import { assertSealedValues } from './write-guard.js';
import { assertNoEncryptedOrder, rewriteFindOptions, rewriteWhere } from './where.js';

type Method = (...args: unknown[]) => unknown;

/** The slice of a TypeORM query builder the hooks read. */
interface Builder {
  readonly dataSource: DataSource;
  readonly expressionMap: { readonly mainAlias?: { readonly hasMetadata: boolean; readonly metadata: EntityMetadata } };
}

const mainMetadata = (qb: Builder): EntityMetadata | undefined => {
  const alias = qb.expressionMap.mainAlias;
  return alias?.hasMetadata ? alias.metadata : undefined;
};

const isCondition = (w: unknown): w is ObjectLiteral =>
  typeof w === 'object' && w !== null && !InstanceChecker.isBrackets(w) && !InstanceChecker.isFindOperator(w);

/** An object (or array of objects) condition with its encrypted properties rewritten. */
const rewriteCondition = (qb: Builder, where: unknown): unknown => {
  if (!(Array.isArray(where) ? where.every(isCondition) : isCondition(where))) return where;
  const metadata = mainMetadata(qb);
  if (!metadata) return where;
  return rewriteWhere(adapterOf(qb.dataSource), metadata, where as ObjectLiteral);
};

type HookFactory = (original: Method) => Method;

const whereHook: HookFactory = (original) =>
  function (this: Builder, where: unknown, parameters?: unknown): unknown {
    return original.call(this, rewriteCondition(this, where), parameters);
  };

/** For methods returning another builder (update(), delete(), Brackets' createQueryBuilder()). */
const derivedHook: HookFactory = (original) =>
  function (this: Builder, ...args: unknown[]): unknown {
    const next = original.apply(this, args);
    if (next === this || typeof next !== 'object' || next === null) return next;
    // The derived builder gets the same treatment as this one (rewriting on or off).
    return hookBuilder(next, hookedProtos.get(Object.getPrototypeOf(this)) ?? true);
  };

/** Every builder: the builders it derives are hooked too (insert / update get the write guard). */
const DERIVING_HOOKS: Record<string, HookFactory> = {
  insert: derivedHook,
  update: derivedHook,
  delete: derivedHook,
  softDelete: derivedHook,
  restore: derivedHook,
  createQueryBuilder: derivedHook,
};

/** Checks run when the SQL is built, after every condition and ORDER BY has been added. */
const queryCheck =
  (check: (qb: Builder) => void): HookFactory =>
  (original) =>
    function (this: Builder): unknown {
      check(this);
      return original.call(this);
    };

const REWRITE_HOOKS: Record<string, HookFactory> = {
  ...DERIVING_HOOKS,
  where: whereHook,
  andWhere: whereHook,
  orWhere: whereHook,
  getQuery: queryCheck((qb) => assertNoEncryptedStringConditions(qb as never)),
};

const SELECT_HOOKS: Record<string, HookFactory> = {
  ...REWRITE_HOOKS,
  setFindOptions: (original) =>
    function (this: Builder, options: unknown): unknown {
      const metadata = mainMetadata(this);
      const o = options as ObjectLiteral;
      const next = metadata ? rewriteFindOptions(adapterOf(this.dataSource), metadata, o) : o;
      return original.call(this, next);
    },
  getQuery: queryCheck((qb) => {
    assertNoEncryptedOrder(qb as never);
    assertNoEncryptedStringConditions(qb as never);
  }),
};

/**
 * INSERT and UPDATE builders: the write guard runs when the SQL is built for a write whose
 * listeners are off, that is after any broadcast would have encrypted the values (execute()
 * broadcasts first, then builds the query). With listeners on, the subscriber has encrypted or
 * refused every value already, and `getSql()` on an unexecuted builder stays as it was.
 */
const writeGuard: HookFactory = (original) =>
  function (this: Builder & { expressionMap: { callListeners: boolean; valuesSet?: unknown } }): unknown {
    const metadata = mainMetadata(this);
    if (metadata && this.expressionMap.callListeners === false) {
      assertSealedValues(metadata, this.expressionMap.valuesSet);
    }
    return original.call(this);
  };

type Kind = 'select' | 'write' | 'other';

const factoriesFor = (kind: Kind, rewrite: boolean): Record<string, HookFactory> => {
  const base = rewrite ? (kind === 'select' ? SELECT_HOOKS : REWRITE_HOOKS) : DERIVING_HOOKS;
  return kind === 'write' ? { ...base, getQueryAndParameters: writeGuard } : base;
};

// One hooked prototype per builder class, inserted between the instance and its class: a
// builder is hooked with a single prototype switch instead of a property definition per method
// (which would cost ~1 µs each and push the object into dictionary mode on every insert).
const hookedFor = new Map<boolean, WeakMap<object, object>>([
  [true, new WeakMap()],
  [false, new WeakMap()],
]);
const hookedProtos = new WeakMap<object, boolean>();

const hookedPrototype = (proto: Record<string, unknown>, kind: Kind, rewrite: boolean): object => {
  const cache = hookedFor.get(rewrite)!;
  let hooked = cache.get(proto);
  if (!hooked) {
    hooked = Object.create(proto) as object;
    const factories = factoriesFor(kind, rewrite);
    for (const name in factories) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      Object.defineProperty(hooked, name, {
        value: factories[name]!(original as Method),
        configurable: true,
        writable: true,
      });
    }
    cache.set(proto, hooked);
    hookedProtos.set(hooked, rewrite);
  }
  return hooked;
};

const kindOf = (qb: object): Kind =>
  InstanceChecker.isSelectQueryBuilder(qb)
    ? 'select'
    : InstanceChecker.isInsertQueryBuilder(qb) || InstanceChecker.isUpdateQueryBuilder(qb)
      ? 'write'
      : 'other';

const hookBuilder = <Q extends object>(qb: Q, rewrite: boolean): Q => {
  const proto = Object.getPrototypeOf(qb) as Record<string, unknown>;
  if (hookedProtos.has(proto)) return qb;
  Object.setPrototypeOf(qb, hookedPrototype(proto, kindOf(qb), rewrite));
  return qb;
};

/**
 * Installs the hooks on one DataSource; the returned function removes them. Without `rewrite`
 * (`rewriteQueries: false`) conditions are left alone, but the write guard still runs.
 */
export const hookQueryBuilders = (dataSource: DataSource, rewrite = true): (() => void) => {
  const own = Object.getOwnPropertyDescriptor(dataSource, 'createQueryBuilder');
  const previous = dataSource.createQueryBuilder as unknown as Method;
  Object.defineProperty(dataSource, 'createQueryBuilder', {
    value: function (this: DataSource, ...args: unknown[]) {
      return hookBuilder(previous.apply(this, args) as object, rewrite);
    },
    configurable: true,
    writable: true,
    enumerable: false,
  });
  return () => {
    if (own) Object.defineProperty(dataSource, 'createQueryBuilder', own);
    else delete (dataSource as unknown as Record<string, unknown>).createQueryBuilder;
  };
};
