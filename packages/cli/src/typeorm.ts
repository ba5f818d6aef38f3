/**
 * `@quantumapi/cli/typeorm`: the migration table spec of a TypeORM entity, built from the very
 * model the TypeORM adapter encrypts with (its decorator records joined with TypeORM's metadata),
 * so a migration binds the same table and column names into the AAD and index keys and the
 * adapter reads every row it writes. A separate entry point: the main one needs no TypeORM.
 */
import { FieldConfigError } from '@quantumapi/sdk';
import { type ResolvedField, resolveEntity } from '@quantumapi/typeorm';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { type ColumnSpec, type IndexSpec, resolveTable, type TableSpec } from './migrate/spec.js';

const indexSpec = (f: ResolvedField): IndexSpec | undefined => {
  if (!f.index) return undefined;
  const d = f.index.definition;
  const previous = f.index.previous.map((p) => p.version ?? 1);
  return {
    name: d.name,
    ...(d.algorithm ? { algorithm: d.algorithm } : {}),
    ...(d.version ? { version: d.version } : {}),
    ...(previous.length ? { previousVersions: previous } : {}),
    ...(d.normalize ? { normalize: d.normalize } : {}),
    ...(d.bytes ? { bytes: d.bytes } : {}),
  };
};

/**
 * The table spec of an entity with `@Encrypted` / `@BlindIndex` columns: database table (schema-
 * qualified when the entity or DataSource names a schema), its single-column primary key, and each
 * encrypted column with its value type and blind index (`version` and `previousVersions` included).
 * Pass an initialized DataSource that lists the entity (TypeORM builds entity metadata on
 * `initialize()`). Throws FieldConfigError for an uninitialized DataSource, an unknown entity,
 * one without encrypted columns, or a compound primary key.
 */
export const tableFromTypeormEntity = (dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): TableSpec => {
  if (!dataSource.isInitialized) throw new FieldConfigError('initialize the DataSource first');
  if (!dataSource.hasMetadata(entity)) {
    throw new FieldConfigError('the entity is not part of this DataSource');
  }
  const metadata = dataSource.getMetadata(entity);
  const model = resolveEntity(metadata);
  if (!model || model.fields.size === 0) {
    throw new FieldConfigError(`entity ${metadata.name} has no @Encrypted columns`, {
      details: { entity: metadata.name },
    });
  }
  const [pk, ...more] = metadata.primaryColumns;
  if (!pk || more.length > 0) {
    throw new FieldConfigError(`entity ${metadata.name}: a migration needs a single-column primary key`, {
      details: { entity: metadata.name },
    });
  }
  const columns: Record<string, ColumnSpec> = {};
  for (const f of model.fields.values()) {
    const index = indexSpec(f);
    columns[f.location.column] = { type: f.type, ...(index ? { index } : {}) };
  }
  const spec: TableSpec = {
    table: metadata.schema ? `${metadata.schema}.${model.table}` : model.table,
    aadTable: model.table,
    primaryKey: pk.databaseName,
    columns,
  };
  resolveTable(spec); // names a migration cannot handle fail here, not halfway through a run
  return spec;
};
