/** Schema comments -> manifest, and manifest validation. Plain objects: no Prisma process needed. */
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JsonValue } from '@quantumapi/sdk/fields';
import {
  fieldTypesFromDatamodel,
  manifestFromDatamodel,
  parseDirective,
  renderManifestModule,
} from '../src/generator/parse.js';
import type { EncryptedFieldTypes } from '../src/index.js';
import { defineEncryptionManifest, type EncryptedFieldIndexSpec, resolveManifest } from '../src/manifest.js';

const s = (name: string, documentation?: string, extra: object = {}) => ({
  name,
  kind: 'scalar',
  type: 'String',
  ...(documentation ? { documentation } : {}),
  ...extra,
});

describe('@encrypted directive', () => {
  it('parses the bare form and options', () => {
    expect(parseDirective('Primary e-mail\n@encrypted')).toEqual({});
    expect(parseDirective('@encrypted(index: emailHash, normalize: nfc|trim, bytes: 16)')).toEqual({
      index: 'emailHash',
      normalize: 'nfc|trim',
      bytes: '16',
    });
    expect(parseDirective('just a comment')).toBeUndefined();
    expect(parseDirective(undefined)).toBeUndefined();
  });

  it('rejects unknown or empty options with FIELD_CONFIG', () => {
    expect(() => parseDirective('@encrypted(indx: emailHash)')).toThrow(
      expect.objectContaining({ code: 'FIELD_CONFIG' }),
    );
    expect(() => parseDirective('@encrypted(index: )')).toThrow(expect.objectContaining({ code: 'FIELD_CONFIG' }));
  });
});

describe('manifest from the datamodel', () => {
  const models = [
    {
      name: 'User',
      dbName: 'users',
      fields: [
        { name: 'id', kind: 'scalar', type: 'Int', isId: true },
        s('email', '@encrypted(index: emailHash)', { dbName: 'email_ct' }),
        s('emailHash', undefined, { isUnique: true }),
        s('dob', '@encrypted(type: date)'),
        { name: 'posts', kind: 'object', type: 'Post' },
      ],
    },
    { name: 'Post', fields: [s('note', '@encrypted'), { name: 'author', kind: 'object', type: 'User' }] },
  ];

  it('records encrypted fields, index uniqueness, @map/@@map names and relations', () => {
    const m = manifestFromDatamodel(models);
    expect(m).toEqual({
      version: 1,
      models: {
        User: {
          table: 'users',
          fields: {
            email: { index: { name: 'emailHash', unique: true }, column: 'email_ct' },
            dob: { type: 'date' },
          },
          relations: { posts: 'Post' },
        },
        Post: { fields: { note: {} }, relations: { author: 'User' } },
      },
    });
    const r = resolveManifest(m);
    expect(r.models.get('User')?.fields.get('email')?.location).toEqual({ table: 'users', column: 'email_ct' });
  });

  it('reads previousVersions (pipe-separated) for a re-index, and checks it like the runtime does', () => {
    const reindexing = (doc: string) => [
      { name: 'U', fields: [s('email', doc), s('emailHash', undefined, { isUnique: true })] },
    ];
    expect(
      manifestFromDatamodel(reindexing('@encrypted(index: emailHash, version: 3, previousVersions: 1|2)')).models.U,
    ).toEqual({
      fields: { email: { index: { name: 'emailHash', unique: true, version: 3, previousVersions: [1, 2] } } },
    });
    for (const bad of [
      '@encrypted(index: emailHash, version: 2, previousVersions: 2)', // the current version
      '@encrypted(index: emailHash, previousVersions: 1)', // current is 1 by default
      '@encrypted(index: emailHash, version: 2, previousVersions: one)',
      '@encrypted(index: emailHash, version: 2, previousVersions: 0)',
      '@encrypted(index: emailHash, algorithm: sha3-compat, version: 2, previousVersions: 1)',
    ]) {
      expect(() => manifestFromDatamodel(reindexing(bad)), bad).toThrow(
        expect.objectContaining({ code: 'FIELD_CONFIG' }),
      );
    }
  });

  it('refuses @encrypted on a non-String column and an index column that does not exist', () => {
    const bad1 = [{ name: 'U', fields: [{ name: 'age', kind: 'scalar', type: 'Int', documentation: '@encrypted' }] }];
    expect(() => manifestFromDatamodel(bad1)).toThrow(expect.objectContaining({ code: 'FIELD_CONFIG' }));
    const bad2 = [{ name: 'U', fields: [s('email', '@encrypted(index: nope)')] }];
    expect(() => manifestFromDatamodel(bad2)).toThrow(/index column nope/);
  });

  it('renders a typed module', () => {
    const text = renderManifestModule(manifestFromDatamodel(models));
    expect(text).toContain('as const satisfies EncryptionManifest');
    expect(text).toContain('"emailHash"');
  });

  it('emits each encrypted field type: declared type, | null unless required, | string while plaintext passes', () => {
    const datamodel = [
      {
        name: 'AuditLog',
        fields: [
          s('actor', '@encrypted', { isRequired: true }),
          s('at', '@encrypted(type: date)', { isRequired: true }),
          s('payload', '@encrypted(type: json)'),
          s('legacyAge', '@encrypted(type: number, migration: accept-plaintext)', { isRequired: false }),
          s('legacyNote', '@encrypted(migration: accept-plaintext)'),
        ],
      },
      { name: 'Plain', fields: [s('x')] },
    ];
    const types = fieldTypesFromDatamodel(datamodel, manifestFromDatamodel(datamodel));
    expect(types).toEqual({
      auditLog: {
        actor: "FieldValueOf['string']",
        at: "FieldValueOf['date']",
        payload: "FieldValueOf['json'] | null",
        legacyAge: "FieldValueOf['number'] | string | null",
        legacyNote: "FieldValueOf['string'] | null",
      },
    });
    const text = renderManifestModule(manifestFromDatamodel(datamodel), types);
    expect(text).toContain("  auditLog: {\n    actor: FieldValueOf['string'];");
    expect(text).toContain('export const encryptionManifest: typeof manifest & WithFieldTypes<FieldTypes> = manifest;');
  });

  it('the test schema produced the manifest the adapter tests run on (real prisma generate)', () => {
    const text = readFileSync(new URL('./prisma/sqlite/generated/quantumapi-manifest.ts', import.meta.url), 'utf8');
    expect(text).toContain('"normalize": [\n              "phone"\n            ]');
    expect(text).toContain('"migration": "accept-plaintext"');
  });
});

