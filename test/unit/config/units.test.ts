import { parseBytes, parseDuration } from '../../../src/config/units';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['300', 300],
    [' 5 S ', 5_000],
  ])('reads %p as %p milliseconds', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '-5s', '5 minutes', '1e3ms', '5s5'])('returns undefined for malformed %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseBytes', () => {
  it.each([
    ['64KiB', 64 * 1024],
    ['10MB', 10_000_000],
    ['1GiB', 1024 ** 3],
    ['1g', 1024 ** 3],
    ['2k', 2048],
    ['1.5KiB', 1536],
    ['100b', 100],
    ['100', 100],
    ['10 kb', 10_000],
  ])('reads %p as %p bytes', (text, size) => {
    expect(parseBytes(text)).toBe(size);
  });

  // Regression: the pattern accepted Kubernetes-style "Ki"/"Mi"/"Gi" but the unit table had no
  // entry for them, so parseBytes returned NaN instead of a size (or undefined).
  it.each([
    ['64Ki', 64 * 1024],
    ['512Mi', 512 * 1024 ** 2],
    ['2Gi', 2 * 1024 ** 3],
  ])('reads the Kubernetes-style %p as %p bytes', (text, size) => {
    expect(parseBytes(text)).toBe(size);
  });

  it.each(['', 'lots', '-1KiB', '10 potatoes', '10TB'])('returns undefined for malformed %p', (text) => {
    expect(parseBytes(text)).toBeUndefined();
  });
});
