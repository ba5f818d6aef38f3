/**
 * `@Encrypted()` and `@BlindIndex()`: each declares the TypeORM column it stands on (so the column
 * type never depends on emitDecoratorMetadata) and records what the subscriber must do with it.
 * The records are kept per class and property; `resolveEntity` joins them with TypeORM's metadata.
 */
import type {
  BlindIndexAlgorithm,
  FieldValueType,
  MigrationMode,
  Normalizer,
  NormalizerName,
} from '@quantumapi/sdk/fields';
import { FIELD_VALUE_TYPES, FieldConfigError } from '@quantumapi/sdk/fields';
import { Column } from 'typeorm';
import { z } from 'zod';

export { FIELD_VALUE_TYPES };

export interface EncryptedOptions {
  /** What the application reads and writes; the column itself is TEXT. Default "string". */
  readonly type?: FieldValueType;
  /** Database column name. Bound into the AAD, so it must match other ORMs reading the table. */
  readonly name?: string;
  readonly nullable?: boolean;
  readonly select?: boolean;
  /** Values without the `qf1.` prefix are read as they are while a column is being migrated. */
  readonly migration?: MigrationMode;
}

export interface BlindIndexOptions {
  /** The `@Encrypted()` property this column indexes. */
  readonly of: string;
  /** Default nfc, trim, lowercase (versioned: changing it needs a new `version`). */
  readonly normalize?: readonly (NormalizerName | Normalizer)[];
  /** `sha3`: exactly lowercase hex SHA3-256 of trim(lowercase(value)) (`SearchableEmail`). */
  readonly compat?: 'sha3';
  /** Keyed MAC; default hmac-sha3-256. Ignored with `compat`. */
  readonly algorithm?: Exclude<BlindIndexAlgorithm, 'sha3-compat'>;
  /** The version writes use (default 1). Bump it, with the old one in `previousVersions`, to re-key. */
  readonly version?: number;
  /**
   * Versions still present in the table while a re-index runs (`qapi migrate reindex`): equality
   * lookups match the value's index under `version` or under any of these. Writes always use
   * `version`. Remove them once the re-index is done: each one adds a candidate to every lookup.
   */
  readonly previousVersions?: readonly number[];
  /** Truncate the MAC to this many bytes (8..32, default 32). */
  readonly bytes?: number;
  /** A UNIQUE constraint on the index column: the database rejects a duplicate value. */
  readonly unique?: boolean;
  readonly name?: string;
  /** Default true: the index is null whenever the encrypted value is. */
  readonly nullable?: boolean;
}

export type FieldSpec =
  | { readonly kind: 'encrypted'; readonly type: FieldValueType; readonly migration: MigrationMode | undefined }
  | { readonly kind: 'index'; readonly options: BlindIndexOptions };

const specs = new WeakMap<object, Map<string, FieldSpec>>();

/** The spec declared on exactly this class (not its parents) for a property. */
export const specOf = (target: object, property: string): FieldSpec | undefined => specs.get(target)?.get(property);

/** True when any class declares specs: lets resolveEntity skip plain entities cheaply. */
export const hasSpecs = (target: object): boolean => specs.has(target);

const record = (ctor: object, property: string | symbol, spec: FieldSpec): void => {
  if (typeof property !== 'string') throw new FieldConfigError('encrypted properties must have string names');
  let m = specs.get(ctor);
  if (!m) {
    m = new Map();
    specs.set(ctor, m);
  }
  if (m.has(property)) {
    throw new FieldConfigError(`property ${property} carries two QuantumAPI decorators`, { details: { property } });
  }
  m.set(property, spec);
};

const encryptedSchema = z.object({
  type: z.enum(FIELD_VALUE_TYPES).optional(),
  name: z.string().min(1).optional(),
  nullable: z.boolean().optional(),
  select: z.boolean().optional(),
  migration: z.literal('accept-plaintext').optional(),
});

const indexSchema = z.object({
  of: z.string().min(1),
  normalize: z
    .array(z.union([z.string().min(1), z.object({ id: z.string().min(1), apply: z.custom<(s: string) => string>() })]))
    .optional(),
  compat: z.literal('sha3').optional(),
  algorithm: z.enum(['hmac-sha3-256', 'kmac256']).optional(),
  version: z.number().int().positive().optional(),
  previousVersions: z.array(z.number().int().positive()).optional(),
  bytes: z.number().int().min(8).max(32).optional(),
  unique: z.boolean().optional(),
  name: z.string().min(1).optional(),
  nullable: z.boolean().optional(),
});

const check = <T>(schema: z.ZodType<T>, value: unknown, what: string): void => {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new FieldConfigError(`invalid ${what} options at ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
};

/** An encrypted column: TEXT holding a `qf1.` field ciphertext; the property holds the typed value. */
export function Encrypted(options: EncryptedOptions = {}): PropertyDecorator {
  check(encryptedSchema, options, '@Encrypted');
  return (target, property) => {
    Column({
      type: 'text',
      ...(options.name ? { name: options.name } : {}),
      ...(options.nullable !== undefined ? { nullable: options.nullable } : {}),
      ...(options.select !== undefined ? { select: options.select } : {}),
    })(target, property);
    record(target.constructor, property, {
      kind: 'encrypted',
      type: options.type ?? 'string',
      migration: options.migration,
    });
  };
}

/** A blind-index column, written by the adapter from the `of` property; lowercase hex. */
export function BlindIndex(options: BlindIndexOptions): PropertyDecorator {
  check(indexSchema, options, '@BlindIndex');
  if (options.compat && (options.normalize || options.bytes !== undefined || options.algorithm)) {
    throw new FieldConfigError('@BlindIndex with compat: sha3 takes no normalize, bytes or algorithm');
  }
  // The compat hash is unkeyed: every version gives the same value, so there is nothing to re-index.
  if (options.compat && options.previousVersions?.length) {
    throw new FieldConfigError('@BlindIndex with compat: sha3 takes no previousVersions');
  }
  return (target, property) => {
    Column({
      type: 'varchar',
      length: 2 * (options.bytes ?? 32),
      nullable: options.nullable ?? true,
      ...(options.unique ? { unique: true } : {}),
      ...(options.name ? { name: options.name } : {}),
    })(target, property);
    record(target.constructor, property, { kind: 'index', options });
  };
}
