/**
 * The directives of strftime-style timestamp formats, each a reader that walks character
 * codes (compiled by `compileStrftime` in strftime.ts).
 */

/** The parts of a date-time a strftime pattern read; absent parts are undefined. */
export interface WallTime {
  year: number | undefined;
  /** 0-based, as `Date.UTC` takes it. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC, from `%z` / `%Z`. */
  offset: number | undefined;
  /** Seconds since the epoch, from `%s`: it alone decides the instant. */
  epoch: number | undefined;
  /** `%p` read PM: a 12-hour `%I` hour is 12 later. */
  pm: boolean;
}

/**
 * Reads one directive (or literal) of `text` at `at` into `time`: the position after it, or
 * -1 when the text does not fit. Readers walk character codes: no regex, no substrings, so
 * parsing a timestamp allocates nothing but its result.
 */
export type Reader = (text: string, at: number, time: WallTime) => number;

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** Reads `min`..`max` digits as a number into `set`; -1 when fewer than `min`. */
function digits(min: number, max: number, set: (time: WallTime, value: number, count: number) => void): Reader {
  return (text, at, time) => {
    let value = 0;
    let count = 0;
    for (let code = text.charCodeAt(at); count < max && isDigit(code); code = text.charCodeAt(at + ++count)) value = value * 10 + code - 48;
    if (count < min) return -1;
    set(time, value, count);
    return at + count;
  };
}

/** Month names by their first three letters, lower-cased and packed into one number. */
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const pack = (a: number, b: number, c: number): number => ((a | 32) << 16) | ((b | 32) << 8) | (c | 32);
const MONTH_BY_PREFIX = new Map(MONTH_NAMES.map((name, index) => [pack(name.charCodeAt(0), name.charCodeAt(1), name.charCodeAt(2)), index]));
const isLetter = (code: number): boolean => (code | 32) >= 97 && (code | 32) <= 122;

/** `Dec`, `dec`, `December`, `Sept`: the abbreviation, or the full name (any case). */
const monthName: Reader = (text, at, time) => {
  const month = MONTH_BY_PREFIX.get(pack(text.charCodeAt(at), text.charCodeAt(at + 1), text.charCodeAt(at + 2)));
  if (month === undefined) return -1;
  let end = at + 3;
  while (isLetter(text.charCodeAt(end))) end++;
  if (end > at + 3) {
    const word = text.slice(at, end).toLowerCase();
    if (word !== MONTH_NAMES[month] && word !== 'sept') return -1;
  }
  time.month = month;
  return end;
};

/** A day name: 3 to 9 letters, not checked (the date decides the day). */
const dayName: Reader = (text, at) => {
  let end = at;
  while (end - at < 9 && isLetter(text.charCodeAt(end))) end++;
  return end - at >= 3 ? end : -1;
};

/** The digit at `at` as a number, or -1. */
const digitAt = (text: string, at: number): number => {
  const code = text.charCodeAt(at);
  return isDigit(code) ? code - 48 : -1;
};

/** `Z`, `+02`, `+0200`, `+02:00` → minutes east of UTC. */
const zoneOffset: Reader = (text, at, time) => {
  const sign = text.charCodeAt(at);
  if (sign === 90 || sign === 122) {
    time.offset = 0;
    return at + 1;
  }
  if (sign !== 43 && sign !== 45) return -1;
  const h1 = digitAt(text, at + 1);
  const h2 = digitAt(text, at + 2);
  if (h1 < 0 || h2 < 0) return -1;
  let end = at + 3;
  const colon = text.charCodeAt(end) === 58;
  if (colon) end++;
  const m1 = digitAt(text, end);
  const m2 = digitAt(text, end + 1);
  let minutes = 0;
  if (m1 >= 0 && m2 >= 0) {
    minutes = m1 * 10 + m2;
    end += 2;
  } else if (colon) return -1;
  time.offset = (sign === 45 ? -1 : 1) * ((h1 * 10 + h2) * 60 + minutes);
  return end;
};

/** `UTC`, `GMT` or `Z`. */
const zoneName: Reader = (text, at, time) => {
  const end = text.startsWith('UTC', at) || text.startsWith('GMT', at) ? at + 3 : text.charCodeAt(at) === 90 ? at + 1 : -1;
  if (end !== -1) time.offset = 0;
  return end;
};

/** `AM` / `PM`, any case. */
const meridiem: Reader = (text, at, time) => {
  const first = text.charCodeAt(at) | 32;
  if ((first !== 97 && first !== 112) || (text.charCodeAt(at + 1) | 32) !== 109) return -1;
  time.pm = first === 112;
  return at + 2;
};

/** One or more whitespace characters. */
const whitespace: Reader = (text, at) => {
  let end = at;
  for (let code = text.charCodeAt(end); code === 32 || (code >= 9 && code <= 13); code = text.charCodeAt(++end));
  return end > at ? end : -1;
};

const epochDigits = digits(1, 12, (t, value) => (t.epoch = value));
/** Seconds since the epoch, optionally negative. */
const epochSeconds: Reader = (text, at, time) => {
  const negative = text.charCodeAt(at) === 45;
  const end = epochDigits(text, negative ? at + 1 : at, time);
  if (negative && time.epoch !== undefined) time.epoch = -time.epoch;
  return end;
};

const dayDigits = digits(1, 2, (t, v) => (t.day = v));

/** Each directive's reader; composite directives expand to a pattern. */
export const DIRECTIVES: Readonly<Record<string, Reader | string>> = {
  Y: digits(4, 4, (t, v) => (t.year = v)),
  // Two-digit years as POSIX strptime reads them: 69–99 are 1969–1999, 00–68 are 2000–2068.
  y: digits(2, 2, (t, v) => (t.year = v < 69 ? 2000 + v : 1900 + v)),
  m: digits(1, 2, (t, v) => (t.month = v - 1)),
  d: dayDigits,
  // Space-padded day (`Mar  1`).
  e: (text, at, time) => dayDigits(text, text.charCodeAt(at) === 32 ? at + 1 : at, time),
  H: digits(1, 2, (t, v) => (t.hour = v)),
  // 12 AM is hour 0; an hour outside 1–12 becomes 99, which no date accepts.
  I: digits(1, 2, (t, v) => (t.hour = v === 12 ? 0 : v > 12 || v === 0 ? 99 : v)),
  M: digits(2, 2, (t, v) => (t.minute = v)),
  S: digits(2, 2, (t, v) => (t.second = v)),
  // A fraction of any precision: the first three digits are the milliseconds.
  f: digits(1, 9, (t, v, count) => (t.ms = count >= 3 ? Math.floor(v / 10 ** (count - 3)) : v * 10 ** (3 - count))),
  L: digits(3, 3, (t, v) => (t.ms = v)),
  p: meridiem,
  z: zoneOffset,
  Z: zoneName,
  b: monthName,
  h: monthName,
  B: monthName,
  a: dayName,
  A: dayName,
  s: epochSeconds,
  n: whitespace,
  t: whitespace,
  T: '%H:%M:%S',
  F: '%Y-%m-%d',
  D: '%m/%d/%y',
  R: '%H:%M',
};
