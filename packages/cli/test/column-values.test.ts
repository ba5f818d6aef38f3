/**
 * Column text <-> typed values, the step before a backfill encrypts a cell. A value that does not
 * parse must stop the batch: encrypting a mangled reading would overwrite the plaintext for good.
 */
import { describe, expect, it } from 'vitest';
import { fromColumn, toColumn } from '../src/migrate/column-values.js';
import { batchRowNamer } from '../src/migrate/row-ref.js';

const ref = {
  table: 'files',
  column: 'blob',
  row: 0,
  rows: batchRowNamer({ keyType: 'integer', keys: ['7'], after: 'job-cursor', firstPosition: 1, jobId: 'j' }),
};

describe('bytes columns', () => {
  it('round-trips canonical Base64', () => {
    const bytes = new Uint8Array([0, 255, 1, 254, 0xc3, 0x28]);
    const text = toColumn(bytes);
    expect(text).toBe('AP8B/sMo');
    expect(fromColumn(text, 'bytes', ref)).toEqual(bytes);
  });

  it.each([
    ['a lone character', 'A'],
    ['non-zero trailing bits', 'QR=='],
    ['missing padding', 'QQ'],
    ['URL-safe characters', 'AP8B_sMo'],
    ['whitespace', 'AP8B /sMo'],
  ])('refuses %s instead of decoding it to other bytes', (_what, raw) => {
    expect(() => fromColumn(raw, 'bytes', ref)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
