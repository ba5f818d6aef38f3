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
 * - `getQuery` of a select: ORDER BY an encrypted property is refused.
 *
 * So `repo.findOneBy({ email })` finds the row, and `Like` on an encrypted column throws instead
 * of comparing plaintext to ciphertext and silently matching nothing.
 */
import { type DataSource, type EntityMetadata, InstanceChecker, type ObjectLiteral } from 'typeorm';
import { adapterOf } from './adapter.js';
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
    return next === this || typeof next !== 'object' || next === null ? next : hookBuilder(next);
  };

const HOOKS: Record<string, HookFactory> = {
  where: whereHook,
  andWhere: whereHook,
  orWhere: whereHook,
  update: derivedHook,
  delete: derivedHook,
  softDelete: derivedHook,
  restore: derivedHook,
  createQueryBuilder: derivedHook,
};

const SELECT_HOOKS: Record<string, HookFactory> = {
  ...HOOKS,
  setFindOptions: (original) =>
    function (this: Builder, options: unknown): unknown {
      const metadata = mainMetadata(this);
      const o = options as ObjectLiteral;
      const next = metadata ? rewriteFindOptions(adapterOf(this.dataSource), metadata, o) : o;
      return original.call(this, next);
    },
  getQuery: (original) =>
    function (this: Builder): unknown {
      assertNoEncryptedOrder(this as never);
      return original.call(this);
    },
};

// One hooked prototype per builder class, inserted between the instance and its class: a
// builder is hooked with a single prototype switch instead of a property definition per method
// (which would cost ~1 µs each and push the object into dictionary mode on every insert).
const hookedFor = new WeakMap<object, object>();
const hookedProtos = new WeakSet<object>();

const hookedPrototype = (proto: Record<string, unknown>, select: boolean): object => {
  let hooked = hookedFor.get(proto);
  if (!hooked) {
    hooked = Object.create(proto) as object;
    const factories = select ? SELECT_HOOKS : HOOKS;
    for (const name in factories) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      Object.defineProperty(hooked, name, {
        value: factories[name]!(original as Method),
        configurable: true,
        writable: true,
      });
    }
    hookedFor.set(proto, hooked);
    hookedProtos.add(hooked);
  }
  return hooked;
};

const hookBuilder = <Q extends object>(qb: Q): Q => {
  const proto = Object.getPrototypeOf(qb) as Record<string, unknown>;
  if (hookedProtos.has(proto)) return qb;
  Object.setPrototypeOf(qb, hookedPrototype(proto, InstanceChecker.isSelectQueryBuilder(qb)));
  return qb;
};

/** Installs the hooks on one DataSource; the returned function removes them. */
export const hookQueryBuilders = (dataSource: DataSource): (() => void) => {
  const own = Object.getOwnPropertyDescriptor(dataSource, 'createQueryBuilder');
  const previous = dataSource.createQueryBuilder as unknown as Method;
  Object.defineProperty(dataSource, 'createQueryBuilder', {
    value: function (this: DataSource, ...args: unknown[]) {
      return hookBuilder(previous.apply(this, args) as object);
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
