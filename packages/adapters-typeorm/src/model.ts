/**
 * Joins the decorator records with TypeORM's entity metadata: database table and column names
 * (which the AAD and the blind-index keys bind, so Prisma and TypeORM agree on them), value types,
 * and the index definitions the engine computes.
 */
import { InvalidInputError } from '@quantumapi/sdk';
import type {
  BlindIndexDefinition,
  FieldLocation,
  FieldValue,
  FieldValueType,
  MigrationMode,
} from '@quantumapi/sdk/fields';
import { FieldConfigError, FieldUnsupportedOperationError, previousIndexDefinitions } from '@quantumapi/sdk/fields';
import type { EntityMetadata } from 'typeorm';
import { hasSpecs, specOf } from './decorators.js';

export interface ResolvedIndex {
  /** Entity property holding the index. */
  readonly property: string;
  /** What writes use: the index under its current `version`. */
  readonly definition: BlindIndexDefinition;
  /**
   * The same index under each of its `previousVersions` (none once a re-index is done): lookups
   * match these too. Same shape as `definition` but for the version, which is what the migration
   * engine (`@quantumapi/cli`) derives the keys of rows it has not re-indexed yet from.
   */
  readonly previous: readonly BlindIndexDefinition[];
}

export interface ResolvedField {
  readonly entity: string;
  readonly property: string;
  readonly type: FieldValueType;
  readonly location: FieldLocation;
  readonly migration: MigrationMode | undefined;
  readonly index: ResolvedIndex | undefined;
}

export interface ResolvedEntity {
  readonly name: string;
  readonly table: string;
  readonly fields: ReadonlyMap<string, ResolvedField>;
  /** Index property -> the encrypted field it indexes. */
  readonly indexes: ReadonlyMap<string, ResolvedField>;
}

const cache = new WeakMap<EntityMetadata, ResolvedEntity | null>();

/** The encryption model of an entity, or undefined when it has no encrypted columns. */
export const resolveEntity = (metadata: EntityMetadata): ResolvedEntity | undefined => {
  const hit = cache.get(metadata);
  if (hit !== undefined) return hit ?? undefined;
  const resolved = build(metadata);
  cache.set(metadata, resolved ?? null);
  return resolved;
};

const build = (metadata: EntityMetadata): ResolvedEntity | undefined => {
  const name = metadata.name;
  const table = metadata.tableName;
  const encrypted = new Map<string, { column: string; type: FieldValueType; migration: MigrationMode | undefined }>();
  const indexSpecs: {
    property: string;
    column: string;
    spec: Extract<ReturnType<typeof specOf>, { kind: 'index' }>;
  }[] = [];
  for (const column of metadata.columns) {
    if (typeof column.target !== 'function' || !hasSpecs(column.target)) continue;
    const spec = specOf(column.target, column.propertyName);
    if (!spec) continue;
    // A decorated property inside an embedded class would be written by paths we do not see.
    if (column.embeddedMetadata) {
      throw new FieldConfigError(
        `${name}.${column.propertyPath}: encrypted columns in embedded entities are not supported`,
        {
          details: { entity: name, property: column.propertyPath },
        },
      );
    }
    if (spec.kind === 'encrypted') {
      encrypted.set(column.propertyName, { column: column.databaseName, type: spec.type, migration: spec.migration });
    } else {
      indexSpecs.push({ property: column.propertyName, column: column.databaseName, spec });
    }
  }
  if (encrypted.size === 0 && indexSpecs.length === 0) return undefined;

  const indexOf = new Map<string, ResolvedIndex>();
  for (const { property, column, spec } of indexSpecs) {
    const o = spec.options;
    const source = encrypted.get(o.of);
    if (!source) {
      throw new FieldConfigError(`${name}.${property}: @BlindIndex of ${o.of}, which is not an @Encrypted property`, {
        details: { entity: name, property },
      });
    }
    if (indexOf.has(o.of)) {
      throw new FieldConfigError(`${name}.${o.of} has two blind indexes`, {
        details: { entity: name, property: o.of },
      });
    }
    if (o.compat && source.type !== 'string') {
      throw new FieldConfigError(`${name}.${property}: compat sha3 indexes string columns only`, {
        details: { entity: name, property },
      });
    }
    // Same shape as the Prisma adapter's manifest: name = index column, columns = [source column].
    const definition: BlindIndexDefinition = {
      name: column,
      table,
      columns: [source.column],
      unique: o.unique ?? false,
      ...(o.compat ? { algorithm: 'sha3-compat' as const } : o.algorithm ? { algorithm: o.algorithm } : {}),
      ...(o.version ? { version: o.version } : {}),
      ...(o.normalize ? { normalize: o.normalize } : {}),
      ...(o.bytes ? { bytes: o.bytes } : {}),
    };
    const previous = previousIndexDefinitions(definition, o.previousVersions);
    indexOf.set(o.of, { property, definition, previous });
  }

  const fields = new Map<string, ResolvedField>();
  const indexes = new Map<string, ResolvedField>();
  for (const [property, e] of encrypted) {
    const f: ResolvedField = {
      entity: name,
      property,
      type: e.type,
      location: { table, column: e.column },
      migration: e.migration,
      index: indexOf.get(property),
    };
    fields.set(property, f);
    if (f.index) indexes.set(f.index.property, f);
  }
  return { name, table, fields, indexes };
};

const hasDeclaredType = (f: ResolvedField, v: unknown): boolean => {
  switch (f.type) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'bigint':
      return typeof v === 'bigint';
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return v instanceof Date;
    case 'bytes':
      return v instanceof Uint8Array;
    case 'json':
      return v !== undefined && typeof v !== 'function';
  }
};

/** Application value -> typed field value, checked against the declared type. Never echoes the value. */
export const toFieldValue = (f: ResolvedField, v: unknown): FieldValue => {
  if (!hasDeclaredType(f, v)) {
    throw new InvalidInputError(`value for encrypted column ${f.entity}.${f.property} must be a ${f.type}`, {
      details: { entity: f.entity, property: f.property, expected: f.type },
    });
  }
  return f.type === 'json' ? { json: v as never } : (v as FieldValue);
};

export const unsupported = (f: ResolvedField, operation: string, why?: string): FieldUnsupportedOperationError =>
  new FieldUnsupportedOperationError(
    `${operation} is not supported on encrypted column ${f.entity}.${f.property}${why ? `: ${why}` : ''}`,
    { details: { entity: f.entity, property: f.property, column: f.location.column, operation } },
  );
