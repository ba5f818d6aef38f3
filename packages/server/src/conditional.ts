/**
 * Conditional GET for the anonymous public reads (OIDC discovery and JWKS, the public CA chain and
 * CRL), which relying parties poll: a strong `ETag` on every successful response, and a request
 * whose `If-None-Match` matches it answered `304 Not Modified` with no body (RFC 9110 §13.1.2,
 * §15.4.5). A 304 saves the body, not the request: callers apply the rate limit first.
 *
 * Tags are a hash of the exact bytes sent, so each representation has its own (the DER and PEM
 * forms of one CRL differ), and every process serving the same bytes agrees on the tag.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from './app.js';

/** One entity tag of a request's list; `opaque` keeps its double quotes (RFC 9110 §8.8.3). */
export interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

/** `*` (any current representation), or the listed tags (possibly none). */
export type IfNoneMatch = '*' | readonly EntityTag[];

/** A strong entity tag for exactly these bytes (a string counts as its UTF-8 encoding). */
export const strongEtag = (content: Uint8Array | string): string =>
  `"${createHash('sha256').update(content).digest('base64url')}"`;

const isOws = (code: number): boolean => code === 0x20 || code === 0x09;
// etagc = %x21 / %x23-7E / obs-text; header values reach us as byte strings (code points <= 0xFF).
const isEtagc = (code: number): boolean =>
  code === 0x21 || (code >= 0x23 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);

/**
 * The field's value per RFC 9110 §13.1.2 (`"*" / #entity-tag`, empty list elements accepted as
 * §5.6.1.2 requires), or `undefined` when it is malformed. A malformed field is ignored rather than
 * half-read: a full 200 is always a correct answer, a 304 on a misread field is not.
 */
export const parseIfNoneMatch = (value: string): IfNoneMatch | undefined => {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  if (end - start === 1 && value[start] === '*') return '*';
  const tags: EntityTag[] = [];
  let i = start;
  // Each turn: separators (commas and OWS, so empty elements), then one tag, then OWS.
  while (i < end) {
    const c = value.charCodeAt(i);
    if (c === 0x2c || isOws(c)) {
      i++;
      continue;
    }
    // `W/` is case-sensitive (%s"W/").
    const weak = value.startsWith('W/', i);
    if (weak) i += 2;
    if (i >= end || value[i] !== '"') return undefined;
    const open = i++;
    while (i < end && isEtagc(value.charCodeAt(i))) i++;
    if (i >= end || value[i] !== '"') return undefined;
    i++;
    tags.push({ weak, opaque: value.slice(open, i) });
    while (i < end && isOws(value.charCodeAt(i))) i++;
    if (i < end && value[i] !== ',') return undefined;
  }
  return tags;
};

/**
 * Whether the request's `If-None-Match` (absent: `undefined`) matches the current representation's
 * tag: `*`, or any listed tag by weak comparison (opaque tags equal, `W/` ignored; §8.8.3.2).
 */
export const ifNoneMatchHits = (header: string | undefined, etag: string): boolean => {
  if (header === undefined) return false;
  const parsed = parseIfNoneMatch(header);
  if (parsed === undefined) return false;
  if (parsed === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  return parsed.some((t) => t.opaque === opaque);
};

export interface Validators {
  /** The representation's strong tag, from `strongEtag`. */
  readonly etag: string;
  readonly cacheControl: string;
}

/**
 * A successful read: `304` with the same ETag and Cache-Control and no body when the client's copy
 * is current (no Content-Type either: §15.4.5 lists what a 304 carries), else `send()`'s 200 with
 * both headers added.
 */
export const conditionalGet = (c: Context<AppEnv>, validators: Validators, send: () => Response): Response => {
  c.header('etag', validators.etag);
  c.header('cache-control', validators.cacheControl);
  if (ifNoneMatchHits(c.req.header('if-none-match'), validators.etag)) return c.body(null, 304);
  return send();
};
