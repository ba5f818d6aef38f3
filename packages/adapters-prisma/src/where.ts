/**
 * Query rewriting for encrypted columns: equality-style filters become filters on the blind index
 * column; everything an index cannot answer (contains, ranges, ordering, distinct, min/max) throws
 * FieldUnsupportedOperationError naming the column, rather than silently matching nothing.
 */
import type { FieldEngine, FieldValue, IndexLookup } from '@quantumapi/sdk/fields';
import { InvalidInputError } from '@quantumapi/sdk/fields';
import { FieldConfigError } from '@quantumapi/sdk/fields';
import type { ResolvedField, ResolvedManifest, ResolvedModel } from './manifest.js';
import { type Args, asArray, isPlainObject, unsupported } from './shapes.js';

/** Prisma filter operators: an object made only of these is a filter, not a JSON value. */
const FILTER_KEYS = new Set([
  'equals',
  'in',
  'notIn',
  'not',
  'mode',
  'contains',
  'startsWith',
  'endsWith',
  'lt',
  'lte',
  'gt',
  'gte',
  'search',
  'has',
  'hasEvery',
  'hasSome',
  'isEmpty',
  'path',
  'string_contains',
  'string_starts_with',
  'string_ends_with',
  'array_contains',
  'array_starts_with',
  'array_ends_with',
]);

/** Aggregates that read column values (a `_count` only tells whether one is there). */
const AGGREGATES: readonly string[] = ['_min', '_max', '_avg', '_sum'];

const badValue = (f: ResolvedField): InvalidInputError =>
  new InvalidInputError(`value for encrypted column ${f.model}.${f.field} must be a ${f.type}`, {
    details: { model: f.model, field: f.field, expected: f.type },
  });

/**
 * JS value from the application -> typed field value, checked against the declared type. Runs
 * once per written or queried value: no closure per call.
 */
export const toFieldValue = (f: ResolvedField, v: unknown): FieldValue => {
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') throw badValue(f);
      return v;
    case 'number':
      if (typeof v !== 'number') throw badValue(f);
      return v;
    case 'bigint':
      if (typeof v !== 'bigint') throw badValue(f);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw badValue(f);
      return v;
    case 'date':
      if (!(v instanceof Date)) throw badValue(f);
      return v;
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw badValue(f);
      return v;
    case 'json':
      if (v === undefined) throw badValue(f);
      return { json: v as never };
  }
};

/**
 * A unique lookup by an encrypted column while a re-index runs: Prisma needs the unique index
 * column as a plain value, so the lookup is tried once per index version, in this order.
 */
export interface UniqueProbe {
  readonly field: ResolvedField;
  readonly column: string;
  /** Current version first, then each previous version. */
  readonly values: readonly string[];
}

type Indexer = (v: FieldValue) => string;

export class QueryRewriter {
  readonly #indexers = new Map<ResolvedField, { readonly current: Indexer; readonly lookup: IndexLookup }>();
  #preparing: Promise<void> | undefined;

  constructor(
    readonly manifest: ResolvedManifest,
    readonly engine: FieldEngine,
  ) {}

