/**
 * The encryption manifest: which columns are encrypted, how they are indexed, and the relation
 * graph needed to follow nested reads and writes. Written by hand or emitted by the generator
 * from `/// @encrypted` schema comments, so nothing depends on Prisma's DMMF at run time.
 */
import {
  BLIND_INDEX_ALGORITHMS,
  type BlindIndexDefinition,
  FIELD_VALUE_TYPES,
  FieldConfigError,
  type FieldValueType,
  type MigrationMode,
  NORMALIZERS,
  previousIndexDefinitions,
  type Normalizer,
  type NormalizerName,
} from '@quantumapi/sdk/fields';
import { z } from 'zod';

export { FIELD_VALUE_TYPES };

export interface EncryptedFieldIndexSpec {
  /** The column holding the blind index (a String column in the schema). */
  readonly name: string;
  readonly algorithm?: BlindIndexDefinition['algorithm'];
  /** The version writes use (default 1). Bump it, with the old one in `previousVersions`, to re-key. */
  readonly version?: number;
  /**
   * Versions still present in the table while a re-index runs (`qapi migrate reindex`): lookups
   * match the value's index under `version` or under any of these; writes always use `version`.
   * Remove them once the re-index is done: each one adds a candidate to every lookup.
   */
  readonly previousVersions?: readonly number[];
  readonly normalize?: readonly (NormalizerName | Normalizer)[];
  readonly bytes?: number;
  /** The index column is @unique: `findUnique({ where: { email } })` resolves through it. */
  readonly unique?: boolean;
}

export interface EncryptedFieldSpec {
  /** What the application reads and writes; the column itself is a String. Default "string". */
  readonly type?: FieldValueType;
  readonly index?: string | EncryptedFieldIndexSpec;
  /** Database column name when it differs from the field name (`@map`). Bound into the AAD. */
  readonly column?: string;
  readonly migration?: MigrationMode;
}

export interface ModelSpec {
  /** Database table name (`@@map`); default the model name. Bound into the AAD. */
  readonly table?: string;
  readonly fields?: Readonly<Record<string, EncryptedFieldSpec>>;
  /** Relation fields of this model and the model they point to, e.g. `{ posts: 'Post' }`. */
  readonly relations?: Readonly<Record<string, string>>;
}

export interface EncryptionManifest {
  readonly version: 1;
  readonly models: Readonly<Record<string, ModelSpec>>;
}

export interface ResolvedIndex extends BlindIndexDefinition {
  readonly unique: boolean;
  /**
   * The same index under each of its `previousVersions` (none outside a re-index): lookups match
   * these too. Same definition but for the version, which is what `@quantumapi/cli` derives the
   * keys of rows it has not re-indexed yet from, and what the TypeORM adapter builds.
   */
  readonly previous: readonly BlindIndexDefinition[];
}

export interface ResolvedField {
  readonly model: string;
  readonly field: string;
  readonly type: FieldValueType;
  readonly location: { readonly table: string; readonly column: string };
  readonly index: ResolvedIndex | undefined;
  readonly migration: MigrationMode | undefined;
}

export interface ResolvedModel {
  readonly name: string;
  readonly fields: ReadonlyMap<string, ResolvedField>;
  /** Index column -> the encrypted field it indexes. */
  readonly indexColumns: ReadonlyMap<string, ResolvedField>;
  readonly relations: ReadonlyMap<string, string>;
}

export interface ResolvedManifest {
  readonly models: ReadonlyMap<string, ResolvedModel>;
}

const normalizerSchema = z.union([
  z.enum(Object.keys(NORMALIZERS) as [NormalizerName, ...NormalizerName[]]),
  z.object({ id: z.string().min(1), apply: z.custom<(s: string) => string>((f) => typeof f === 'function') }),
]);

const indexSchema = z.object({
  name: z.string().min(1),
  algorithm: z.enum(BLIND_INDEX_ALGORITHMS).optional(),
  version: z.number().int().positive().optional(),
  previousVersions: z.array(z.number().int().positive()).optional(),
  normalize: z.array(normalizerSchema).optional(),
  bytes: z.number().int().min(8).max(32).optional(),
  unique: z.boolean().optional(),
});

const manifestSchema = z.object({
  version: z.literal(1),
  models: z.record(
    z.string().min(1),
    z.object({
      table: z.string().min(1).optional(),
      fields: z
        .record(
          z.string().min(1),
          z.object({
            type: z.enum(FIELD_VALUE_TYPES).optional(),
            index: z.union([z.string().min(1), indexSchema]).optional(),
            column: z.string().min(1).optional(),
            migration: z.literal('accept-plaintext').optional(),
          }),
        )
        .optional(),
      relations: z.record(z.string().min(1), z.string().min(1)).optional(),
    }),
  ),
});

/**
 * The index definition the engine computes: name = index column, columns = [source column], the
 * shape the TypeORM adapter and `@quantumapi/cli` build too, so all three derive the same keys.
 */
const resolveIndex = (idx: EncryptedFieldIndexSpec, table: string, column: string): ResolvedIndex => {
  const definition: BlindIndexDefinition = {
    name: idx.name,
    table,
    columns: [column],
    ...(idx.algorithm ? { algorithm: idx.algorithm } : {}),
    ...(idx.version ? { version: idx.version } : {}),
    ...(idx.normalize ? { normalize: idx.normalize } : {}),
    ...(idx.bytes ? { bytes: idx.bytes } : {}),
  };
  const previous = previousIndexDefinitions(definition, idx.previousVersions);
  return { ...definition, unique: idx.unique ?? false, previous };
};

/** Identity with type checking, for hand-written manifests. */
export const defineEncryptionManifest = <const M extends EncryptionManifest>(manifest: M): M => manifest;

export const resolveManifest = (manifest: EncryptionManifest): ResolvedManifest => {
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) {
    // Paths, plus our own rules' wording; never zod's default messages, which may echo values.
    const where = [
      ...new Set(parsed.error.issues.map((i) => i.path.join('.') + (i.code === 'custom' ? ` (${i.message})` : ''))),
    ].join(', ');
    throw new FieldConfigError(`invalid encryption manifest at ${where}`);
  }
  const models = new Map<string, ResolvedModel>();
  for (const [name, spec] of Object.entries(manifest.models)) {
    const table = spec.table ?? name;
    const fields = new Map<string, ResolvedField>();
    const indexColumns = new Map<string, ResolvedField>();
    for (const [field, f] of Object.entries(spec.fields ?? {})) {
      const column = f.column ?? field;
      const idx = typeof f.index === 'string' ? { name: f.index } : f.index;
      const resolved: ResolvedField = {
        model: name,
        field,
        type: f.type ?? 'string',
        location: { table, column },
        index: idx ? resolveIndex(idx, table, column) : undefined,
        migration: f.migration,
      };
      if (idx && (fields.has(idx.name) || indexColumns.has(idx.name) || spec.fields?.[idx.name])) {
        throw new FieldConfigError(`model ${name}: index column ${idx.name} is used twice`, {
          details: { model: name, column: idx.name },
        });
      }
      fields.set(field, resolved);
      if (idx) indexColumns.set(idx.name, resolved);
    }
    models.set(name, { name, fields, indexColumns, relations: new Map(Object.entries(spec.relations ?? {})) });
  }
  for (const m of models.values()) {
    for (const [rel, target] of m.relations) {
      if (!models.has(target)) {
        throw new FieldConfigError(
          `model ${m.name}: relation ${rel} points to ${target}, which the manifest does not list`,
          {
            details: { model: m.name, relation: rel },
          },
        );
      }
    }
  }
  return { models };
};
