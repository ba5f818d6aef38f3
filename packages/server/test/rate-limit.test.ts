import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/rate-limit.js';

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('RateLimiter', () => {
  it('refuses past the burst and says when to retry', () => {
    const c = clock();
    const l = new RateLimiter({ ratePerSecond: 2, burst: 3, now: c.now });
    expect([1, 2, 3].map(() => l.take('a').ok)).toEqual([true, true, true]);
    expect(l.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    c.advance(500);
    expect(l.take('a').ok).toBe(true);
  });

  it('a full table does not hand an exhausted client a fresh bucket (no reset by many new keys)', () => {
    const c = clock();
    const l = new RateLimiter({ ratePerSecond: 1, burst: 2, now: c.now, maxBuckets: 10 });
    l.take('victim-of-own-limit');
    l.take('victim-of-own-limit');
    expect(l.take('victim-of-own-limit').ok).toBe(false);
    // An attacker cycling through fresh keys fills the table; the limited client keeps being used.
    for (let i = 0; i < 100; i++) {
      l.take(`attacker-${i}`);
      expect(l.take('victim-of-own-limit').ok).toBe(false);
    }
  });

  it('forgets refilled buckets first when the table is full', () => {
    const c = clock();
    const l = new RateLimiter({ ratePerSecond: 1, burst: 1, now: c.now, maxBuckets: 3 });
    l.take('idle');
    c.advance(5_000); // 'idle' has refilled: dropping it changes nothing
    l.take('busy');
    l.take('b');
    l.take('c'); // full: 'idle' goes, 'busy' stays
    expect(l.take('busy').ok).toBe(false);
  });
});
