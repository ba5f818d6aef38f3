/**
 * File store: the embedded default for a single machine. One JSON file per record under
 * `<dir>/<tenant>/<collection>/<id>.json`, written atomically (temp file, fsync, rename, fsync dir)
 * so a crash leaves either the old or the new record, never half of one.
 *
 * Compare-and-set is serialized per record inside this process; the directory is meant for one
 * process at a time (an exclusive lock file enforces it). Many processes: use the PostgreSQL store.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidInputError, StoreCorruptError, StoreUnavailableError } from '../../errors.js';
import type { ListOptions, RecordStore, StoredRecord } from './types.js';

// Ids and names become path segments: keep them to a safe alphabet.
const SEGMENT = /^[A-Za-z0-9_.:@-]{1,200}$/;
const seg = (what: string, v: string): string => {
  if (!SEGMENT.test(v) || v === '.' || v === '..') throw new InvalidInputError(`invalid ${what} for the file store`);
  return v.replaceAll(':', '%3A');
};
const unseg = (v: string): string => v.replaceAll('%3A', ':');

export interface FileStoreOptions {
  /** Directory holding the store; created if missing. */
  readonly path: string;
}

/** Directories locked by this process: two stores on one directory would race past each other's mutexes. */
const lockedHere = new Set<string>();

export class FileStore implements RecordStore {
  readonly kind = 'file';
  readonly #root: string;
  readonly #locks = new Map<string, Promise<unknown>>();
  #lockFile: string | undefined;

  constructor(options: FileStoreOptions) {
    this.#root = options.path;
  }

  get path(): string {
    return this.#root;
  }

  async open(): Promise<void> {
    if (this.#lockFile) return;
    const lock = join(this.#root, '.lock');
    if (lockedHere.has(lock)) {
      throw new StoreUnavailableError(`the file store ${this.#root} is already open in this process: share one client`);
    }
    try {
      await mkdir(this.#root, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new StoreUnavailableError(`cannot create the file store directory ${this.#root}`, { cause });
    }
    try {
      const fh = await open(lock, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StoreUnavailableError(`cannot lock the file store ${this.#root}`, { cause });
      }
      // A lock left by a process that no longer runs is stale: take it over.
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StoreUnavailableError(
          `the file store ${this.#root} is in use by process ${pid}; use the PostgreSQL store to share keys between processes`,
        );
      }
      await writeAtomic(lock, String(process.pid));
    }
    this.#lockFile = lock;
    lockedHere.add(lock);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#locks.values());
    if (this.#lockFile) {
      await unlink(this.#lockFile).catch(() => undefined);
      lockedHere.delete(this.#lockFile);
    }
    this.#lockFile = undefined;
  }

  #dir(tenant: string, collection: string): string {
    return join(this.#root, seg('tenant', tenant), seg('collection', collection));
  }

  #file(tenant: string, collection: string, id: string): string {
    return join(this.#dir(tenant, collection), `${seg('id', id)}.json`);
  }

  /** Runs `fn` after every earlier operation on the same record (per-record mutex). */
  async #serial<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#locks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.#locks.get(key) === settled) this.#locks.delete(key);
    }
  }

  async #read<T>(file: string): Promise<StoredRecord<T> | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreUnavailableError('cannot read from the file store', { cause });
    }
    try {
      const r = JSON.parse(text) as StoredRecord<T>;
      if (typeof r.id !== 'string' || typeof r.revision !== 'number') throw new Error('shape');
      return r;
    } catch (cause) {
      throw new StoreCorruptError(`file store record is corrupt: ${file}`, { cause });
    }
  }

  async get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    return this.#read<T>(this.#file(tenant, collection, id));
  }

  async put<T>(tenant: string, collection: string, id: string, data: T, expectedRevision: number): Promise<number> {
    const file = this.#file(tenant, collection, id);
    return this.#serial(file, async () => {
      const current = (await this.#read(file))?.revision ?? 0;
      if (current !== expectedRevision) {
        throw new ConflictError(`record ${collection}/${id} changed concurrently`, {
          details: { collection, id, expectedRevision, currentRevision: current },
        });
      }
      const revision = current + 1;
      await mkdir(this.#dir(tenant, collection), { recursive: true, mode: 0o700 });
      await writeAtomic(file, JSON.stringify({ id, revision, data }));
      return revision;
    });
  }

  async list<T>(tenant: string, collection: string, options: ListOptions = {}): Promise<StoredRecord<T>[]> {
    let names: string[];
    try {
      names = await readdir(this.#dir(tenant, collection));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StoreUnavailableError('cannot list the file store', { cause });
    }
    let ids = names
      .filter((n) => n.endsWith('.json'))
      .map((n) => unseg(n.slice(0, -5)))
      .sort();
    if (options.after !== undefined) ids = ids.filter((id) => id > (options.after as string));
    if (options.limit !== undefined) ids = ids.slice(0, options.limit);
    const out: StoredRecord<T>[] = [];
    for (const id of ids) {
      const r = await this.get<T>(tenant, collection, id);
      if (r) out.push(r);
    }
    return out;
  }

  async delete(tenant: string, collection: string, id: string, expectedRevision?: number): Promise<boolean> {
    const file = this.#file(tenant, collection, id);
    return this.#serial(file, async () => {
      const r = await this.#read(file);
      if (!r) return false;
      if (expectedRevision !== undefined && r.revision !== expectedRevision) {
        throw new ConflictError(`record ${collection}/${id} changed concurrently`, { details: { collection, id } });
      }
      await rm(file, { force: true });
      return true;
    });
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const writeAtomic = async (file: string, text: string): Promise<void> => {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    const dir = await open(join(file, '..'), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (cause) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new StoreUnavailableError('cannot write to the file store', { cause });
  }
};
