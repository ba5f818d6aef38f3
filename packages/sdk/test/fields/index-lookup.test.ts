import { describe, expect, it } from 'vitest';
import type { BlindIndexDefinition } from '../../src/fields/blind-index.js';
import { errorOf, makeEngine, makeKeyCountingEngine } from './helpers.js';

const v3: BlindIndexDefinition = { name: 'emailHash', table: 'User', columns: ['email'], version: 3 };
const value = 'Alice@Example.com ';

describe('FieldEngine.indexLookup', () => {
  it('lists the current version first, then each previous version in the order given', async () => {
    const { engine } = await makeEngine();
    const lookup = await engine.indexLookup(v3, [1, 2]);
    const expected = [
      await engine.blindIndex(v3, value),
      await engine.blindIndex({ ...v3, version: 1 }, value),
      await engine.blindIndex({ ...v3, version: 2 }, value),
    ];
    expect(new Set(expected).size).toBe(3);
    expect(lookup(value)).toEqual(expected);
    expect((await engine.indexLookup(v3, [2, 1]))(value)).toEqual([expected[0], expected[2], expected[1]]);
  });

  it('is one value outside a re-index, and normalizes like blindIndex', async () => {
    const { engine } = await makeEngine();
    for (const previous of [undefined, []]) {
      const lookup = await engine.indexLookup(v3, previous);
      expect(lookup(value)).toEqual([await engine.blindIndex(v3, 'alice@example.com')]);
    }
  });

  it('takes a tuple for a compound index', async () => {
    const { engine } = await makeEngine();
    const def: BlindIndexDefinition = { name: 'nameCity', table: 'User', columns: ['name', 'city'], version: 2 };
    const got = (await engine.indexLookup(def, [1]))(['Ana', 'Madrid']);
    expect(got).toEqual([
      await engine.blindIndex(def, ['Ana', 'Madrid']),
      await engine.blindIndex({ ...def, version: 1 }, ['Ana', 'Madrid']),
    ]);
  });

  it('never repeats a value: a version listed twice is computed once', async () => {
    const { engine } = await makeEngine();
    const got = (await engine.indexLookup(v3, [2, 1, 2, 1]))(value);
    expect(got).toHaveLength(3);
    expect(new Set(got).size).toBe(3);
    expect(got).toEqual((await engine.indexLookup(v3, [2, 1]))(value));
  });

  it('refuses previous versions on sha3-compat (unkeyed: every version is one value)', async () => {
    const { engine } = await makeEngine();
    const compat: BlindIndexDefinition = {
      name: 'emailHash',
      table: 'User',
      columns: ['email'],
      algorithm: 'sha3-compat',
    };
    const e = await errorOf(() => engine.indexLookup(compat, [2]));
    expect(e.code).toBe('FIELD_CONFIG');
    expect(e.message).toContain('sha3-compat');
    // Without previous versions it is an ordinary (single-value) lookup.
    expect((await engine.indexLookup(compat))(value)).toEqual([await engine.blindIndex(compat, value)]);
  });

  it('refuses a list naming the current version (a bump that was not made), and bad versions', async () => {
    const { engine } = await makeEngine();
    for (const [def, previous] of [
      [v3, [2, 3]],
      [{ ...v3, version: undefined }, [1]],
      [v3, [0]],
      [v3, [1.5]],
    ] as const) {
      expect((await errorOf(() => engine.indexLookup(def, previous))).code).toBe('FIELD_CONFIG');
    }
    // A refused call is not remembered: the same definition still works with a valid list.
    expect((await engine.indexLookup(v3, [1]))(value)).toHaveLength(2);
  });

  it('derives each version key once, however often the lookup is asked for or used', async () => {
    const { engine, keyings } = await makeKeyCountingEngine();
    const first = await engine.indexLookup(v3, [2, 1]);
    for (let i = 0; i < 5; i++) {
      expect(await engine.indexLookup(v3, [2, 1])).toBe(first);
      first(`user${i}@example.com`);
    }
    expect(keyings()).toBe(3);
    engine.close();
    expect(await engine.indexLookup(v3, [2, 1])).not.toBe(first);
  });
});
