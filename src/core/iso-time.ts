/** The range in which `toISOString()` writes a four-digit year (outside it: `+012345-…`). */
const FIRST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const END_MS = 253_402_300_800_000; // 10000-01-01T00:00:00.000Z

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, about twenty times cheaper for logs. Ingest formats one
 * timestamp per event, and `toISOString` (~1.2 µs) was the largest self time of the gRPC
 * source; events arrive in time order, so the `YYYY-MM-DDTHH:MM:SS.` prefix of the last
 * second is kept and only the milliseconds are appended. Fractions of a millisecond are
 * dropped, as `Date` does. Identical output to `toISOString` for every finite `ms` it accepts.
 */
export function isoFromMillis(ms: number): string {
  const whole = Math.trunc(ms);
  if (!(whole >= FIRST_MS && whole < END_MS)) return new Date(whole).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, -4);
  }
  const milli = whole - second * 1000;
  return cachedPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}
