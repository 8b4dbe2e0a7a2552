import fc from 'fast-check';
import { backoffDelay, backoffOptions, DEFAULT_BACKOFF, type BackoffOptions } from '../../../operators/reliability/backoff';

const plain: BackoffOptions = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('grows by the multiplier from initialMs and stops at maxMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, plain))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps the delay constant with a multiplier of 1', () => {
    expect([1, 5, 50].map((attempt) => backoffDelay(attempt, { ...plain, multiplier: 1 }))).toEqual([100, 100, 100]);
  });

  it('shifts the delay by ± jitter: random 0 gives the lowest, 0.5 none, and the highest is capped at maxMs', () => {
    const jittered = { ...plain, jitter: 0.2 };
    expect(backoffDelay(1, jittered, () => 0)).toBe(80);
    expect(backoffDelay(1, jittered, () => 0.5)).toBe(100);
    expect(backoffDelay(1, jittered, () => 0.75)).toBe(110);
    expect(backoffDelay(5, jittered, () => 0.999)).toBe(1000);
  });

  it('does not overflow on huge attempt numbers', () => {
    expect(backoffDelay(10_000, plain)).toBe(1000);
  });

  it('always stays within [0, maxMs] and within jitter of the exponential base', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, jitter, draw) => {
          const options = { initialMs: 50, maxMs: 10_000, multiplier: 1.7, jitter };
          const base = Math.min(options.maxMs, 50 * 1.7 ** (attempt - 1));
          const delay = backoffDelay(attempt, options, () => draw);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(options.maxMs);
          expect(Math.abs(delay - base)).toBeLessThanOrEqual(base * jitter + 0.5);
        },
      ),
    );
  });
});

describe('backoffOptions', () => {
  it('fills what is left out with the defaults', () => {
    expect(backoffOptions({})).toEqual(DEFAULT_BACKOFF);
    expect(backoffOptions({ initialMs: 5, jitter: undefined })).toEqual({ ...DEFAULT_BACKOFF, initialMs: 5 });
  });

  it('refuses negative delays, a multiplier below 1 and a jitter outside 0..1, naming its owner', () => {
    expect(() => backoffOptions({ initialMs: -1 }, 'retry')).toThrow('retry: delays must be at least 0');
    expect(() => backoffOptions({ multiplier: 0.5 })).toThrow(RangeError);
    expect(() => backoffOptions({ jitter: -0.1 })).toThrow(RangeError);
    expect(() => backoffOptions({ jitter: Number.NaN })).toThrow(RangeError);
  });
});
