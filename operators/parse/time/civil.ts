/**
 * Wall-clock fields at a fixed UTC offset to the canonical ISO string, by integer arithmetic
 * alone. Access logs carry every line's own offset and are not in time order, so the
 * one-second memo of `wallTimeToIso` rarely hits and `Date#toISOString` ran once per line:
 * ~3 µs there was the largest self time of the regex_parsing bench. This costs a few
 * additions and one string concatenation from small lookup tables.
 */

const PAD2 = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MINUTES_PER_DAY = 1440;

const isLeap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1-12), after H. Hinnant's `days_from_civil`. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The date `days` after 1970-01-01 as [year, month 1-12, day] (`civil_from_days`). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/**
 * `2000-10-10T20:55:36.000Z` for the wall time `year`-`month`(0-based)-`day` `hour`:`minute`:`second`.`ms`
 * at `offset` minutes east of UTC; undefined when no such date exists (`Feb 30`, hour 24) or
 * the UTC year falls outside 0000–9999. A leap second (`:60`) counts as `:59`, as
 * `wallTimeToIso` does.
 */
export function isoAtOffset(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offset: number): string | undefined {
  if (!(month >= 0 && month <= 11) || !(day >= 1) || !(hour <= 23) || !(minute <= 59) || !(second <= 60) || !(ms >= 0 && ms <= 999)) return undefined;
  if (day > (month === 1 && isLeap(year) ? 29 : DAYS_IN_MONTH[month])) return undefined;
  if (!(offset > -MINUTES_PER_DAY && offset < MINUTES_PER_DAY)) return undefined;
  let minutes = hour * 60 + minute - offset;
  let y = year;
  let m = month + 1;
  let d = day;
  if (minutes < 0 || minutes >= MINUTES_PER_DAY) {
    const shift = minutes < 0 ? -1 : 1;
    minutes -= shift * MINUTES_PER_DAY;
    [y, m, d] = civilFromDays(daysFromCivil(year, month + 1, day) + shift);
  }
  if (!(y >= 0 && y <= 9999)) return undefined;
  const yearText = y >= 1000 ? String(y) : String(y).padStart(4, '0');
  const hh = (minutes / 60) | 0;
  return `${yearText}-${PAD2[m]}-${PAD2[d]}T${PAD2[hh]}:${PAD2[minutes - hh * 60]}:${PAD2[second === 60 ? 59 : second]}.${PAD3[ms]}Z`;
}