describe('field types of a hand-written manifest', () => {
  it('derives them from the specs: declared type or string, nullable, | string in migration mode', () => {
    const m = defineEncryptionManifest({
      version: 1,
      models: {
        User: { fields: { email: { index: 'emailHash' }, dob: { type: 'date' }, prefs: { type: 'json' } } },
        LegacyRow: { fields: { amount: { type: 'bigint', migration: 'accept-plaintext' } } },
        Plain: {},
      },
    });
    type T = EncryptedFieldTypes<typeof m>;
    expectTypeOf<T['user']>().toEqualTypeOf<{ email: string | null; dob: Date | null; prefs: JsonValue | null }>();
    expectTypeOf<T['legacyRow']>().toEqualTypeOf<{ amount: bigint | string | null }>();
    expectTypeOf<keyof T['plain']>().toEqualTypeOf<never>();
  });
});

describe('manifest validation', () => {
  const withIndex = (index: EncryptedFieldIndexSpec) =>
    resolveManifest(defineEncryptionManifest({ version: 1, models: { U: { fields: { email: { index } } } } }));

  it('previousVersions: the same index under each old version, for lookups; writes keep the current one', () => {
    const idx = withIndex({ name: 'h', version: 3, previousVersions: [1, 2, 1], normalize: ['trim'], bytes: 16 })
      .models.get('U')
      ?.fields.get('email')?.index;
    expect(idx).toMatchObject({ name: 'h', table: 'U', columns: ['email'], version: 3, unique: false });
    expect(idx?.previous).toEqual([
      { name: 'h', table: 'U', columns: ['email'], version: 1, normalize: ['trim'], bytes: 16 },
      { name: 'h', table: 'U', columns: ['email'], version: 2, normalize: ['trim'], bytes: 16 },
    ]);
    expect(withIndex({ name: 'h' }).models.get('U')?.fields.get('email')?.index?.previous).toEqual([]);
  });

  it('rejects previousVersions holding the current version, non-positive versions, or on sha3-compat', () => {
    const config = expect.objectContaining({ code: 'FIELD_CONFIG' });
    expect(() => withIndex({ name: 'h', version: 2, previousVersions: [1, 2] })).toThrow(config);
    expect(() => withIndex({ name: 'h', previousVersions: [1] })).toThrow(/must not contain the current version/);
    expect(() => withIndex({ name: 'h', version: 2, previousVersions: [0] })).toThrow(config);
    expect(() => withIndex({ name: 'h', version: 2, previousVersions: [1.5] })).toThrow(config);
    expect(() => withIndex({ name: 'h', algorithm: 'sha3-compat', version: 2, previousVersions: [1] })).toThrow(
      /sha3-compat has no versions/,
    );
  });

  it('rejects unknown types, relations to unlisted models and reused index columns', () => {
    expect(() =>
      resolveManifest({ version: 1, models: { U: { fields: { a: { type: 'date-time' as never } } } } }),
    ).toThrow(expect.objectContaining({ code: 'FIELD_CONFIG' }));
    expect(() => resolveManifest({ version: 1, models: { U: { relations: { p: 'Post' } } } })).toThrow(/Post/);
    expect(() =>
      resolveManifest({ version: 1, models: { U: { fields: { a: { index: 'h' }, b: { index: 'h' } } } } }),
    ).toThrow(expect.objectContaining({ code: 'FIELD_CONFIG' }));
  });
});
