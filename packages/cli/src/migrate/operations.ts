/**
 * The four row transforms. Each looks at one batch of rows and says, per row, which columns get
 * which new text; a row that needs nothing gets no entry. Every decision is made from the value
 * itself, so a transform is idempotent: run twice over the same rows, the second run changes
 * nothing (a ciphertext is never encrypted again, a row already under the target key or index
 * version is left alone).
 */
import {
  type DataKeyDirectory,
  type EncryptItem,
  type FieldEngine,
  type FieldValue,
  InvalidCiphertextError,
  looksLikeFieldCiphertext,
  fieldHeader,
} from '@quantumapi/sdk';
import { fromColumn, toColumn } from './column-values.js';
import type { RowNamer } from './row-ref.js';
import type { ResolvedColumn, ResolvedTable } from './spec.js';

export type OperationName = 'backfill' | 'rotate' | 'reindex' | 'decrypt';

export type DbRow = Record<string, unknown>;
/** Column -> new text (or null). */
export type RowChange = Map<string, string | null>;

export interface Operation {
  readonly name: OperationName;
  /** What the job converges to (key version, index version...): part of the job id. */
  readonly target: string;
  /** Columns the batch query must select (besides the primary key). */
  readonly reads: readonly string[];
  /** `rowNames` names a row in an error without showing a key that may be personal data. */
  plan(rows: readonly DbRow[], rowNames: RowNamer): Promise<(RowChange | undefined)[]>;
}

const isCiphertext = (v: unknown): v is string => typeof v === 'string' && looksLikeFieldCiphertext(v);

const change = (out: (RowChange | undefined)[], i: number, column: string, value: string | null): void => {
  let c = out[i];
  if (!c) {
    c = new Map();
    out[i] = c;
  }
  c.set(column, value);
};

/** Decrypts the ciphertexts of one column in a batch (one key lookup per data key). */
const decryptColumn = async (
  engine: FieldEngine,
  col: ResolvedColumn,
  rows: readonly DbRow[],
  pick: (i: number) => boolean,
): Promise<Map<number, FieldValue>> => {
  const idx: number[] = [];
  for (let i = 0; i < rows.length; i++) if (pick(i) && isCiphertext(rows[i]![col.column])) idx.push(i);
  if (idx.length === 0) return new Map();
  const values = await engine.decryptMany(
    idx.map((i) => ({ ciphertext: rows[i]![col.column] as string, location: col.location, type: col.type })),
  );
  return new Map(idx.map((i, k) => [i, (col.type === 'json' ? { json: values[k] } : values[k]) as FieldValue]));
};

/** Encrypt plaintext values in place and fill their blind indexes. */
export const backfill = (table: ResolvedTable, engine: FieldEngine): Operation => ({
  name: 'backfill',
  target: table.columns.map((c) => c.column).join(','),
  reads: table.columns.map((c) => c.column),
  async plan(rows, rowNames) {
    const out: (RowChange | undefined)[] = new Array(rows.length);
    for (const col of table.columns) {
      // Values already encrypted (by the adapter in migration mode, or by an earlier pass) must
      // still authenticate: a plaintext that merely starts with "qf1." fails closed here.
      await decryptColumn(engine, col, rows, () => true);
      const items: EncryptItem[] = [];
      const at: number[] = [];
      const plain: FieldValue[] = [];
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![col.column];
        if (v === null || v === undefined || isCiphertext(v)) continue;
        const value = fromColumn(v, col.type, { table: table.table, column: col.column, row: i, rows: rowNames });
        items.push({ value, location: col.location });
        plain.push(value);
        at.push(i);
      }
      if (items.length === 0) continue;
      const sealed = await engine.encryptMany(items);
      const hashes = col.index ? await engine.blindIndexMany(col.index, plain) : undefined;
      at.forEach((i, k) => {
        change(out, i, col.column, sealed[k]!);
        if (col.index && hashes) change(out, i, col.index.name, hashes[k]!);
      });
    }
    return out;
  },
});

