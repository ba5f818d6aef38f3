/**
 * Find helpers: equality-style conditions on encrypted properties become conditions on their
 * blind-index properties (values, `Equal`, `In`, `Not`, `Or`/`And` of those, `IsNull`). Anything
 * an index cannot answer (`Like`, `ILike`, `MoreThan`, `Between`, `Raw`, ordering) throws
 * FieldUnsupportedOperationError naming the column instead of silently matching nothing: an
 * unrewritten condition on an encrypted column would compare against ciphertext.
 */
import { InvalidInputError } from '@quantumapi/sdk';
import {
  And,
  type EntityMetadata,
  type FindManyOptions,
  type FindOneOptions,
  FindOperator,
  type FindOptionsWhere,
  In,
  InstanceChecker,
  Not,
  type ObjectLiteral,
  Or,
  type Repository,
  type SelectQueryBuilder,
  type WhereExpressionBuilder,
} from 'typeorm';
import { adapterOf, type QuantumApiAdapter } from './adapter.js';
import type { ResolvedField } from './model.js';
import { unsupported } from './model.js';

/** An Active Record class (`User extends BaseEntity`, with its static getRepository()). */
export type ActiveRecordClass<E extends ObjectLiteral> = (abstract new (
  ...args: never[]
) => E) & {
  getRepository(): unknown;
};

/** A repository, or an Active Record class. */
export type RepositoryLike<E extends ObjectLiteral> = Repository<E> | ActiveRecordClass<E>;

const repoOf = <E extends ObjectLiteral>(r: RepositoryLike<E>): Repository<E> =>
  typeof r === 'function' ? (r.getRepository() as Repository<E>) : r;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** TypeORM's helper name for an operator type, as the application wrote it (`Like`, `MoreThan`). */
const operatorName = (type: string): string =>
  type === 'ilike' ? 'ILike' : `${type.charAt(0).toUpperCase()}${type.slice(1)}`;

/** Result of rewriting one condition: on the index property, or kept on the source property. */
type Target = { on: 'index'; cond: unknown } | { on: 'source'; cond: unknown };

/**
 * Equality with one value: its index value, or, while a re-index runs (`previousVersions`), `In`
 * the values under the current and previous versions, so rows not yet re-indexed still match.
 */
const equalTo = (a: QuantumApiAdapter, f: ResolvedField, v: unknown): unknown => {
  const values = a.lookupValues(f, v);
  return values.length === 1 ? values[0] : In(values);
};

const rewriteOperand = (a: QuantumApiAdapter, f: ResolvedField, v: unknown): Target => {
  if (v === null) return { on: 'source', cond: null };
  if (!InstanceChecker.isFindOperator(v)) return { on: 'index', cond: equalTo(a, f, v) };
  const op = v as FindOperator<unknown>;
  switch (op.type) {
    case 'isNull':
      return { on: 'source', cond: op };
    case 'equal':
      return { on: 'index', cond: equalTo(a, f, op.value) };
    case 'in': {
      const values = op.value;
      if (!Array.isArray(values)) throw unsupported(f, 'In', 'expects an array');
      return { on: 'index', cond: In(values.filter((x) => x !== null).flatMap((x) => a.lookupValues(f, x))) };
    }
    case 'not': {
      const inner = rewriteOperand(a, f, op.child ?? op.value);
      return { on: inner.on, cond: Not(inner.cond) };
    }
    case 'or':
    case 'and': {
      const parts = (op.value as unknown as unknown[]).map((x) => rewriteOperand(a, f, x));
      const on = parts[0]?.on ?? 'index';
      if (parts.some((p) => p.on !== on)) {
        throw unsupported(f, op.type === 'or' ? 'Or' : 'And', 'IsNull cannot be combined with value conditions');
      }
      const conds = parts.map((p) => p.cond as FindOperator<unknown>);
      return { on, cond: op.type === 'or' ? Or(...conds) : And(...conds) };
    }
    default:
      throw unsupported(f, operatorName(op.type), 'an encrypted column only supports equality through its blind index');
  }
};

const rewriteObject = (
  a: QuantumApiAdapter,
  metadata: EntityMetadata,
  where: Record<string, unknown>,
): Record<string, unknown> => {
  const model = a.entity(metadata);
  const out: Record<string, unknown> = {};
  const extra: [string, unknown][] = [];
  for (const [k, v] of Object.entries(where)) {
    // Kept as is: TypeORM then applies its own invalidWhereValuesBehavior (throws by default).
    // Dropping it here would turn `findOneBy({ email: undefined })` into "any row".
    if (v === undefined || v === null) {
      out[k] = v;
      continue;
    }
    const f = model?.fields.get(k);
    if (f) {
      const t = rewriteOperand(a, f, v);
      if (t.on === 'source') out[k] = t.cond;
      else {
        if (!f.index) throw unsupported(f, 'filtering by value', 'it has no @BlindIndex');
        extra.push([f.index.property, t.cond]);
      }
      continue;
    }
    const relation = metadata.findRelationWithPropertyPath(k);
    // A nested condition object, or a loaded related entity used as one (its encrypted
    // properties hold plaintext after load and must go through the index too).
    if (relation && typeof v === 'object' && !Array.isArray(v) && !InstanceChecker.isFindOperator(v)) {
      out[k] = rewriteObject(a, relation.inverseEntityMetadata, v as Record<string, unknown>);
      continue;
    }
    out[k] = v;
  }
  for (const [prop, cond] of extra) {
    if (prop in out) {
      // Both the index column and the encrypted column constrained: both must hold.
      const prev = out[prop];
      const asOp = (c: unknown) => (InstanceChecker.isFindOperator(c) ? (c as FindOperator<unknown>) : (c as never));
      out[prop] = And(
        InstanceChecker.isFindOperator(prev) ? asOp(prev) : new FindOperator('equal', prev),
        InstanceChecker.isFindOperator(cond) ? asOp(cond) : new FindOperator('equal', cond),
      );
    } else {
      out[prop] = cond;
    }
  }
  return out;
};

