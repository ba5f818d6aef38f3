/**
 * Collects work queued in the same synchronous run and executes it as one engine call. TypeORM's
 * broadcaster calls a subscriber once per entity in a plain loop before awaiting any of them,
 * so `save([...])` of N rows becomes one encryptMany (one data-key reservation), and a find of
 * N rows one decryptMany. Results are written straight into their slots (object + property).
 *
 * Several operations can share a batch (concurrent requests). If the bulk call fails, each
 * object's items are retried on their own, so one bad row fails only the operation it belongs
 * to; every object that still fails gets its error, and nothing is assigned to it.
 */
type Slots = Record<string, unknown>;

export class SlotBatch<I> {
  readonly #run: (items: I[]) => Promise<unknown[]>;
  #items: I[] = [];
  #objects: Slots[] = [];
  #keys: string[] = [];
  #done: Promise<Map<Slots, unknown> | undefined> | undefined;

  constructor(run: (items: I[]) => Promise<unknown[]>) {
    this.#run = run;
  }

  /** Queues one item whose result goes to `object[key]`; await `flushed(object)` afterwards. */
  add(item: I, object: Slots, key: string): void {
    this.#items.push(item);
    this.#objects.push(object);
    this.#keys.push(key);
  }

  /** Resolves once the batch holding `object`'s items ran; rejects with that object's own error. */
  flushed(object: Slots): Promise<void> {
    if (this.#items.length > 0) this.#done ??= Promise.resolve().then(() => this.#flush());
    // One reaction per object, not an async function's promise and await (a find of 10 000 rows
    // asks 10 000 times).
    return (this.#done ?? Promise.resolve(undefined)).then((errors) => {
      const e = errors?.get(object);
      if (e !== undefined) throw e;
    });
  }

  async #flush(): Promise<Map<Slots, unknown> | undefined> {
    const items = this.#items;
    const objects = this.#objects;
    const keys = this.#keys;
    this.#items = [];
    this.#objects = [];
    this.#keys = [];
    this.#done = undefined;
    try {
      const out = await this.#run(items);
      for (let i = 0; i < out.length; i++) objects[i]![keys[i]!] = out[i];
      return undefined;
    } catch (bulkError) {
      const groups = new Map<Slots, number[]>();
      for (let i = 0; i < objects.length; i++) {
        const g = groups.get(objects[i]!);
        if (g) g.push(i);
        else groups.set(objects[i]!, [i]);
      }
      if (groups.size === 1) return new Map([[objects[0]!, bulkError]]);
      const errors = new Map<Slots, unknown>();
      for (const [object, idx] of groups) {
        try {
          const out = await this.#run(idx.map((i) => items[i]!));
          for (let j = 0; j < idx.length; j++) object[keys[idx[j]!]!] = out[j];
        } catch (e) {
          errors.set(object, e);
        }
      }
      return errors;
    }
  }
}
