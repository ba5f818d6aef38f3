/**
 * The If-None-Match parser and matcher (RFC 9110 §13.1.2, §8.8.3) and the 304 helper the public
 * reads share: examples for each rule, and properties over generated lists.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../src/app.js';
import { conditionalGet, type EntityTag, ifNoneMatchHits, parseIfNoneMatch, strongEtag } from '../src/conditional.js';

const tag = (opaque: string, weak = false): EntityTag => ({ weak, opaque: `"${opaque}"` });

describe('strongEtag', () => {
  it('is the quoted base64url SHA-256 of the bytes, a string hashing as its UTF-8', () => {
    const t = strongEtag('héllo');
    expect(t).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(t).toBe(`"${createHash('sha256').update(Buffer.from('héllo', 'utf8')).digest('base64url')}"`);
    expect(strongEtag(new TextEncoder().encode('héllo'))).toBe(t);
    expect(strongEtag('hello')).not.toBe(t);
    expect(parseIfNoneMatch(t)).toEqual([{ weak: false, opaque: t }]);
  });
});

describe('parseIfNoneMatch', () => {
  it('reads *, single tags, weak tags and lists with empty elements and OWS', () => {
    expect(parseIfNoneMatch('*')).toBe('*');
    expect(parseIfNoneMatch(' \t* ')).toBe('*');
    expect(parseIfNoneMatch('"a"')).toEqual([tag('a')]);
    expect(parseIfNoneMatch('W/"a"')).toEqual([tag('a', true)]);
    expect(parseIfNoneMatch('""')).toEqual([tag('')]);
    expect(parseIfNoneMatch('"a", W/"b" ,"c"')).toEqual([tag('a'), tag('b', true), tag('c')]);
    expect(parseIfNoneMatch(' , "a",, \t,"b",')).toEqual([tag('a'), tag('b')]);
    // etagc: %x21 / %x23-7E / obs-text, so `W/`, `*`, `,` and a backslash are opaque-tag content.
    expect(parseIfNoneMatch('"W/*,\\"')).toEqual([tag('W/*,\\')]);
    expect(parseIfNoneMatch('"\u00e9\u00ff"')).toEqual([tag('\u00e9\u00ff')]);
    // #entity-tag allows an empty list: it matches nothing.
    expect(parseIfNoneMatch('')).toEqual([]);
    expect(parseIfNoneMatch(' , ,')).toEqual([]);
  });

  it('refuses malformed fields whole', () => {
    for (const bad of [
      'a',
      '"a',
      'a"',
      '"a"b',
      '"a" "b"',
      '"a";"b"',
      'w/"a"',
      'W/ "a"',
      'W/',
      '"a b"',
      '"a\tb"',
      '"\u0100"',
      '**',
      '*, "a"',
      '"a", *',
      '"a\\"b"',
    ])
      expect(parseIfNoneMatch(bad), bad).toBeUndefined();
  });
});

describe('ifNoneMatchHits', () => {
  const current = strongEtag('representation');

  it('matches *, the tag, the tag inside a list, and its weak form (weak comparison)', () => {
    expect(ifNoneMatchHits('*', current)).toBe(true);
    expect(ifNoneMatchHits(current, current)).toBe(true);
    expect(ifNoneMatchHits(`"other", ${current}`, current)).toBe(true);
    expect(ifNoneMatchHits(`W/${current}`, current)).toBe(true);
  });

  it('does not match absent, other, differently quoted or malformed fields', () => {
    expect(ifNoneMatchHits(undefined, current)).toBe(false);
    expect(ifNoneMatchHits('', current)).toBe(false);
    expect(ifNoneMatchHits('"other"', current)).toBe(false);
    expect(ifNoneMatchHits(current.slice(1, -1), current)).toBe(false);
    expect(ifNoneMatchHits(`${current} ${current}`, current)).toBe(false);
    expect(ifNoneMatchHits(`*, ${current}`, current)).toBe(false);
  });
});

// etagc as a string of byte-valued code points (what a header value holds).
const etagc = fc.oneof(
  fc.constant('!'),
  fc.integer({ min: 0x23, max: 0x7e }).map((n) => String.fromCharCode(n)),
  fc.integer({ min: 0x80, max: 0xff }).map((n) => String.fromCharCode(n)),
);
const entityTag = fc.record({
  weak: fc.boolean(),
  opaque: fc.array(etagc, { maxLength: 12 }).map((cs) => `"${cs.join('')}"`),
});
const ows = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 2 }).map((s) => s.join(''));
// A list separator: at least one comma, maybe empty elements, OWS anywhere.
const separator = fc.array(ows, { minLength: 2, maxLength: 4 }).map((parts) => parts.join(','));
const serialize = (tags: readonly EntityTag[]) => tags.map((t) => `${t.weak ? 'W/' : ''}${t.opaque}`);

describe('If-None-Match properties', () => {
  it('parses any list it is sent, whatever the separators, to exactly its tags', () => {
    fc.assert(
      fc.property(
        fc.array(entityTag, { maxLength: 6 }),
        fc.array(separator, { minLength: 7, maxLength: 7 }),
        ows,
        ows,
        (tags, seps, lead, trail) => {
          const parts = serialize(tags);
          const field = lead + parts.map((p, i) => (i === 0 ? p : `${seps[i]}${p}`)).join('') + trail;
          expect(parseIfNoneMatch(field)).toEqual(tags);
        },
      ),
    );
  });

  it('matches exactly when some listed tag has the same opaque part, weak or not', () => {
    fc.assert(
      fc.property(fc.array(entityTag, { maxLength: 6 }), entityTag, (tags, current) => {
        const strong = current.opaque;
        expect(ifNoneMatchHits(serialize(tags).join(', '), strong)).toBe(tags.some((t) => t.opaque === strong));
      }),
    );
  });

  it('never throws, and whatever it accepts reads back the same once re-serialized', () => {
    const noisy = fc
      .array(fc.constantFrom('"', 'W', '/', ',', ' ', '\t', '*', 'a', 'w', '\\', '\u00ff', '\u0100', '\x7f'), {
        maxLength: 24,
      })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.oneof(noisy, fc.string()), (field) => {
        const parsed = parseIfNoneMatch(field);
        if (parsed === undefined || parsed === '*') return;
        for (const t of parsed) expect(t.opaque).toMatch(/^"[\x21\x23-\x7e\x80-\xff]*"$/);
        expect(parseIfNoneMatch(serialize(parsed).join(','))).toEqual(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('conditionalGet', () => {
  const etag = strongEtag('body');
  const app = new Hono<AppEnv>();
  app.get('/r', (c) =>
    conditionalGet(c, { etag, cacheControl: 'public, max-age=30' }, () =>
      c.body('body', 200, { 'content-type': 'text/plain' }),
    ),
  );

  it('sends the body with ETag and Cache-Control', async () => {
    const r = await app.request('/r', { headers: { 'if-none-match': '"stale"' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe(etag);
    expect(r.headers.get('cache-control')).toBe('public, max-age=30');
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(await r.text()).toBe('body');
  });

  it('answers a match with 304: the same ETag and Cache-Control, no body, no Content-Type', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await app.request('/r', { method, headers: { 'if-none-match': `W/${etag}` } });
      expect(r.status).toBe(304);
      expect(r.headers.get('etag')).toBe(etag);
      expect(r.headers.get('cache-control')).toBe('public, max-age=30');
      expect(r.headers.get('content-type')).toBeNull();
      expect(r.body).toBeNull();
    }
  });
});