export const rewriteWhere = <E extends ObjectLiteral>(
  a: QuantumApiAdapter,
  metadata: EntityMetadata,
  where: FindOptionsWhere<E> | FindOptionsWhere<E>[] | undefined,
): FindOptionsWhere<E> | FindOptionsWhere<E>[] | undefined => {
  if (where === undefined) return undefined;
  if (Array.isArray(where)) return where.map((w) => rewriteObject(a, metadata, w) as FindOptionsWhere<E>);
  return rewriteObject(a, metadata, where as Record<string, unknown>) as FindOptionsWhere<E>;
};

/**
 * `repo.findOneBy(encryptedWhere(repo, { email }))`: the same condition, with encrypted
 * properties turned into blind-index conditions. Arrays (OR of objects) and relation conditions
 * are followed.
 */
export function encryptedWhere<E extends ObjectLiteral>(
  target: RepositoryLike<E>,
  where: FindOptionsWhere<E>,
): FindOptionsWhere<E>;
export function encryptedWhere<E extends ObjectLiteral>(
  target: RepositoryLike<E>,
  where: FindOptionsWhere<E>[],
): FindOptionsWhere<E>[];
export function encryptedWhere<E extends ObjectLiteral>(
  target: RepositoryLike<E>,
  where: FindOptionsWhere<E> | FindOptionsWhere<E>[],
): FindOptionsWhere<E> | FindOptionsWhere<E>[];
export function encryptedWhere<E extends ObjectLiteral>(
  target: RepositoryLike<E>,
  where: FindOptionsWhere<E> | FindOptionsWhere<E>[],
): FindOptionsWhere<E> | FindOptionsWhere<E>[] {
  const repo = repoOf(target);
  return rewriteWhere(adapterOf(repo.manager.dataSource), repo.metadata, where)!;
}

const checkOrder = (a: QuantumApiAdapter, metadata: EntityMetadata, order: unknown): void => {
  if (!isPlainObject(order)) return;
  const model = a.entity(metadata);
  for (const [k, v] of Object.entries(order)) {
    const f = model?.fields.get(k);
    if (f) throw unsupported(f, 'order', 'ciphertexts have no useful order');
    const relation = metadata.findRelationWithPropertyPath(k);
    if (relation) checkOrder(a, relation.inverseEntityMetadata, v);
  }
};

/** `where` rewritten and `order` checked, for an entity's find options. */
export const rewriteFindOptions = <E extends ObjectLiteral, O extends FindManyOptions<E> | FindOneOptions<E>>(
  a: QuantumApiAdapter,
  metadata: EntityMetadata,
  options: O,
): O => {
  checkOrder(a, metadata, options.order);
  return options.where === undefined ? options : { ...options, where: rewriteWhere(a, metadata, options.where) };
};

/** Find options (`find`, `findOne`, `findAndCount`, `count`...) with `where` rewritten and `order` checked. */
export const encryptedFind = <E extends ObjectLiteral, O extends FindManyOptions<E> | FindOneOptions<E>>(
  target: RepositoryLike<E>,
  options: O,
): O => {
  const repo = repoOf(target);
  return rewriteFindOptions(adapterOf(repo.manager.dataSource), repo.metadata, options);
};

/**
 * A repository whose finders rewrite encrypted conditions by themselves:
 * `encryptedRepository(ds.getRepository(User)).findOneBy({ email })`.
 */
