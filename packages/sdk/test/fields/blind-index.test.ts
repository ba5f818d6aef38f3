/** Blind indexes: equality-preserving after normalization, separated per tenant/table/column/version. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BlindIndexDefinition, previousIndexDefinitions } from '../../src/fields/blind-index.js';
import { FieldEngine } from '../../src/fields/engine.js';
import { MemoryDataKeyDirectory, INDEX_ROOT_ID } from '../../src/fields/data-key-directory.js';
import { errorOf, localBackend, makeEngine, makeKeyCountingEngine } from './helpers.js';

const email: BlindIndexDefinition = { name: 'emailHash', table: 'User', columns: ['email'], unique: true };

describe('blind index', () => {
  it('is keyed: 64 hex chars, and not the bare SHA3 of the value', async () => {
    const { engine } = await makeEngine();
    const idx = await engine.blindIndex(email, 'alice@example.com');
    expect(idx).toMatch(/^[0-9a-f]{64}$/);
    const compat = await engine.blindIndex({ ...email, algorithm: 'sha3-compat' }, 'alice@example.com');
    expect(idx).not.toBe(compat);
  });

  it('maps case, surrounding space and Unicode composition variants to one index', async () => {
    const { engine } = await makeEngine();
    const base = await engine.blindIndex(email, 'élodie@exemple.fr');
    for (const v of ['Élodie@Exemple.FR', '  élodie@exemple.fr\t', 'e\u0301lodie@exemple.fr']) {
      expect(await engine.blindIndex(email, v)).toBe(base);
    }
  });

  it('different normalized values give different indexes (property)', async () => {
    const { engine } = await makeEngine();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), async (a, b) => {
        const n = (s: string) => s.normalize('NFC').trim().toLowerCase();
        fc.pre(n(a) !== n(b));
        expect(await engine.blindIndex(email, a)).not.toBe(await engine.blindIndex(email, b));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the current and previous version of an index resolved side by side (one key derivation each)', async () => {
    const { engine, keyings } = await makeKeyCountingEngine();
    const v2: BlindIndexDefinition = { ...email, version: 2 };
    // A re-index in progress: every lookup computes the value under both versions.
    for (let i = 0; i < 5; i++) {
      await engine.blindIndex(v2, `user${i}@example.com`);
      await engine.blindIndex(email, `user${i}@example.com`);
    }
    expect(keyings()).toBe(2);
  });

  it('previous versions: one rule set for every adapter and the migration engine', () => {
    const v3: BlindIndexDefinition = { ...email, version: 3 };
    expect(previousIndexDefinitions(v3, [2, 1, 2]).map((d) => d.version)).toEqual([2, 1]);
    expect(previousIndexDefinitions(v3, undefined)).toEqual([]);
    for (const [def, previous] of [
      [v3, [3]],
      [email, [1]],
      [{ ...email, algorithm: 'sha3-compat' as const }, [2]],
      [v3, [0]],
    ] as const) {
      expect(() => previousIndexDefinitions(def, previous)).toThrow(expect.objectContaining({ code: 'FIELD_CONFIG' }));
    }
  });

  it('separates tables, columns, versions, algorithms and tenants', async () => {
    const backend = await localBackend();
    const directory = new MemoryDataKeyDirectory();
    const a = new FieldEngine({ backend, directory, tenant: 'a' });
    const b = new FieldEngine({ backend, directory, tenant: 'b' });
    const v = 'alice@example.com';
    const seen = new Set<string>([
      await a.blindIndex(email, v),
      await b.blindIndex(email, v),
      await a.blindIndex({ ...email, table: 'Customer' }, v),
      await a.blindIndex({ ...email, columns: ['backupEmail'] }, v),
      await a.blindIndex({ ...email, version: 2 }, v),
      await a.blindIndex({ ...email, algorithm: 'kmac256' }, v),
    ]);
    expect(seen.size).toBe(6);
  });

  it('the index root is generated once per tenant, stored wrapped, and shared through the directory', async () => {
    const backend = await localBackend();
    const directory = new MemoryDataKeyDirectory();
    const first = new FieldEngine({ backend, directory });
    const x = await first.blindIndex(email, 'bob@example.com');
    expect(backend.calls.generateDataKey).toBe(1);
    const rec = await directory.get('default', INDEX_ROOT_ID);
    expect(rec?.purpose).toBe('index-root');
    const second = new FieldEngine({ backend, directory });
    expect(await second.blindIndex(email, 'Bob@Example.com')).toBe(x);
    expect(backend.calls.generateDataKey).toBe(1);
    expect(backend.calls.unwrapKey).toBe(1);
  });

  it('two engines racing to create the root agree on one', async () => {
    const backend = await localBackend();
    const directory = new MemoryDataKeyDirectory();
    const [x, y] = await Promise.all([
      new FieldEngine({ backend, directory }).blindIndex(email, 'z@z.z'),
      new FieldEngine({ backend, directory }).blindIndex(email, 'z@z.z'),
    ]);
    expect(x).toBe(y);
  });

  it('compound indexes frame their parts (no ambiguity between ("ab","c") and ("a","bc"))', async () => {
    const { engine } = await makeEngine();
    const def: BlindIndexDefinition = { name: 'nameCity', table: 'User', columns: ['name', 'city'] };
    expect(await engine.blindIndex(def, ['ab', 'c'])).not.toBe(await engine.blindIndex(def, ['a', 'bc']));
    expect(await engine.blindIndex(def, ['Ana', 'Madrid'])).toBe(await engine.blindIndex(def, [' ana', 'MADRID ']));
    expect((await errorOf(() => engine.blindIndex(def, ['only-one']))).code).toBe('INVALID_INPUT');
  });

  it('typed values index by type: 1 (number) and "1" (string) differ', async () => {
    const { engine } = await makeEngine();
    const def: BlindIndexDefinition = { name: 'h', table: 'T', columns: ['c'] };
    expect(await engine.blindIndex(def, 1)).not.toBe(await engine.blindIndex(def, '1'));
    expect(await engine.blindIndex(def, new Date(5))).toBe(await engine.blindIndex(def, new Date(5)));
  });

  it('truncation keeps a prefix of the full MAC', async () => {
    const { engine } = await makeEngine();
    const full = await engine.blindIndex(email, 'a@b.c');
    expect(await engine.blindIndex({ ...email, bytes: 16 }, 'a@b.c')).toBe(full.slice(0, 32));
    expect((await errorOf(() => engine.blindIndex({ ...email, bytes: 4 }, 'a@b.c'))).code).toBe('FIELD_CONFIG');
  });

  it('custom normalizers (and built-in phone) apply in order', async () => {
    const { engine } = await makeEngine();
    const digits = { id: 'digits@1', apply: (s: string) => s.replace(/\D/g, '') };
    const def: BlindIndexDefinition = { name: 'p', table: 'T', columns: ['phone'], normalize: [digits] };
    expect(await engine.blindIndex(def, '600-12-34')).toBe(await engine.blindIndex(def, '600 12 34'));
    const phone: BlindIndexDefinition = { name: 'p2', table: 'T', columns: ['phone'], normalize: ['phone'] };
    expect(await engine.blindIndex(phone, '+34 600 123 456')).toBe(await engine.blindIndex(phone, '+34600123456'));
    expect(
      (await errorOf(() => engine.blindIndex({ ...def, name: 'q', normalize: ['nope' as never] }, 'x'))).code,
    ).toBe('FIELD_CONFIG');
  });

  it('an injected node:crypto HMAC gives the same indexes as the noble default', async () => {
    const backend = await localBackend();
    const directory = new MemoryDataKeyDirectory();
    const noble = new FieldEngine({ backend, directory });
    const native = new FieldEngine({
      backend,
      directory,
      hmacSha3_256: (k, m) => new Uint8Array(createHmac('sha3-256', k).update(m).digest()),
    });
    await fc.assert(
      fc.asyncProperty(fc.string(), async (s) => {
        expect(await native.blindIndex(email, s)).toBe(await noble.blindIndex(email, s));
      }),
      { numRuns: 50 },
    );
  });

  it('sha3-compat rejects options it cannot honour', async () => {
    const { engine } = await makeEngine();
    expect((await errorOf(() => engine.blindIndex({ ...email, algorithm: 'sha3-compat', bytes: 16 }, 'x'))).code).toBe(
      'FIELD_CONFIG',
    );
    expect((await errorOf(() => engine.blindIndex({ ...email, algorithm: 'sha3-compat' }, 5))).code).toBe(
      'INVALID_INPUT',
    );
  });
});
