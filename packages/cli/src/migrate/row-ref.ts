/**
 * How a migration error names a row. A primary key can be personal data (an email, a phone
 * number), and error messages end up in terminals, CI logs and tickets: the key is shown only when
 * it evidently is not personal data, that is, the key column is an integer or UUID column and the
 * value looks like one. Any other key is withheld, not hashed (an unkeyed hash of an email is
 * itself a lookup key for that email), and the row is named by its position instead: the n-th
 * row, in primary-key order, after the job's checkpoint cursor (the `cursor` of the job's row in
 * quantumapi_migrations) or from the table's start:
 *
 *   SELECT * FROM t WHERE pk > (SELECT cursor FROM quantumapi_migrations WHERE id = $jobId)::<pk type>
 *   ORDER BY pk OFFSET $rowPosition - 1 LIMIT 1
 */

/** Where positions count from: the job's checkpoint cursor, or the table's first row. */
export type RowOrigin = 'job-cursor' | 'table-start';

export type RowDetails =
  | { readonly rowKey: string }
  | {
      readonly rowKeyWithheld: true;
      readonly rowPosition: number;
      readonly rowsAfter: RowOrigin;
      readonly jobId: string;
    };

export interface RowRef {
  /** For a message: `row 42`, or `row #3 after the job's cursor, key withheld`. */
  readonly text: string;
  /** For error details: the key where it may be shown, else the position and the job. */
  readonly details: RowDetails;
}

/** Names row i of a batch; only called when an error is being built. */
export type RowNamer = (i: number) => RowRef;

/** `format_type` names of key columns whose values are never personal data. */
const SAFE_KEY_TYPES = new Set(['smallint', 'integer', 'bigint', 'uuid']);
const INTEGER = /^-?\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a key of a column of this type may appear in an error. Both the column type and the
 * value count: digits in a text column may be a phone number or a national id.
 */
export const showableRowKey = (keyType: string, key: string): boolean =>
  SAFE_KEY_TYPES.has(keyType) && (INTEGER.test(key) || UUID.test(key));

/**
 * The namer for one batch: `keyType` is the key column's `format_type`, `keys` the batch's keys
 * as text, `firstPosition` the position of its first row counted from `after` (1, unless a dry run
 * has read earlier batches without moving the cursor).
 */
export const batchRowNamer =
  (o: {
    readonly keyType: string;
    readonly keys: readonly string[];
    readonly after: RowOrigin;
    readonly firstPosition: number;
    readonly jobId: string;
  }): RowNamer =>
  (i) => {
    const key = o.keys[i];
    if (key !== undefined && showableRowKey(o.keyType, key)) return { text: `row ${key}`, details: { rowKey: key } };
    const rowPosition = o.firstPosition + i;
    const where = o.after === 'job-cursor' ? "after the job's cursor" : 'from the start of the table';
    return {
      text: `row #${rowPosition} ${where}, key withheld`,
      details: { rowKeyWithheld: true, rowPosition, rowsAfter: o.after, jobId: o.jobId },
    };
  };
