/**
 * The per-DataSource state: the field engine, synchronous blind-index functions per index
 * definition (the one writes use, and the lookup over every version a re-index leaves), and the
 * batches that turn a bulk save or find into one engine call.
 */
import type {
  BlindIndexDefinition,
  DecryptItem,
  EncryptItem,
  FieldEngine,
  FieldValue,
  FieldValueType,
  IndexLookup,
} from '@quantumapi/sdk/fields';
import { FieldConfigError } from '@quantumapi/sdk/fields';
import type { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';
import { SlotBatch } from './batch.js';
import { type ResolvedEntity, type ResolvedField, resolveEntity, toFieldValue, unsupported } from './model.js';

type Indexer = (value: FieldValue) => string;

interface Pending {
  readonly plain: unknown;
  readonly ciphertext: string;
}

/** Equality of two decrypted values of one field; anything uncertain counts as changed. */
const sameValue = (f: ResolvedField, a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  switch (f.type) {
    case 'date':
      return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
    case 'bytes':
      return (
        a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i])
      );
    case 'json':
      try {
        return JSON.stringify(a) === JSON.stringify(b);
      } catch {
        return false;
      }
    default:
      return Object.is(a, b);
  }
};

const unregistered = (f: ResolvedField): never => {
  throw new FieldConfigError(`${f.entity} is not part of the DataSource registered with QuantumAPI`, {
    details: { entity: f.entity },
  });
};

export class QuantumApiAdapter {
  readonly engine: FieldEngine;
  readonly dataSource: DataSource;
  readonly #indexers = new Map<BlindIndexDefinition, Indexer>();
  /** Keyed by the current definition: its value, then one per previous version. */
  readonly #lookups = new Map<BlindIndexDefinition, IndexLookup>();
  readonly #encrypt: SlotBatch<EncryptItem>;
  readonly #decrypt: SlotBatch<DecryptItem<FieldValueType>>;
  readonly #decryptLenient: SlotBatch<DecryptItem<FieldValueType>>;
  /** Plaintexts swapped out of an entity during a write, put back once the write is done. */
  readonly #pending = new WeakMap<object, Map<string, Pending>>();

  constructor(dataSource: DataSource, engine: FieldEngine) {
    this.dataSource = dataSource;
    this.engine = engine;
    this.#encrypt = new SlotBatch((items) => engine.encryptMany(items));
    this.#decrypt = new SlotBatch((items) => engine.decryptMany(items));
    this.#decryptLenient = new SlotBatch((items) => engine.decryptMany(items, { migration: 'accept-plaintext' }));
  }

  /** Resolves every entity and loads every index key now, so writes and lookups stay synchronous. */
  async prepare(): Promise<void> {
    await this.engine.prepare();
    for (const m of this.dataSource.entityMetadatas) {
      const e = resolveEntity(m);
      if (!e) continue;
      for (const f of e.fields.values()) {
        if (!f.index) continue;
        const def = f.index.definition;
        if (!this.#indexers.has(def)) this.#indexers.set(def, await this.engine.indexer(def));
        if (!this.#lookups.has(def)) {
          const versions = f.index.previous.map((d) => d.version ?? 1);
          this.#lookups.set(def, await this.engine.indexLookup(def, versions));
        }
      }
    }
  }

  entity(metadata: EntityMetadata): ResolvedEntity | undefined {
    return resolveEntity(metadata);
  }

  #indexer(f: ResolvedField, def: BlindIndexDefinition): Indexer {
    return this.#indexers.get(def) ?? unregistered(f);
  }

  /** Blind index of an application value for an encrypted field (type-checked): what a write stores. */
  indexValue(f: ResolvedField, value: unknown): string {
    if (!f.index) throw unsupported(f, 'filtering by value', 'it has no @BlindIndex');
    return this.#indexer(f, f.index.definition)(toFieldValue(f, value));
  }

  /**
   * Every index value an equality lookup must match: the current version's first, then one per
   * `previousVersions` entry (rows a re-index has not reached yet), without repeats. One value
   * outside a re-index. The field engine's `indexLookup`, as in the Prisma adapter and the cli.
   */
  lookupValues(f: ResolvedField, value: unknown): string[] {
    if (!f.index) throw unsupported(f, 'filtering by value', 'it has no @BlindIndex');
    const lookup = this.#lookups.get(f.index.definition) ?? unregistered(f);
    return lookup(toFieldValue(f, value));
  }

