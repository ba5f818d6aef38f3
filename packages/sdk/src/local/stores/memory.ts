/** In-memory record store: tests and throwaway processes. Records are deep-copied in and out. */
import { ConflictError } from '../../errors.js';
import type { ListOptions, RecordStore, StoredRecord } from './types.js';

const clone = <T>(v: T): T => structuredClone(v);

export class MemoryStore implements RecordStore {
  readonly kind = 'memory';
  readonly #records = new Map<string, Map<string, StoredRecord>>();

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  #collection(tenant: string, collection: string): Map<string, StoredRecord> {
    const key = `${tenant}\u0000${collection}`;
    let c = this.#records.get(key);
    if (!c) {
      c = new Map();
      this.#records.set(key, c);
    }
    return c;
  }

  async get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    const r = this.#collection(tenant, collection).get(id);
    return r ? (clone(r) as StoredRecord<T>) : undefined;
  }

  async put<T>(tenant: string, collection: string, id: string, data: T, expectedRevision: number): Promise<number> {
    const c = this.#collection(tenant, collection);
    const current = c.get(id)?.revision ?? 0;
    if (current !== expectedRevision) {
      throw new ConflictError(`record ${collection}/${id} changed concurrently`, {
        details: { collection, id, expectedRevision, currentRevision: current },
      });
    }
    const revision = current + 1;
    c.set(id, { id, revision, data: clone(data) });
    return revision;
  }

  async list<T>(tenant: string, collection: string, options: ListOptions = {}): Promise<StoredRecord<T>[]> {
    const ids = [...this.#collection(tenant, collection).keys()].sort();
    const start = options.after === undefined ? 0 : ids.findIndex((id) => id > (options.after as string));
    if (start < 0) return [];
    const selected = ids.slice(start, options.limit === undefined ? undefined : start + options.limit);
    const c = this.#collection(tenant, collection);
    return selected.map((id) => clone(c.get(id)) as StoredRecord<T>);
  }

  async delete(tenant: string, collection: string, id: string, expectedRevision?: number): Promise<boolean> {
    const c = this.#collection(tenant, collection);
    const r = c.get(id);
    if (!r) return false;
    if (expectedRevision !== undefined && r.revision !== expectedRevision) {
      throw new ConflictError(`record ${collection}/${id} changed concurrently`, { details: { collection, id } });
    }
    return c.delete(id);
  }
}
