import { VirtualTimeScheduler } from 'rxjs';
import { RateLimiter } from '../../../../src/sources/ingest/rate-limit';

/** A scheduler whose clock the test sets. */
function clock(): { scheduler: VirtualTimeScheduler; advance(ms: number): void } {
  const scheduler = new VirtualTimeScheduler();
  return {
    scheduler,
    advance(ms) {
      scheduler.frame += ms;
    },
  };
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the ms until enough tokens are back', () => {
    const time = clock();
    const limiter = new RateLimiter({ eventsPerSecond: 100, burst: 50 }, time.scheduler);
    expect(limiter.take('k', 30)).toBe(0);
    expect(limiter.take('k', 20)).toBe(0);
    expect(limiter.take('k', 10)).toBe(100); // 10 tokens at 100/s
    time.advance(50);
    expect(limiter.take('k', 10)).toBe(50); // 5 tokens back, 5 more needed
    time.advance(50);
    expect(limiter.take('k', 10)).toBe(0);
  });

  it('keeps one bucket per key', () => {
    const time = clock();
    const limiter = new RateLimiter({ eventsPerSecond: 10, burst: 10 }, time.scheduler);
    expect(limiter.take('a', 10)).toBe(0);
    expect(limiter.take('a', 1)).toBeGreaterThan(0);
    expect(limiter.take('b', 10)).toBe(0);
  });

  it('refills no higher than the burst', () => {
    const time = clock();
    const limiter = new RateLimiter({ eventsPerSecond: 1000, burst: 20 }, time.scheduler);
    expect(limiter.take('k', 20)).toBe(0);
    time.advance(60_000);
    expect(limiter.take('k', 20)).toBe(0);
    expect(limiter.take('k', 1)).toBe(1);
  });

  it('lets a request larger than the burst through a full bucket, leaving it in debt', () => {
    const time = clock();
    const limiter = new RateLimiter({ eventsPerSecond: 100, burst: 100 }, time.scheduler);
    expect(limiter.take('k', 300)).toBe(0); // tokens now -200
    expect(limiter.take('k', 1)).toBe(2010); // 201 tokens needed at 100/s
    time.advance(3000);
    expect(limiter.take('k', 300)).toBe(0); // full again
  });

  it('bounds the keys it tracks, forgetting the least recently used', () => {
    const time = clock();
    const limiter = new RateLimiter({ eventsPerSecond: 1, burst: 1, maxKeys: 3 }, time.scheduler);
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, 1)).toBe(0);
    expect(limiter.take('a', 1)).toBeGreaterThan(0); // 'a' is now the most recently used
    expect(limiter.take('d', 1)).toBe(0); // evicts 'b'
    expect(limiter.trackedKeys).toBe(3);
    expect(limiter.take('a', 1)).toBeGreaterThan(0); // still tracked, still empty
    expect(limiter.take('b', 1)).toBe(0); // forgotten: a fresh, full bucket
    for (let i = 0; i < 10_000; i++) limiter.take(`flood-${i}`, 1);
    expect(limiter.trackedKeys).toBe(3);
  });

  it('rejects nonsensical limits', () => {
    expect(() => new RateLimiter({ eventsPerSecond: 0, burst: 1 }, clock().scheduler)).toThrow(RangeError);
    expect(() => new RateLimiter({ eventsPerSecond: 1, burst: 0 }, clock().scheduler)).toThrow(RangeError);
  });
});
