import fc from 'fast-check';
import { isoFromMillis } from '../../../src/core/iso-time';

describe('isoFromMillis', () => {
  it('writes what toISOString writes, in and out of order, across the four-digit year range and beyond', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), { minLength: 1, maxLength: 20 }), (values) => {
        for (const ms of values) expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });

  it('reuses the cached second without mixing up neighbours, and cuts fractions like Date', () => {
    const base = Date.UTC(2026, 11, 2, 20, 30, 59);
    for (const ms of [base, base + 1, base + 9, base + 10, base + 99, base + 100, base + 999, base + 1000, base - 1, -1, 0, 1.7, -0.5]) {
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws for a value no Date can hold, as toISOString does', () => {
    expect(() => isoFromMillis(Number.NaN)).toThrow(RangeError);
    expect(() => isoFromMillis(8.64e15 + 1)).toThrow(RangeError);
  });
});
