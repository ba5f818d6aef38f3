import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/crypto/bytes.js';
import { createLocalVault } from '../../src/vault/local.js';
import { VaultNamespace } from '../../src/vault/namespace.js';
import { SecretValue } from '../../src/vault/secret-value.js';
import { makeContext } from './helpers.js';

/** Everything a real console.log writes, through node's own Console. */
const consoleOutput = (...args: unknown[]): string => {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  new Console({ stdout: sink, stderr: sink }).log(...args);
  return out;
};

const renderings = (v: unknown): string[] => [
  String(v),
  `${v}`,
  // biome-ignore lint/style/useTemplate: concatenation is one of the routes under test
  '' + v,
  JSON.stringify(v),
  JSON.stringify({ nested: { v } }),
  inspect(v),
  inspect({ nested: { deeper: [v] } }, { depth: 10, showHidden: true }),
  format('%s %o %O %j', v, v, v, v),
  consoleOutput(v),
  consoleOutput({ v }),
];

describe('SecretValue redaction', () => {
  it('shows [redacted] on every implicit route and the value only on reveal()', () => {
    const v = new SecretValue(utf8('sk_live_super_secret'), 'utf8');
    for (const r of renderings(v)) {
      expect(r).toContain('[redacted]');
      expect(r).not.toContain('sk_live');
    }
    expect(v.reveal()).toBe('sk_live_super_secret');
    expect(Object.keys(v)).toEqual([]);
    expect(Object.getOwnPropertySymbols(v)).toEqual([]);
  });

  it('hides any string or byte value (property)', () => {
    // What the renderings print does not depend on the value; strings that occur in them anyway
    // (" ", "[redacted]", "nested") cannot tell a leak apart and are skipped.
    const baseline = renderings(new SecretValue(utf8('x'), 'utf8')).join('\n');
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }).filter((s) => !baseline.includes(s)),
        (s) => {
          const v = new SecretValue(utf8(s), 'utf8');
          for (const r of renderings(v)) expect(r.includes(s)).toBe(false);
          expect(v.reveal()).toBe(s);
        },
      ),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (b) => {
        const v = new SecretValue(b, 'base64');
        expect(renderings(v).join('\n')).toBe(baseline);
        expect(v.revealBytes()).toEqual(b);
      }),
      { numRuns: 100 },
    );
  });

  it('owns its bytes: mutating the input or a revealed copy does not change it', () => {
    const input = utf8('abc');
    const v = new SecretValue(input, 'utf8');
    input[0] = 0x7a;
    v.revealBytes().fill(0);
    expect(v.reveal()).toBe('abc');
  });

  it('keeps a whole Secret from get() safe to log and serialize', async () => {
    const vault = new VaultNamespace(createLocalVault(makeContext()));
    await vault.create({ name: 'stripe-key', value: 'sk_live_abcdef123456', labels: { env: 'prod' } });
    const secret = await vault.get('stripe-key');
    for (const r of [JSON.stringify(secret), inspect(secret), consoleOutput(secret), `${secret.value}`]) {
      expect(r).not.toContain('sk_live_abcdef123456');
      expect(r).toContain('[redacted]');
    }
    expect(JSON.parse(JSON.stringify(secret))).toMatchObject({ name: 'stripe-key', value: '[redacted]', version: 1 });
  });
});