  /**
   * Resolves every blind-index key once (loading the index root on first use), so that all
   * rewriting afterwards is synchronous: no per row or per value.
   */
  prepare(): Promise<void> {
    this.#preparing ??= (async () => {
      for (const m of this.manifest.models.values()) {
        for (const f of m.fields.values()) {
          if (!f.index) continue;
          const current = await this.engine.indexer(f.index);
          const lookup = await this.engine.indexLookup(
            f.index,
            f.index.previous.map((d) => d.version ?? 1),
          );
          this.#indexers.set(f, { current, lookup });
        }
      }
    })().catch((e: unknown) => {
      this.#preparing = undefined;
      throw e;
    });
    return this.#preparing;
  }

  model(name: string): ResolvedModel | undefined {
    return this.manifest.models.get(name);
  }

  #indexersOf(f: ResolvedField) {
    if (!f.index) throw unsupported(f, 'filtering by value', 'it has no blind index (declare one with index: ...)');
    const ix = this.#indexers.get(f);
    if (!ix) throw new FieldConfigError('query rewriter used before prepare()');
    return ix;
  }

  /** The index value a write stores: always the current version. */
  indexOf(f: ResolvedField, v: unknown): string {
    return this.#indexersOf(f).current(toFieldValue(f, v));
  }

  /**
   * Every index value an equality lookup must match: the current version's first, then one per
   * `previousVersions` entry (rows a re-index has not reached yet), without repeats. One value
   * outside a re-index. The field engine's `indexLookup`, as in the TypeORM adapter and
   * `indexLookupValues` in `@quantumapi/cli`.
   */
  lookupValues(f: ResolvedField, v: unknown): string[] {
    const ix = this.#indexersOf(f);
    return ix.lookup(toFieldValue(f, v));
  }

  #eq(f: ResolvedField, v: unknown): Args {
    const values = this.lookupValues(f, v);
    return { [f.index!.name]: values.length === 1 ? values[0] : { in: values } };
  }

  /** For JSON columns an object is a value unless it is made only of filter operators. */
  #isFilter(f: ResolvedField, v: unknown): v is Args {
    return (
      isPlainObject(v) &&
      (f.type !== 'json' || (Object.keys(v).length > 0 && Object.keys(v).every((k) => FILTER_KEYS.has(k))))
    );
  }

  /** The value of a plain equality filter (`email: x` or `email: { equals: x }`), else undefined. */
  #equality(f: ResolvedField, v: unknown): { readonly value: unknown } | undefined {
    if (v === null) return undefined;
    if (!this.#isFilter(f, v)) return { value: v };
    const ops = Object.keys(v).filter((k) => v[k] !== undefined);
    return ops.length === 1 && ops[0] === 'equals' && v.equals !== null ? { value: v.equals } : undefined;
  }

  /** One filter on an encrypted field -> conditions on the index column (or on null-ness). */
  fieldFilter(f: ResolvedField, v: unknown): Args[] {
    const col = f.field;
    if (v === null) return [{ [col]: null }];
    if (!this.#isFilter(f, v)) return [this.#eq(f, v)];
    const out: Args[] = [];
    for (const [op, arg] of Object.entries(v)) {
      if (arg === undefined) continue;
      switch (op) {
        case 'equals':
          out.push(arg === null ? { [col]: null } : this.#eq(f, arg));
          break;
        case 'in':
        case 'notIn': {
          if (!Array.isArray(arg)) throw unsupported(f, op, 'expects an array');
          if (!f.index) throw unsupported(f, op, 'it has no blind index');
          // notIn excludes a value under every version it may still be stored under.
          const hashes = arg.filter((x) => x !== null).flatMap((x) => this.lookupValues(f, x));
          out.push({ [f.index.name]: { [op]: hashes } });
          break;
        }
        case 'not':
          if (arg === null) out.push({ [col]: { not: null } });
          else
            out.push({
              NOT: this.fieldFilter(f, isPlainObject(arg) && f.type !== 'json' ? arg : { equals: arg }),
            });
          break;
        default:
          throw unsupported(f, op);
      }
    }
    return out;
  }

  /**
   * `unique`: the `where` of a unique lookup (findUnique, update, delete, connect, cursor...),
   * where Prisma needs a unique column as a plain value at the top level. An equality on an
   * encrypted column with a unique index becomes that value. While the index has previous
   * versions one value is not enough: given `probes`, the current version's value is used and the
   * versions to try are recorded there (the caller runs the lookup once per version); without
   * `probes` the lookup is refused rather than missing the rows a re-index has not reached.
   */
  where(model: ResolvedModel, where: unknown, unique = false, probes?: UniqueProbe[]): unknown {
    if (!isPlainObject(where)) return where;
    const out: Args = {};
    const extra: Args[] = [];
    for (const [k, v] of Object.entries(where)) {
      if (v === undefined) continue;
      if (k === 'AND' || k === 'OR' || k === 'NOT') {
        out[k] = Array.isArray(v) ? v.map((x) => this.where(model, x)) : this.where(model, v);
        continue;
      }
      const f = model.fields.get(k);
      if (f) {
        const idx = f.index;
        const eq = unique && idx?.unique && !(idx.name in out) ? this.#equality(f, v) : undefined;
        if (!eq || !idx) {
          extra.push(...this.fieldFilter(f, v));
          continue;
        }
        const values = this.lookupValues(f, eq.value);
        if (values.length > 1 && probes?.length) {
          // One column tried per version is enough to make the lookup unique; the others may match any.
          extra.push(...this.fieldFilter(f, v));
          continue;
        }
        out[idx.name] = values[0];
        if (values.length > 1) {
          if (!probes) {
            throw unsupported(
              f,
              'this unique lookup while a re-index runs (previousVersions)',
              'only findUnique(OrThrow), update and delete (outside a batch $transaction) and upsert (outside any $transaction, with one previous version), at the top level, try each index version; use another unique key or findFirst until the re-index completes',
            );
          }
          probes.push({ field: f, column: idx.name, values });
        }
        continue;
      }
      const target = model.relations.get(k);
      if (target) {
        out[k] = this.relationFilter(this.model(target)!, v);
        continue;
      }
      if (isPlainObject(v) && k.includes('_') && Object.keys(v).some((x) => model.fields.has(x))) {
        const f2 = model.fields.get(Object.keys(v).find((x) => model.fields.has(x))!)!;
        throw unsupported(f2, 'a compound unique lookup');
      }
      out[k] = v;
    }
    if (extra.length) out.AND = [...(out.AND === undefined ? [] : asArray(out.AND)), ...extra];
    return out;
  }

  relationFilter(target: ResolvedModel, v: unknown): unknown {
    if (!isPlainObject(v)) return v;
    const keys = Object.keys(v);
    if (keys.length > 0 && keys.every((k) => ['some', 'every', 'none', 'is', 'isNot'].includes(k))) {
      const out: Args = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.where(target, x);
      return out;
    }
    return this.where(target, v);
  }

  checkOrderBy(model: ResolvedModel, orderBy: unknown): void {
    for (const o of asArray(orderBy)) {
      if (!isPlainObject(o)) continue;
      for (const [k, v] of Object.entries(o)) {
        const f = model.fields.get(k);
        if (f) throw unsupported(f, 'orderBy', 'ciphertexts have no useful order');
        if (k === '_relevance' && isPlainObject(v)) {
          for (const name of asArray(v.fields as unknown)) {
            const g = model.fields.get(String(name));
            if (g) throw unsupported(g, 'full-text relevance');
          }
        }
        // groupBy orders by aggregates: the min or max of ciphertexts orders nothing (a count is fine).
        if (AGGREGATES.includes(k) && isPlainObject(v)) {
          for (const name of Object.keys(v)) {
            const g = model.fields.get(name);
            if (g) throw unsupported(g, `orderBy ${k}`, 'aggregates over ciphertexts are meaningless');
          }
        }
        const target = model.relations.get(k);
        if (target && isPlainObject(v) && !('_count' in v)) this.checkOrderBy(this.model(target)!, v);
      }
    }
  }

  checkFieldList(model: ResolvedModel, list: unknown, operation: string): void {
    if (list === undefined) return;
    for (const name of asArray(list)) {
      const f = model.fields.get(String(name));
      if (f) throw unsupported(f, operation, 'each ciphertext is unique');
    }
  }

  checkAggregates(model: ResolvedModel, args: Args): void {
    for (const agg of AGGREGATES) {
      const sel = args[agg];
      if (!isPlainObject(sel)) continue;
      for (const [k, on] of Object.entries(sel)) {
        const f = model.fields.get(k);
        if (f && on) throw unsupported(f, agg, 'aggregates over ciphertexts are meaningless');
      }
    }
    this.#checkHaving(model, args.having);
  }

  /** `having` filters groups by their values or aggregates: none of which a blind index answers. */
  #checkHaving(model: ResolvedModel, having: unknown): void {
    for (const h of asArray(having)) {
      if (!isPlainObject(h)) continue;
      for (const [k, v] of Object.entries(h)) {
        const f = model.fields.get(k);
        if (f) throw unsupported(f, 'having');
        if (k === 'AND' || k === 'OR' || k === 'NOT') this.#checkHaving(model, v);
      }
    }
  }

  /** `select` / `include` trees: nested relation arguments are rewritten with their own model. */
  selection(model: ResolvedModel, sel: unknown): unknown {
    if (!isPlainObject(sel)) return sel;
    const out: Args = {};
    for (const [k, v] of Object.entries(sel)) {
      const target = model.relations.get(k);
      if (target && isPlainObject(v)) {
        out[k] = this.nestedReadArgs(this.model(target)!, v);
      } else if (k === '_count' && isPlainObject(v) && isPlainObject(v.select)) {
        const counted: Args = {};
        for (const [rel, spec] of Object.entries(v.select)) {
          const t = model.relations.get(rel);
          counted[rel] = t && isPlainObject(spec) ? this.nestedReadArgs(this.model(t)!, spec) : spec;
        }
        out[k] = { ...v, select: counted };
      } else {
        out[k] = v;
      }
    }
    return out;
  }

  nestedReadArgs(model: ResolvedModel, args: Args): Args {
    const out: Args = { ...args };
    if (args.where !== undefined) out.where = this.where(model, args.where);
    if (args.cursor !== undefined) out.cursor = this.where(model, args.cursor, true);
    if (args.orderBy !== undefined) this.checkOrderBy(model, args.orderBy);
    this.checkFieldList(model, args.distinct, 'distinct');
    if (args.select !== undefined) out.select = this.selection(model, args.select);
    if (args.include !== undefined) out.include = this.selection(model, args.include);
    return out;
  }
}