export interface KeyTarget {
  readonly keyId: string;
  readonly keyVersion: number;
}

/**
 * Re-encrypt every value whose data key was wrapped by another backend key or an older version of
 * the target key. Old versions keep decrypting throughout, so readers never see a failure.
 */
export const rotate = (
  table: ResolvedTable,
  engine: FieldEngine,
  directory: DataKeyDirectory,
  target: KeyTarget,
): Operation => {
  const current = new Map<string, boolean>();
  const isCurrent = async (dataKeyId: string): Promise<boolean> => {
    let ok = current.get(dataKeyId);
    if (ok === undefined) {
      const rec = await directory.get(engine.tenant, dataKeyId);
      // A ciphertext naming an unknown data key cannot be re-encrypted; decryption below fails closed.
      ok = rec !== undefined && rec.keyId === target.keyId && rec.keyVersion >= target.keyVersion;
      current.set(dataKeyId, ok);
    }
    return ok;
  };
  return {
    name: 'rotate',
    target: `${target.keyId}@v${target.keyVersion}:${table.columns.map((c) => c.column).join(',')}`,
    reads: table.columns.map((c) => c.column),
    async plan(rows) {
      const out: (RowChange | undefined)[] = new Array(rows.length);
      for (const col of table.columns) {
        const stale = new Set<number>();
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i]![col.column];
          if (!isCiphertext(v)) continue;
          // The header names the data key: enough to tell current from stale without decoding the body
          // (stale values are decrypted next, which checks them in full).
          const header = fieldHeader(v);
          if (!header) {
            throw new InvalidCiphertextError(`${table.table}.${col.column} holds a malformed field ciphertext`, {
              details: { table: table.table, column: col.column },
            });
          }
          if (!(await isCurrent(header.dataKeyId))) stale.add(i);
        }
        if (stale.size === 0) continue;
        const values = await decryptColumn(engine, col, rows, (i) => stale.has(i));
        const at = [...values.keys()];
        const sealed = await engine.encryptMany(at.map((i) => ({ value: values.get(i)!, location: col.location })));
        at.forEach((i, k) => {
          change(out, i, col.column, sealed[k]!);
        });
      }
      return out;
    },
  };
};

/** Recompute blind indexes under the spec's (new) index version; rows already on it are left alone. */
export const reindex = (table: ResolvedTable, engine: FieldEngine): Operation => {
  const indexed = table.columns.filter((c) => c.index);
  return {
    name: 'reindex',
    target: indexed.map((c) => `${c.index!.name}@v${c.index!.version ?? 1}`).join(','),
    reads: indexed.flatMap((c) => [c.column, c.index!.name]),
    async plan(rows, rowNames) {
      const out: (RowChange | undefined)[] = new Array(rows.length);
      for (const col of indexed) {
        const index = col.index!;
        const values = await decryptColumn(engine, col, rows, () => true);
        const hash = await engine.indexer(index);
        for (let i = 0; i < rows.length; i++) {
          const raw = rows[i]![col.column];
          if (raw === null || raw === undefined) continue;
          const value =
            values.get(i) ??
            fromColumn(raw, col.type, { table: table.table, column: col.column, row: i, rows: rowNames });
          const h = hash(value);
          if (rows[i]![index.name] !== h) change(out, i, index.name, h);
        }
      }
      return out;
    },
  };
};

/** The way out: ciphertexts back to plaintext text. Blind-index columns are left as they are. */
export const decrypt = (table: ResolvedTable, engine: FieldEngine): Operation => ({
  name: 'decrypt',
  target: table.columns.map((c) => c.column).join(','),
  reads: table.columns.map((c) => c.column),
  async plan(rows) {
    const out: (RowChange | undefined)[] = new Array(rows.length);
    for (const col of table.columns) {
      const values = await decryptColumn(engine, col, rows, () => true);
      for (const [i, v] of values) {
        change(out, i, col.column, toColumn(col.type === 'json' ? (v as { json: never }).json : (v as never)));
      }
    }
    return out;
  },
});
