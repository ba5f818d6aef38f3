/**
 * The local engine's persistence contract: a small, tenant-scoped record store with optimistic
 * concurrency. Every store (memory, file, PostgreSQL) implements exactly this, so the engine and
 * every namespace built on it work unchanged on each.
 *
 * Stores never see secret material in the clear: the engine wraps seeds and values before `put`.
 */

export interface StoredRecord<T = unknown> {
  readonly id: string;
  /** Monotonic per record, starting at 1; used for compare-and-set. */
  readonly revision: number;
  readonly data: T;
}

export interface ListOptions {
  /** Return records whose id sorts after this one (keyset pagination). */
  readonly after?: string;
  readonly limit?: number;
}

export interface RecordStore {
  /** Human-readable kind for logs and errors ("memory", "file", "postgres"). */
  readonly kind: string;
  open(): Promise<void>;
  close(): Promise<void>;
  get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined>;
  /**
   * Insert (expectedRevision 0) or replace (expectedRevision = current) a record atomically.
   * Throws ConflictError when the stored revision differs. Returns the new revision.
   */
  put<T>(tenant: string, collection: string, id: string, data: T, expectedRevision: number): Promise<number>;
  /** Ordered by id. */
  list<T>(tenant: string, collection: string, options?: ListOptions): Promise<StoredRecord<T>[]>;
  delete(tenant: string, collection: string, id: string, expectedRevision?: number): Promise<boolean>;
}
