/** Bulk APIs and migration mode. */
import { describe, expect, it } from 'vitest';
import { FieldEngine } from '../../src/fields/engine.js';
import { errorOf, makeEngine } from './helpers.js';

const loc = (column: string) => ({ table: 'User', column });

describe('bulk', () => {
  it('encrypts, decrypts and indexes many values with one data-key lookup', async () => {
    const { engine, backend, directory } = await makeEngine();
    const emails = Array.from({ length: 2000 }, (_, i) => `user${i}@example.com`);
    const cts = await engine.encryptMany(emails.map((value) => ({ value, location: loc('email') })));
    expect(backend.calls.generateDataKey).toBe(1);
    const reader = new FieldEngine({ backend, directory });
    const back = await reader.decryptMany(
      cts.map((ciphertext) => ({ ciphertext, location: loc('email'), type: 'string' as const })),
    );
    expect(back).toEqual(emails);
    expect(backend.calls.unwrapKey).toBe(1);
    const def = { name: 'emailHash', table: 'User', columns: ['email'] };
    const idx = await engine.blindIndexMany(def, emails);
    expect(new Set(idx).size).toBe(emails.length);
    expect(idx[7]).toBe(await engine.blindIndex(def, 'USER7@example.com'));
  });

  it('mixes types and columns in one call', async () => {
    const { engine } = await makeEngine();
    const dob = new Date('1990-05-17T00:00:00Z');
    const cts = await engine.encryptMany([
      { value: 'a@b.c', location: loc('email') },
      { value: dob, location: loc('dob') },
      { value: 12n, location: loc('credits') },
    ]);
    const [e, d, c] = await engine.decryptMany<'string' | 'date' | 'bigint'>([
      { ciphertext: cts[0]!, location: loc('email'), type: 'string' },
      { ciphertext: cts[1]!, location: loc('dob'), type: 'date' },
      { ciphertext: cts[2]!, location: loc('credits'), type: 'bigint' },
    ]);
    expect([e, d, c]).toEqual(['a@b.c', dob, 12n]);
  });

  it('fails closed on the first bad item', async () => {
    const { engine } = await makeEngine();
    const [a, b] = await engine.encryptMany([
      { value: 'x', location: loc('email') },
      { value: 'y', location: loc('email') },
    ]);
    const e = await errorOf(() =>
      engine.decryptMany([
        { ciphertext: a!, location: loc('email'), type: 'string' },
        { ciphertext: b!, location: loc('phone'), type: 'string' },
      ]),
    );
    expect(e.code).toBe('DECRYPTION_FAILED');
    expect(
      (await errorOf(() => engine.decryptMany([{ ciphertext: 'plain@text', location: loc('email'), type: 'string' }])))
        .code,
    ).toBe('INVALID_CIPHERTEXT');
  });
});

describe('bulk reads across data keys', () => {
  it('decrypts fields of interleaved data keys and passed-through plaintext, each in its place', async () => {
    const { engine, backend, directory } = await makeEngine({ cache: { maxUses: 7 } });
    const values = Array.from({ length: 40 }, (_, i) => (i % 3 === 2 ? `é-${i}` : `v${i}@example.com`));
    const cts: string[] = [];
    for (const v of values) cts.push(await engine.encrypt(v, loc('email')));
    expect(backend.calls.generateDataKey).toBe(6);
    // Deterministic shuffle, so that neighbouring fields mostly have different data keys.
    const order = values.map((_, i) => (i * 17) % values.length);
    const items = order.flatMap((i) => [
      { ciphertext: cts[i]!, location: loc('email'), type: 'string' as const },
      ...(i % 5 === 0 ? [{ ciphertext: `legacy-${i}`, location: loc('email'), type: 'string' as const }] : []),
    ]);
    const expected = order.flatMap((i) => [values[i], ...(i % 5 === 0 ? [`legacy-${i}`] : [])]);
    const reader = new FieldEngine({ backend, directory });
    expect(await reader.decryptMany(items, { migration: 'accept-plaintext' })).toEqual(expected);
    expect(reader.stats.unwrapped).toBe(6);
    // A bad body anywhere still fails the whole call with a typed error.
    const broken = items.map((it, j) => (j === 9 ? { ...it, ciphertext: `${cts[order[0]!]!.slice(0, -3)}*ab` } : it));
    expect((await errorOf(() => reader.decryptMany(broken))).code).toBe('INVALID_CIPHERTEXT');
  });
});

describe('migration mode', () => {
  it('accept-plaintext passes legacy plaintext through, but still authenticates ciphertexts', async () => {
    const { engine } = await makeEngine();
    const ct = await engine.encrypt('new@example.com', loc('email'));
    const opts = { migration: 'accept-plaintext' as const };
    expect(await engine.decrypt('legacy@example.com', 'string', loc('email'), opts)).toBe('legacy@example.com');
    expect(
      await engine.decryptMany(
        [
          { ciphertext: 'legacy@example.com', location: loc('email'), type: 'string' as const },
          { ciphertext: ct, location: loc('email'), type: 'string' as const },
        ],
        opts,
      ),
    ).toEqual(['legacy@example.com', 'new@example.com']);
    expect((await errorOf(() => engine.decrypt(ct, 'string', loc('phone'), opts))).code).toBe('DECRYPTION_FAILED');
    expect((await errorOf(() => engine.decrypt(`${ct.slice(0, -2)}zz`, 'string', loc('email'), opts))).code).toMatch(
      /DECRYPTION_FAILED|INVALID_CIPHERTEXT/,
    );
  });

  it('without it, plaintext in an encrypted column is an error', async () => {
    const { engine } = await makeEngine();
    expect((await errorOf(() => engine.decrypt('legacy@example.com', 'string', loc('email')))).code).toBe(
      'INVALID_CIPHERTEXT',
    );
  });
});

describe('synchronous sealer and indexer', () => {
  it('encrypts up to its budget on one key, then refuses', async () => {
    const { engine, backend } = await makeEngine();
    const s = await engine.sealer(3);
    const cts = [s.encrypt('a', loc('email')), s.encrypt(2, loc('n')), s.encrypt(true, loc('b'))];
    expect(s.remaining).toBe(0);
    expect(() => s.encrypt('d', loc('email'))).toThrow(expect.objectContaining({ code: 'KEY_STATE' }));
    expect(await engine.decrypt(cts[1]!, 'number', loc('n'))).toBe(2);
    expect(backend.calls.generateDataKey).toBe(1);
  });

  it('a sealer whose key was wiped refuses instead of encrypting under zeros', async () => {
    const { engine } = await makeEngine();
    const s = await engine.sealer(10);
    engine.close();
    expect(() => s.encrypt('a', loc('email'))).toThrow(expect.objectContaining({ code: 'KEY_STATE' }));
  });

  it('the indexer gives the same indexes as blindIndex', async () => {
    const { engine } = await makeEngine();
    const def = { name: 'emailHash', table: 'User', columns: ['email'] };
    const ix = await engine.indexer(def);
    expect(ix('A@b.c')).toBe(await engine.blindIndex(def, 'a@b.c'));
  });
});
