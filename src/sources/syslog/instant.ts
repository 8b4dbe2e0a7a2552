import { zonedTimeToUtc } from './timezone';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MILLIS = Array.from({ length: 1000 }, (_, ms) => `${String(ms).padStart(3, '0')}Z`);

/** Days in month `month` (0-based) of `year`, leap years included. */
function daysIn(year: number, month: number): number {
  return month === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month];
}

/**
 * One-entry memo of the last second converted: messages arriving together carry the same
 * second, and building an ISO string through `Date` costs a microsecond or more each time.
 */
let lastKey = '';
let lastPrefix = '';

/**
 * The ISO instant (UTC, ms precision) of a wall-clock time, or undefined when no such date
 * exists (`Feb 30`, hour 24). `zone` is an offset in minutes east of UTC or an IANA zone. A
 * leap second (`:60`) counts as `:59`.
 */
export function wallTimeToIso(zone: number | string, year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): string | undefined {
  if (!(month >= 0 && month <= 11) || !(day >= 1 && day <= daysIn(year, month)) || !(hour <= 23) || !(minute <= 59) || !(second <= 60) || !(ms >= 0 && ms <= 999)) return undefined;
  const key = `${zone} ${year} ${month} ${day} ${hour} ${minute} ${second}`;
  if (key !== lastKey) {
    const whole = Math.min(second, 59);
    const utc = typeof zone === 'number' ? Date.UTC(year, month, day, hour, minute, whole) - zone * 60_000 : zonedTimeToUtc(zone, year, month, day, hour, minute, whole, 0);
    if (!Number.isFinite(utc)) return undefined;
    const iso = new Date(utc).toISOString();
    // Years outside 0000-9999 (an offset across year 0) have no plain ISO form.
    if (iso.length !== 24) return undefined;
    lastKey = key;
    lastPrefix = iso.slice(0, 20);
  }
  return lastPrefix + MILLIS[ms];
}

/** The first three digits of a fraction (`5` → 500, `000003` → 0) as milliseconds. */
export function fractionToMs(fraction: string | undefined): number {
  if (fraction === undefined) return 0;
  let ms = 0;
  for (let i = 0; i < 3; i++) ms = ms * 10 + (i < fraction.length ? fraction.charCodeAt(i) - 48 : 0);
  return ms;
}