  /**
   * Replaces the plaintext of every encrypted property present on `entity` by its ciphertext and
   * fills the blind-index properties. The entity is the application's object (save) or the
   * values of an insert/update query.
   */
  seal(metadata: EntityMetadata, entity: ObjectLiteral, databaseEntity?: ObjectLiteral): Promise<void> | undefined {
    // Not an async function (one promise fewer per entity), but a refused value still rejects
    // this entity's promise rather than throwing out of TypeORM's broadcast loop.
    try {
      return this.#seal(metadata, entity, databaseEntity);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #seal(metadata: EntityMetadata, entity: ObjectLiteral, databaseEntity?: ObjectLiteral): Promise<void> | undefined {
    const model = resolveEntity(metadata);
    if (!model) return undefined;
    const pending = this.#pending.get(entity);
    // Runs once per entity of a bulk save: parallel arrays, allocated only when something is queued.
    let fields: ResolvedField[] | undefined;
    let plains: unknown[] | undefined;
    let values: FieldValue[] | undefined;
    for (const f of model.fields.values()) {
      let plain: unknown = entity[f.property];
      if (plain === undefined) continue;
      // A retried write after a failed one: the property still holds our ciphertext.
      const p = pending?.get(f.property);
      if (p && plain === p.ciphertext) plain = p.plain;
      if (plain === null) {
        if (f.index) entity[f.index.property] = null;
        continue;
      }
      if (typeof plain === 'function') throw unsupported(f, 'a raw SQL value');
      const value = toFieldValue(f, plain); // the type check, once for the index and the ciphertext
      if (f.index) entity[f.index.property] = this.#indexer(f, f.index.definition)(value);
      // save() of a loaded entity: TypeORM compares against the row it just loaded (decrypted by
      // open()). An unchanged value keeps its stored ciphertext: hand TypeORM the same value on
      // both sides so the column is left out of the UPDATE, and spend no encryption on it.
      if (databaseEntity && sameValue(f, plain, databaseEntity[f.property])) {
        databaseEntity[f.property] = plain;
        continue;
      }
      if (!fields) {
        fields = [];
        plains = [];
        values = [];
      }
      fields.push(f);
      plains!.push(plain);
      values!.push(value);
    }
    if (!fields) return undefined;
    // Queued only once every value passed its checks: a rejected entity queues nothing.
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      this.#encrypt.add({ value: values![i]!, location: f.location }, entity, f.property);
    }
    return this.#encrypt.flushed(entity).then(() => {
      const saved = pending ?? new Map<string, Pending>();
      for (let i = 0; i < fields.length; i++) {
        const prop = fields[i]!.property;
        saved.set(prop, { plain: plains![i], ciphertext: entity[prop] as string });
      }
      this.#pending.set(entity, saved);
    });
  }

  /** After the write: the application's object holds its plaintext values again. */
  restore(entity: ObjectLiteral | undefined): void {
    if (!entity) return;
    const pending = this.#pending.get(entity);
    if (!pending) return;
    for (const [prop, p] of pending) if (entity[prop] === p.ciphertext) entity[prop] = p.plain;
    this.#pending.delete(entity);
  }

  /** Decrypts a loaded entity in place (fails closed: a value that is not a valid ciphertext throws). */
  open(metadata: EntityMetadata, entity: ObjectLiteral): Promise<void> | undefined {
    const model = resolveEntity(metadata);
    if (!model) return undefined;
    let strict = false;
    let lenient = false;
    for (const f of model.fields.values()) {
      const v: unknown = entity[f.property];
      if (v === null || v === undefined) continue;
      const item = { ciphertext: v as string, location: f.location, type: f.type };
      if (f.migration) {
        this.#decryptLenient.add(item, entity, f.property);
        lenient = true;
      } else {
        this.#decrypt.add(item, entity, f.property);
        strict = true;
      }
    }
    if (strict && lenient) {
      return Promise.all([this.#decrypt.flushed(entity), this.#decryptLenient.flushed(entity)]).then(() => {});
    }
    if (strict) return this.#decrypt.flushed(entity);
    if (lenient) return this.#decryptLenient.flushed(entity);
    return undefined;
  }
}

const adapters = new WeakMap<DataSource, QuantumApiAdapter>();

export const attachAdapter = (ds: DataSource, a: QuantumApiAdapter): void => {
  if (adapters.has(ds)) throw new FieldConfigError('QuantumAPI is already registered on this DataSource');
  adapters.set(ds, a);
};

export const detachAdapter = (ds: DataSource): void => {
  adapters.delete(ds);
};

export const adapterOf = (ds: DataSource): QuantumApiAdapter => {
  const a = adapters.get(ds);
  if (!a) throw new FieldConfigError('registerQuantumApi(dataSource, ...) has not been called for this DataSource');
  return a;
};
