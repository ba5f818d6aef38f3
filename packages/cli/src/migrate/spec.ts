/**
 * What a migration works on: one table, its primary key, and its encrypted columns with their
 * value types and blind indexes. The field locations (table, column) and index definitions built
 * here are exactly the ones the Prisma and TypeORM adapters build, so the adapters read what a
 * migration writes: the AAD binds the database table and column names, never model names.
 */
import {
  BLIND_INDEX_ALGORITHMS,
  type BlindIndexDefinition,
  FIELD_VALUE_TYPES,
  FieldConfigError,
  type FieldValueType,
  NORMALIZERS,
  previousIndexDefinitions,
  type Normalizer,
  type NormalizerName,
} from '@quantumapi/sdk';
import { z } from 'zod';

export { FIELD_VALUE_TYPES };

export interface IndexSpec {
  /** The column holding the blind index. */
  readonly name: string;
  readonly algorithm?: BlindIndexDefinition['algorithm'];
  /** The version new writes (and a re-index) use. Default 1. */
  readonly version?: number;
  /** Versions still present in the table while a re-index runs: lookups search these too. */
  readonly previousVersions?: readonly number[];
  readonly normalize?: readonly (NormalizerName | Normalizer)[];
  readonly bytes?: number;
}

export interface ColumnSpec {
  /** What the application reads and writes. Default "string". */
  readonly type?: FieldValueType;
  readonly index?: string | IndexSpec;
}

export interface TableSpec {
  /** Database table name, optionally schema-qualified (`app.users`). Bound into the AAD as written in `aadTable` or here. */
  readonly table: string;
  /** Single-column primary key: the keyset the migration pages by. */
  readonly primaryKey: string;
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  /**
   * The table name the adapters bind into the AAD and index keys when it differs from `table`
   * (e.g. `table: 'app.users'` while the ORM maps the model to `users`).
   */
  readonly aadTable?: string;
}

export interface ResolvedColumn {
  readonly column: string;
  readonly type: FieldValueType;
  readonly location: { readonly table: string; readonly column: string };
  readonly index: BlindIndexDefinition | undefined;
  readonly previousIndexVersions: readonly number[];
}

export interface ResolvedTable {
  readonly table: string;
  readonly primaryKey: string;
  readonly columns: readonly ResolvedColumn[];
}

// Plain SQL identifiers only: they are quoted, but a name outside this set is a config mistake.
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
const ident = z.string().regex(IDENT, 'must be a plain SQL identifier');

const normalizerSchema = z.union([
  z.enum(Object.keys(NORMALIZERS) as [NormalizerName, ...NormalizerName[]]),
  z.object({ id: z.string().min(1), apply: z.custom<(s: string) => string>((f) => typeof f === 'function') }),
]);

const indexSchema = z.strictObject({
  name: ident,
  algorithm: z.enum(BLIND_INDEX_ALGORITHMS).optional(),
  version: z.number().int().positive().optional(),
  previousVersions: z.array(z.number().int().positive()).optional(),
  normalize: z.array(normalizerSchema).optional(),
  bytes: z.number().int().min(8).max(32).optional(),
});

const tableSchema = z.strictObject({
  table: z.string().regex(/^([A-Za-z_][A-Za-z0-9_$]{0,62}\.)?[A-Za-z_][A-Za-z0-9_$]{0,62}$/),
  primaryKey: ident,
  columns: z
    .record(
      ident,
      z.strictObject({ type: z.enum(FIELD_VALUE_TYPES).optional(), index: z.union([ident, indexSchema]).optional() }),
    )
    .refine((c) => Object.keys(c).length > 0, 'at least one column'),
  aadTable: z.string().min(1).optional(),
});

export const resolveTable = (spec: TableSpec): ResolvedTable => {
  const parsed = tableSchema.safeParse(spec);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new FieldConfigError(`invalid table spec at ${where}`, { details: { table: String(spec?.table) } });
  }
  const aadTable = spec.aadTable ?? spec.table.split('.').pop()!;
  const seen = new Set<string>([spec.primaryKey]);
  const columns: ResolvedColumn[] = [];
  for (const [column, c] of Object.entries(spec.columns)) {
    const idx = typeof c.index === 'string' ? { name: c.index } : c.index;
    for (const name of idx ? [column, idx.name] : [column]) {
      if (seen.has(name)) {
        throw new FieldConfigError(`table ${spec.table}: column ${name} is used twice`, {
          details: { table: spec.table, column: name },
        });
      }
      seen.add(name);
    }
    const index: BlindIndexDefinition | undefined = idx
      ? {
          name: idx.name,
          table: aadTable,
          columns: [column],
          ...(idx.algorithm ? { algorithm: idx.algorithm } : {}),
          ...(idx.version ? { version: idx.version } : {}),
          ...(idx.normalize ? { normalize: idx.normalize } : {}),
          ...(idx.bytes ? { bytes: idx.bytes } : {}),
        }
      : undefined;
    columns.push({
      column,
      type: c.type ?? 'string',
      location: { table: aadTable, column },
      index,
      previousIndexVersions: index
        ? previousIndexDefinitions(index, idx?.previousVersions).map((d) => d.version ?? 1)
        : [],
    });
  }
  return { table: spec.table, primaryKey: spec.primaryKey, columns };
};

/**
 * The Prisma adapter's encryption manifest (`defineEncryptionManifest` / the generator's output),
 * structurally: a plain object, so this package needs no dependency on `@quantumapi/prisma`.
 */
export interface PrismaManifestLike {
  readonly version: 1;
  readonly models: Readonly<
    Record<
      string,
      {
        readonly table?: string;
        readonly fields?: Readonly<
          Record<
            string,
            {
              readonly type?: FieldValueType;
              readonly column?: string;
              // `unique` is the adapter's (findUnique through the index); a migration has no use for it.
              readonly index?: string | (IndexSpec & { readonly unique?: boolean });
            }
          >
        >;
      }
    >
  >;
}

/** A table spec from one model of a Prisma encryption manifest; the primary key column is yours to name. */
export const tableFromPrismaManifest = (
  manifest: PrismaManifestLike,
  model: string,
  options: { readonly primaryKey: string; readonly schema?: string },
): TableSpec => {
  const m = manifest?.models?.[model];
  if (!m) throw new FieldConfigError(`the manifest has no model ${model}`, { details: { model } });
  const table = m.table ?? model;
  const columns: Record<string, ColumnSpec> = {};
  for (const [field, f] of Object.entries(m.fields ?? {})) {
    let index: string | IndexSpec | undefined = f.index;
    if (typeof index === 'object') {
      const { unique: _unique, ...spec } = index as IndexSpec & { readonly unique?: boolean };
      index = spec;
    }
    columns[f.column ?? field] = { ...(f.type ? { type: f.type } : {}), ...(index ? { index } : {}) };
  }
  return {
    table: options.schema ? `${options.schema}.${table}` : table,
    aadTable: table,
    primaryKey: options.primaryKey,
    columns,
  };
};
