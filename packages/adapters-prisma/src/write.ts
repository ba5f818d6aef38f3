/**
 * Write-side transform: encrypted values become field ciphertexts, their blind-index columns are
 * filled in, through nested relation writes too. All values of one operation are encrypted in
 * one bulk call (one data-key lookup).
 */
import type { EncryptItem } from '@quantumapi/sdk/fields';
import { FieldUnsupportedOperationError } from '@quantumapi/sdk/fields';
import type { ResolvedModel } from './manifest.js';
import { type Args, asArray, isPlainObject, unsupported } from './shapes.js';
import { type QueryRewriter, toFieldValue } from './where.js';

type Mode = 'create' | 'update';

/** Collected encryptions; `apply` writes the ciphertexts into the rewritten argument objects. */
export class WriteBatch {
  readonly items: EncryptItem[] = [];
  readonly targets: { obj: Args; key: string }[] = [];

  add(item: EncryptItem, obj: Args, key: string): void {
    this.items.push(item);
    this.targets.push({ obj, key });
  }

  async apply(rw: QueryRewriter): Promise<void> {
    if (this.items.length === 0) return;
    const cts = await rw.engine.encryptMany(this.items);
    for (let i = 0; i < cts.length; i++) {
      const t = this.targets[i]!;
      t.obj[t.key] = cts[i];
    }
  }
}

export class WriteTransformer {
  constructor(
    readonly rw: QueryRewriter,
    readonly batch: WriteBatch,
  ) {}

  data(model: ResolvedModel, data: unknown, mode: Mode): unknown {
    if (Array.isArray(data)) return data.map((d) => this.data(model, d, mode));
    if (!isPlainObject(data)) return data;
    const out: Args = {};
    // Object.keys, not entries: one array per row instead of one per column (10k-row createMany).
    for (const k of Object.keys(data)) {
      const v = data[k];
      const f = model.fields.get(k);
      if (f) {
        let value = v;
        if (mode === 'update' && isPlainObject(value) && f.type !== 'json') {
          const ops = Object.keys(value);
          if (ops.length !== 1 || ops[0] !== 'set') throw unsupported(f, ops.find((o) => o !== 'set') ?? 'update');
          value = value.set;
        }
        if (value === undefined) continue;
        if (value === null) {
          out[k] = null;
          if (f.index) out[f.index.name] = null;
          continue;
        }
        const fv = toFieldValue(f, value);
        out[k] = null; // placeholder, replaced by the ciphertext in WriteBatch.apply
        this.batch.add({ value: fv, location: f.location }, out, k);
        if (f.index) out[f.index.name] = this.rw.indexOf(f, value);
        continue;
      }
      const indexed = model.indexColumns.get(k);
      if (indexed && v === undefined) continue; // never let it overwrite the index set above
      if (indexed) {
        throw new FieldUnsupportedOperationError(
          `column ${model.name}.${k} is the blind index of ${indexed.field} and is written by the adapter`,
          { details: { model: model.name, field: k, operation: 'write' } },
        );
      }
      const target = model.relations.get(k);
      if (target && isPlainObject(v)) {
        out[k] = this.nested(this.rw.model(target)!, v);
        continue;
      }
      out[k] = v;
    }
    return out;
  }

  /** Nested relation writes: create, createMany, connectOrCreate, connect, update, upsert, ... */
  nested(target: ResolvedModel, ops: Args): Args {
    const out: Args = {};
    const many = (v: unknown, fn: (x: unknown) => unknown) => (Array.isArray(v) ? v.map(fn) : fn(v));
    for (const [op, v] of Object.entries(ops)) {
      switch (op) {
        case 'create':
          out[op] = this.data(target, v, 'create');
          break;
        case 'createMany':
          out[op] = isPlainObject(v) ? { ...v, data: this.data(target, v.data, 'create') } : v;
          break;
        case 'connectOrCreate':
          out[op] = many(v, (x) =>
            isPlainObject(x)
              ? {
                  ...x,
                  where: this.rw.where(target, x.where, true),
                  create: this.data(target, x.create, 'create'),
                }
              : x,
          );
          break;
        case 'connect':
        case 'set':
          out[op] = many(v, (x) => this.rw.where(target, x, true));
          break;
        case 'disconnect':
        case 'delete':
          out[op] = typeof v === 'boolean' ? v : many(v, (x) => this.rw.where(target, x, true));
          break;
        case 'deleteMany':
          out[op] = typeof v === 'boolean' ? v : many(v, (x) => this.rw.where(target, x));
          break;
        case 'update':
          out[op] = many(v, (x) => this.updateArgs(target, x, true));
          break;
        case 'updateMany':
          out[op] = many(v, (x) => this.updateArgs(target, x, false));
          break;
        case 'upsert':
          out[op] = many(v, (x) =>
            isPlainObject(x)
              ? {
                  ...x,
                  ...(x.where !== undefined ? { where: this.rw.where(target, x.where, true) } : {}),
                  create: this.data(target, x.create, 'create'),
                  update: this.data(target, x.update, 'update'),
                }
              : x,
          );
          break;
        default:
          out[op] = v;
      }
    }
    return out;
  }

  /** `{ where, data }` for to-many (and optionally to-one) updates; bare data for to-one updates. */
  updateArgs(target: ResolvedModel, x: unknown, unique: boolean): unknown {
    if (!isPlainObject(x)) return x;
    const keys = Object.keys(x);
    if ('data' in x && keys.every((k) => k === 'data' || k === 'where')) {
      return {
        ...x,
        ...(x.where !== undefined ? { where: this.rw.where(target, x.where, unique) } : {}),
        data: this.data(target, x.data, 'update'),
      };
    }
    return this.data(target, x, 'update');
  }
}

export const writeItems = (v: unknown): readonly unknown[] => asArray(v);
