/**
 * Format vectors (test/fields/vectors/*.json): the bytes every ORM adapter must produce. Each is
 * checked against an independent computation with node:crypto where one exists.
 */
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeIndex, deriveIndexKey, resolveIndex, type BlindIndexDefinition } from '../../src/fields/blind-index.js';
import { fieldAad, parseField, serializeField } from '../../src/fields/format.js';
import { decodeValue, encodeValue } from '../../src/fields/value-codec.js';
import { fromHex, toBase64Url, toHex } from '../../src/crypto/bytes.js';
import { nodeAead } from '../../src/runtime/node.js';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as T;

interface FieldVector {
  type: string;
  value: unknown;
  location: { table: string; column: string; rowKey?: string };
  plaintextHex: string;
  aadHex: string;
  ciphertext: string;
}
const fv = load<{ keyHex: string; nonceHex: string; dataKeyId: string; fields: FieldVector[] }>('field-format.json');

const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const lp = (...parts: Buffer[]) => Buffer.concat(parts.flatMap((p) => [u32(p.length), p]));

describe('field ciphertext vectors', () => {
  for (const v of fv.fields) {
    it(`${v.type}: AAD, plaintext and ciphertext match the documented layout`, () => {
      const key = fromHex(fv.keyHex);
      const nonce = fromHex(fv.nonceHex);
      // AAD by hand, straight from docs/formats-fields.md.
      const aad = lp(
        Buffer.from('quantumapi/field/v1'),
        Buffer.from(`qf1.A256GCM.${fv.dataKeyId}`),
        Buffer.from(v.location.table),
        Buffer.from(v.location.column),
        Buffer.from([v.location.rowKey === undefined ? 0 : 1]),
        Buffer.from(v.location.rowKey ?? ''),
      );
      expect(aad.toString('hex')).toBe(v.aadHex);
      expect(toHex(fieldAad(fv.dataKeyId, v.location))).toBe(v.aadHex);
      const c = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
      const body = Buffer.concat([nonce, c.update(fromHex(v.plaintextHex)), c.final(), c.getAuthTag()]);
      expect(`qf1.A256GCM.${fv.dataKeyId}.${toBase64Url(body)}`).toBe(v.ciphertext);

      const parsed = parseField(v.ciphertext);
      const pt = nodeAead.open(key, parsed.nonce, parsed.sealed, fieldAad(parsed.dataKeyId, v.location));
      const decoded = decodeValue(pt);
      expect(decoded.type).toBe(v.type);
      expect(
        toHex(encodeValue(decoded.type === 'json' ? { json: decoded.value as never } : (decoded.value as never))),
      ).toBe(v.plaintextHex);
      expect(serializeField(fv.dataKeyId, nonce, nodeAead.seal(key, nonce, pt, aad))).toBe(v.ciphertext);
    });
  }
});

interface IndexVector {
  definition: BlindIndexDefinition;
  tenant: string;
  derivedKey: string;
  cases: { input: unknown; index: string }[];
}
const bv = load<{ rootKeyHex: string; indexes: IndexVector[]; sha3Compat: { input: string }[] }>('blind-index.json');

const toValues = (input: unknown) =>
  (Array.isArray(input) ? input : [input]).map((x) =>
    typeof x === 'object' && x !== null ? new Date((x as { date: string }).date) : (x as string),
  );

describe('blind index vectors', () => {
  const root = fromHex(bv.rootKeyHex);
  for (const v of bv.indexes) {
    it(`${v.definition.name} (${v.definition.algorithm ?? 'hmac-sha3-256'} v${v.definition.version ?? 1})`, () => {
      expect(toHex(deriveIndexKey(root, v.tenant, v.definition))).toBe(v.derivedKey);
      const r = resolveIndex(v.definition, root, v.tenant, undefined);
      for (const c of v.cases) expect(computeIndex(r, toValues(c.input))).toBe(c.index);
    });
  }

  it('hmac-sha3-256 is standard HMAC-SHA3-256 over the documented framing (checked with node:crypto)', () => {
    const v = bv.indexes.find(
      (i) => i.definition.name === 'emailHash' && !i.definition.algorithm && !i.definition.version,
    )!;
    const normalized = '  Alice@Example.COM '.normalize('NFC').trim().toLowerCase();
    const message = lp(
      Buffer.from('quantumapi/blind-index-input/v1'),
      Buffer.concat([Buffer.from([1]), Buffer.from(normalized)]),
    );
    const expected = createHmac('sha3-256', fromHex(v.derivedKey)).update(message).digest('hex');
    expect(v.cases[0]!.index).toBe(expected);
    expect(v.cases[1]!.index).toBe(expected); // same person, same index
  });

  it('sha3-compat is exactly lowercase hex SHA3-256 of trim(lowercase(value))', () => {
    const r = resolveIndex(
      { name: 'email_hash', table: 'users', columns: ['email'], algorithm: 'sha3-compat' },
      undefined,
      't',
      undefined,
    );
    for (const { input } of bv.sha3Compat) {
      const expected = createHash('sha3-256').update(input.toLowerCase().trim(), 'utf8').digest('hex');
      expect(computeIndex(r, [input])).toBe(expected);
    }
    expect(computeIndex(r, ['Alice@Example.com'])).toBe(computeIndex(r, ['  alice@example.COM ']));
  });
});
