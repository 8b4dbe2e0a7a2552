import { formatBytes, parseBytes, parseDuration } from '../../../src/config/units';

const refusal = (result: ReturnType<typeof parseBytes>): string => (result.ok ? `accepted as ${result.value}` : result.message);

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5_000],
    ['1.5m', 90_000],
    ['2min', 120_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['300', 300],
    [' 5 s ', 5_000],
  ])('reads %p as %p milliseconds', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each(['', 'soon', '-5s', '1e3ms', '5s5'])('refuses the malformed %p with an example of a good duration', (text) => {
    expect(refusal(parseDuration(text))).toBe(`expected a duration such as "500ms", "5s" or "2min" (units: ms, s, m or min, h, d), got ${JSON.stringify(text)}`);
  });

  it.each(['5 minutes', '5S', '1M', '2sec'])('refuses the unknown unit in %p and lists the accepted ones', (text) => {
    expect(refusal(parseDuration(text))).toMatch(/^unknown duration unit "\w+": write one of ms, s, m or min, h, d \(case-sensitive\)$/);
  });
});

describe('parseBytes', () => {
  it.each([
    ['100', 100],
    ['100B', 100],
    ['64KiB', 64 * 1024],
    ['512MiB', 512 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['2TiB', 2 * 1024 ** 4],
    ['1.5KiB', 1536],
    ['10KB', 10_000],
    ['10kB', 10_000],
    ['10MB', 10_000_000],
    ['3GB', 3e9],
    ['2TB', 2e12],
    ['10 MiB', 10 * 1024 ** 2],
  ])('reads %p as %p bytes', (text, size) => {
    expect(parseBytes(text)).toEqual({ ok: true, value: size });
  });

  // Regression (issue 7): `64m` was 2^20 bytes for sizes while `m` is minutes for durations,
  // and `mb` was 10^6 beside `m` = 2^20. A letter alone, or lowercase, means no one thing.
  it.each([
    ['64m', 'ambiguous size unit "m": write MiB (2^20 bytes) or MB (10^6 bytes)'],
    ['2k', 'ambiguous size unit "k": write KiB (2^10 bytes) or KB (10^3 bytes)'],
    ['1g', 'ambiguous size unit "g": write GiB (2^30 bytes) or GB (10^9 bytes)'],
    ['1t', 'ambiguous size unit "t": write TiB (2^40 bytes) or TB (10^12 bytes)'],
    ['1G', 'ambiguous size unit "G": write GiB (2^30 bytes) or GB (10^9 bytes)'],
    ['10mb', 'ambiguous size unit "mb": write MiB (2^20 bytes) or MB (10^6 bytes)'],
    ['10 kb', 'ambiguous size unit "kb": write KiB (2^10 bytes) or KB (10^3 bytes)'],
  ])('refuses the ambiguous %p and names both units it could mean', (text, message) => {
    expect(refusal(parseBytes(text))).toBe(message);
  });

  // The binary spellings below were once accepted; they mean one thing, so the message
  // names it instead of guessing silently.
  it.each([
    ['64Ki', 'size unit "Ki" is not accepted: write KiB (2^10 bytes) (units are case-sensitive)'],
    ['512Mi', 'size unit "Mi" is not accepted: write MiB (2^20 bytes) (units are case-sensitive)'],
    ['1gib', 'size unit "gib" is not accepted: write GiB (2^30 bytes) (units are case-sensitive)'],
    ['100b', 'size unit "b" is not accepted: write B for bytes (units are case-sensitive)'],
  ])('refuses the non-standard spelling %p and names the unit to write', (text, message) => {
    expect(refusal(parseBytes(text))).toBe(message);
  });

  it('refuses an unknown unit and lists the accepted ones', () => {
    expect(refusal(parseBytes('10 potatoes'))).toBe(
      'unknown size unit "potatoes": write B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)',
    );
  });

  it.each(['', 'lots', '-1KiB', '1e3'])('refuses the malformed %p with an example of a good size', (text) => {
    expect(refusal(parseBytes(text))).toBe(
      `expected a size such as "64KiB" or "10MB" (units: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)), got ${JSON.stringify(text)}`,
    );
  });

  it('refuses a size beyond what a number holds exactly', () => {
    expect(refusal(parseBytes('9000000TiB'))).toBe('size "9000000TiB" is too large');
  });
});

describe('formatBytes', () => {
  it.each([
    [64 * 1024 ** 2, '64MiB'],
    [1024 ** 3, '1GiB'],
    [1536, '1536B'],
    [10_000_000, '10MB'],
    [2048 * 1024 ** 4, '2048TiB'],
    [512, '512B'],
    [0, '0B'],
  ])('writes %p bytes as %p, which parseBytes reads back', (size, text) => {
    expect(formatBytes(size)).toBe(text);
    expect(parseBytes(text)).toEqual({ ok: true, value: size });
  });
});
