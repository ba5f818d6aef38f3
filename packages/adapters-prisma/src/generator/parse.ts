/**
 * Reads `/// @encrypted(...)` schema comments into a manifest. Input is the small structural
 * subset of the generator's datamodel that we need, so this file has no Prisma dependency and
 * is unit-tested on plain objects.
 *
 *   /// @encrypted
 *   /// @encrypted(index: emailHash)
 *   /// @encrypted(type: date)
 *   /// @encrypted(index: phoneHash, normalize: phone, bytes: 16, algorithm: kmac256, version: 2)
 *   /// @encrypted(index: emailHash, version: 2, previousVersions: 1)   (re-index running)
 *   /// @encrypted(migration: accept-plaintext)
 *
 * List values (normalize, previousVersions) are pipe-separated: `previousVersions: 1|2`.
 */
import { FieldConfigError } from '@quantumapi/sdk/fields';
import { type EncryptedFieldSpec, type EncryptionManifest, type ModelSpec, resolveManifest } from '../manifest.js';

export interface DatamodelField {
  readonly name: string;
  readonly kind: string;
  readonly type: string;
  readonly dbName?: string | null;
  readonly documentation?: string;
  readonly isUnique?: boolean;
  readonly isId?: boolean;
  /** Absent counts as optional: the emitted type then admits null, which is never wrong. */
  readonly isRequired?: boolean;
}

export interface DatamodelModel {
  readonly name: string;
  readonly dbName?: string | null;
  readonly fields: readonly DatamodelField[];
}

const DIRECTIVE = /@encrypted(?:\(([^)]*)\))?/;
const KEYS = new Set(['index', 'type', 'normalize', 'algorithm', 'version', 'previousVersions', 'bytes', 'migration']);

export const parseDirective = (doc: string | undefined): Record<string, string> | undefined => {
  if (!doc) return undefined;
  const m = DIRECTIVE.exec(doc);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const body = (m[1] ?? '').trim();
  if (body === '') return out;
  for (const part of body.split(',')) {
    const [k, ...rest] = part.split(':');
    const key = (k ?? '').trim();
    const value = rest
      .join(':')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (!KEYS.has(key) || value === '') {
      throw new FieldConfigError(`@encrypted: unknown or empty option "${key}"`, { details: { option: key } });
    }
    out[key] = value;
  }
  return out;
};

const num = (s: string | undefined, what: string): number | undefined => {
  if (s === undefined) return undefined;
  if (!/^[0-9]+$/.test(s)) throw new FieldConfigError(`@encrypted: ${what} must be a positive integer`);
  return Number(s);
};

export const manifestFromDatamodel = (models: readonly DatamodelModel[]): EncryptionManifest => {
  const out: Record<string, ModelSpec> = {};
  const modelNames = new Set(models.map((m) => m.name));
  for (const model of models) {
    const fields: Record<string, EncryptedFieldSpec> = {};
    const relations: Record<string, string> = {};
    for (const f of model.fields) {
      if (f.kind === 'object' && modelNames.has(f.type)) relations[f.name] = f.type;
      const d = parseDirective(f.documentation);
      if (!d) continue;
      const where = `${model.name}.${f.name}`;
      if (f.kind !== 'scalar' || f.type !== 'String') {
        throw new FieldConfigError(`@encrypted field ${where} must be a String column (it stores ciphertext)`, {
          details: { field: where },
        });
      }
      let index: EncryptedFieldSpec['index'];
      if (d.index) {
        const col = model.fields.find((x) => x.name === d.index);
        if (col?.kind !== 'scalar' || col.type !== 'String') {
          throw new FieldConfigError(
            `@encrypted field ${where}: index column ${d.index} must be a String field of ${model.name}`,
            {
              details: { field: where },
            },
          );
        }
        index = {
          name: d.index,
          unique: col.isUnique === true || col.isId === true,
          ...(d.algorithm ? { algorithm: d.algorithm as 'hmac-sha3-256' } : {}),
          ...(d.version ? { version: num(d.version, 'version') } : {}),
          ...(d.previousVersions
            ? { previousVersions: d.previousVersions.split('|').map((v) => num(v.trim(), 'previousVersions')!) }
            : {}),
          ...(d.bytes ? { bytes: num(d.bytes, 'bytes') } : {}),
          ...(d.normalize ? { normalize: d.normalize.split('|').map((s) => s.trim()) as never } : {}),
        };
      }
      fields[f.name] = {
        ...(d.type ? { type: d.type as 'string' } : {}),
        ...(index ? { index } : {}),
        ...(f.dbName ? { column: f.dbName } : {}),
        ...(d.migration ? { migration: d.migration as 'accept-plaintext' } : {}),
      };
    }
    out[model.name] = {
      ...(model.dbName ? { table: model.dbName } : {}),
      ...(Object.keys(fields).length ? { fields } : {}),
      ...(Object.keys(relations).length ? { relations } : {}),
    };
  }
  const manifest: EncryptionManifest = { version: 1, models: out };
  // Fail at `prisma generate`, not at the first query: same checks as the runtime.
  resolveManifest(manifest);
  return manifest;
};

/** Prisma's client property for a model: `prisma.user` for `model User`. */
const modelProp = (model: string): string => model.charAt(0).toLowerCase() + model.slice(1);

/**
 * Each encrypted field's TypeScript type, as source text, per Prisma model property: the declared
 * value type, `| null` unless the column is required, `| string` while legacy plaintext passes
 * through (migration mode) for a non-string type.
 */
export const fieldTypesFromDatamodel = (
  models: readonly DatamodelModel[],
  manifest: EncryptionManifest,
): Record<string, Record<string, string>> => {
  const out: Record<string, Record<string, string>> = {};
  for (const model of models) {
    const specs = manifest.models[model.name]?.fields;
    if (!specs) continue;
    const types: Record<string, string> = {};
    for (const [name, spec] of Object.entries(specs)) {
      const type = spec.type ?? 'string';
      const required = model.fields.find((f) => f.name === name)?.isRequired === true;
      types[name] = [
        `FieldValueOf['${type}']`,
        ...(spec.migration && type !== 'string' ? ['string'] : []),
        ...(required ? [] : ['null']),
      ].join(' | ');
    }
    out[modelProp(model.name)] = types;
  }
  return out;
};

const propertyKey = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

const renderFieldTypes = (types: Record<string, Record<string, string>>): string[] => [
  "/** What each encrypted field reads as; Prisma's own types say String (the column holds ciphertext). */",
  'export type FieldTypes = {',
  ...Object.entries(types).flatMap(([model, fields]) => [
    `  ${propertyKey(model)}: {`,
    ...Object.entries(fields).map(([field, type]) => `    ${propertyKey(field)}: ${type};`),
    '  };',
  ]),
  '};',
];

/**
 * The generated module: the manifest as a plain object literal, type-checked against the
 * package's manifest type and carrying the field types that type the extended client's results.
 */
export const renderManifestModule = (
  manifest: EncryptionManifest,
  fieldTypes: Record<string, Record<string, string>> = {},
): string =>
  [
    '// Generated by @quantumapi/prisma from /// @encrypted schema comments. Do not edit.',
    "import type { EncryptionManifest, FieldValueOf, WithFieldTypes } from '@quantumapi/prisma';",
    '',
    ...renderFieldTypes(fieldTypes),
    '',
    `const manifest = ${JSON.stringify(manifest, null, 2)} as const satisfies EncryptionManifest;`,
    '',
    'export const encryptionManifest: typeof manifest & WithFieldTypes<FieldTypes> = manifest;',
    '',
    'export default encryptionManifest;',
    '',
  ].join('\n');