export const encryptedRepository = <E extends ObjectLiteral>(target: RepositoryLike<E>) => {
  const repo = repoOf(target);
  const a = adapterOf(repo.manager.dataSource);
  const w = (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => rewriteWhere(a, repo.metadata, where)!;
  const o = <O extends FindManyOptions<E> | FindOneOptions<E>>(options: O | undefined): O | undefined =>
    options === undefined ? undefined : encryptedFind(repo, options);
  const base = repo as Repository<E>;
  return repo.extend({
    find: (options?: FindManyOptions<E>) => base.find(o(options)),
    findBy: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.findBy(w(where)),
    findAndCount: (options?: FindManyOptions<E>) => base.findAndCount(o(options)),
    findAndCountBy: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.findAndCountBy(w(where)),
    findOne: (options: FindOneOptions<E>) => base.findOne(o(options)!),
    findOneBy: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.findOneBy(w(where)),
    findOneOrFail: (options: FindOneOptions<E>) => base.findOneOrFail(o(options)!),
    findOneByOrFail: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.findOneByOrFail(w(where)),
    count: (options?: FindManyOptions<E>) => base.count(o(options)),
    countBy: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.countBy(w(where)),
    exists: (options?: FindManyOptions<E>) => base.exists(o(options)),
    existsBy: (where: FindOptionsWhere<E> | FindOptionsWhere<E>[]) => base.existsBy(w(where)),
  });
};

let parameterCounter = 0;

export interface WhereEncryptedOptions {
  /** How the condition joins the query's existing WHERE: `and` (default), `or`, or `where` (replace). */
  readonly combine?: 'and' | 'or' | 'where';
}

const fieldAt = (qb: SelectQueryBuilder<ObjectLiteral> | WhereExpressionBuilder, path: string) => {
  const dot = path.indexOf('.');
  if (dot <= 0) throw new InvalidInputError('whereEncrypted expects "alias.property"');
  const aliasName = path.slice(0, dot);
  const property = path.slice(dot + 1);
  const sqb = qb as SelectQueryBuilder<ObjectLiteral>;
  const alias = sqb.expressionMap.findAliasByName(aliasName);
  if (!alias.hasMetadata) throw new InvalidInputError(`alias ${aliasName} is not an entity alias`);
  const a = adapterOf(sqb.dataSource);
  const f = a.entity(alias.metadata)?.fields.get(property);
  if (!f) {
    throw new InvalidInputError(`${alias.metadata.name}.${property} is not an encrypted property`, {
      details: { entity: alias.metadata.name, property },
    });
  }
  return { a, f, aliasName };
};

/**
 * QueryBuilder condition on an encrypted property, through its blind index:
 * `whereEncrypted(qb, 'user.email', 'a@b.c')`, with an array for IN, or `In`/`Not`/`Equal`/`Or`/`IsNull`.
 */
export const whereEncrypted = <Q extends WhereExpressionBuilder>(
  qb: Q,
  path: string,
  value: unknown,
  options: WhereEncryptedOptions = {},
): Q => {
  const { a, f, aliasName } = fieldAt(qb as unknown as SelectQueryBuilder<ObjectLiteral>, path);
  const t = rewriteOperand(a, f, Array.isArray(value) ? In(value) : value);
  const column = t.on === 'index' ? f.index!.property : f.property;
  const target = `${aliasName}.${column}`;

  const params: Record<string, unknown> = {};
  const param = (value: unknown): string => {
    const p = `qapi_${++parameterCounter}`;
    params[p] = value;
    return p;
  };
  const render = (cond: unknown, negate: boolean): string => {
    if (cond === null) return `${target} IS ${negate ? 'NOT ' : ''}NULL`;
    if (InstanceChecker.isFindOperator(cond)) {
      const op = cond as FindOperator<unknown>;
      if (op.type === 'isNull') return `${target} IS ${negate ? 'NOT ' : ''}NULL`;
      if (op.type === 'not') return render(op.child ?? op.value, !negate);
      if (op.type === 'in') {
        const values = op.value as unknown as unknown[];
        // IN () is invalid SQL: an empty list matches nothing (NOT IN () matches everything).
        if (values.length === 0) return negate ? '1=1' : '1=0';
        return `${target} ${negate ? 'NOT IN' : 'IN'} (:...${param(values)})`;
      }
      if (op.type === 'or' || op.type === 'and') {
        const parts = (op.value as unknown as unknown[]).map((c) => render(c, false));
        const joined = `(${parts.join(op.type === 'or' ? ' OR ' : ' AND ')})`;
        return negate ? `NOT ${joined}` : joined;
      }
      throw unsupported(f, operatorName(op.type), 'use whereEncrypted with a value, an array, In, Not, Or or IsNull');
    }
    return `${target} ${negate ? '<>' : '='} :${param(cond)}`;
  };
  const sql = render(t.cond, false);
  if (options.combine === 'where') return qb.where(sql, params) as Q;
  if (options.combine === 'or') return qb.orWhere(sql, params) as Q;
  return qb.andWhere(sql, params) as Q;
};

/** Throws when a query builder orders by an encrypted property (call before getMany). */
export const assertNoEncryptedOrder = (qb: SelectQueryBuilder<ObjectLiteral>): void => {
  const a = adapterOf(qb.dataSource);
  for (const key of Object.keys(qb.expressionMap.orderBys)) {
    const dot = key.indexOf('.');
    if (dot <= 0) continue;
    const alias = qb.expressionMap.aliases.find((x) => x.name === key.slice(0, dot));
    if (!alias?.hasMetadata) continue;
    const f = a.entity(alias.metadata)?.fields.get(key.slice(dot + 1));
    if (f) throw unsupported(f, 'orderBy', 'ciphertexts have no useful order');
  }
};
