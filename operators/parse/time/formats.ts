import type { JsonValue } from '../../../src/core/event';
import { ConfigError } from '../../../src/core/errors';
import { isoFromMillis } from '../../../src/core/iso-time';
import { parseTimestamp } from '../../../src/sources/ingest/timestamps';
import { wallTimeToIso } from '../../../src/sources/syslog/instant';
import { yearIn, zonedTimeToUtc } from '../../../src/sources/syslog/timezone';
import { isoAtOffset } from './civil';
import { compileStrftime, type WallTime } from './strftime';

/** Named formats; any format holding a `%` is a strftime-style pattern. */
export const NAMED_FORMATS = ['iso8601', 'rfc3339', 'unix_s', 'unix_ms', 'unix_us', 'unix_ns', 'syslog'] as const;

/** How a wall-clock time without its own offset is placed: the zone, and now (for year-less times). */
export interface TimeContext {
  /** IANA zone (`UTC`, `Europe/Berlin`) of times that carry no offset. */
  readonly timeZone: string;
  /** Now in ms, from the stage's scheduler: a year-less time takes the year that puts it at most a day after now. */
  now(): number;
}

/** A compiled format: the canonical ISO timestamp of a value, or undefined when the value is not in this format. */
export type TimeFormat = (value: JsonValue, context: TimeContext) => string | undefined;

const MAX_DATE_MS = 8.64e15;
const DAY_MS = 86_400_000;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { unix_s: 1000, unix_ms: 1, unix_us: 1e-3, unix_ns: 1e-6 };

/** An epoch number (or numeric string) in a known unit. */
function epochFormat(msPerUnit: number): TimeFormat {
  return (value) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : Number.NaN;
    const ms = number * msPerUnit;
    return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? isoFromMillis(Math.floor(ms)) : undefined;
  };
}

/** ISO 8601 / RFC 3339 strings (no zone means UTC), through the ingest sources' own reader. */
const isoFormat: TimeFormat = (value) => {
  if (typeof value !== 'string' || NUMERIC.test(value)) return undefined;
  const parsed = parseTimestamp(value);
  return 'iso' in parsed ? parsed.iso : undefined;
};

/** The year of a year-less time: this year where it happened, unless that puts it over a day in the future (a December line read in January). */
function resolveYear(time: WallTime, zone: string | number, now: number): number {
  const wall = (year: number): number => Date.UTC(year, time.month, time.day, time.hour, time.minute, Math.min(time.second, 59));
  if (typeof zone === 'number') {
    const year = new Date(now + zone * 60_000).getUTCFullYear();
    return wall(year) - zone * 60_000 > now + DAY_MS ? year - 1 : year;
  }
  const year = yearIn(zone, now);
  return zonedTimeToUtc(zone, year, time.month, time.day, time.hour, time.minute, Math.min(time.second, 59), 0) > now + DAY_MS ? year - 1 : year;
}

const epochSeconds = epochFormat(1000);

/** A strftime-style pattern: its wall time placed by its own offset, or by the context's zone. */
function strftimeFormat(pattern: string): TimeFormat {
  const parse = compileStrftime(pattern);
  return (value, context) => {
    if (typeof value !== 'string') return undefined;
    const time = parse(value);
    if (time === undefined) return undefined;
    if (time.epoch !== undefined) return epochSeconds(time.epoch + time.ms / 1000, context);
    const zone = time.offset ?? (context.timeZone === 'UTC' ? 0 : context.timeZone);
    if (time.pm && time.hour < 12) time.hour += 12;
    const year = time.year ?? resolveYear(time, zone, context.now());
    // A fixed offset needs no zone rules: plain arithmetic, the access-log hot path.
    if (typeof zone === 'number') return isoAtOffset(year, time.month, time.day, time.hour, time.minute, time.second, time.ms, zone);
    return wallTimeToIso(zone, year, time.month, time.day, time.hour, time.minute, time.second, time.ms);
  };
}

/** Year-less BSD syslog times (`Mar  1 14:03:05`, optionally with a fraction), placed in the context's zone. */
const SYSLOG_PATTERNS = [strftimeFormat('%b %e %H:%M:%S'), strftimeFormat('%b %e %H:%M:%S.%f'), strftimeFormat('%b %e %Y %H:%M:%S')];
const syslogFormat: TimeFormat = (value, context) => {
  for (const format of SYSLOG_PATTERNS) {
    const iso = format(value, context);
    if (iso !== undefined) return iso;
  }
  return undefined;
};

/**
 * Compiles one configured format: a named one (`iso8601`, `rfc3339`, `unix_s` / `_ms` / `_us`
 * / `_ns`, `syslog`) or a strftime-style pattern. Anything else is a {@link ConfigError}.
 */
export function compileTimeFormat(format: string): TimeFormat {
  if (format === 'iso8601' || format === 'rfc3339') return isoFormat;
  if (format === 'syslog') return syslogFormat;
  const unit = UNIT_MS[format];
  if (unit !== undefined && Object.hasOwn(UNIT_MS, format)) return epochFormat(unit);
  if (format.includes('%')) return strftimeFormat(format);
  throw new ConfigError(`unknown timestamp format ${JSON.stringify(format)}: expected one of ${NAMED_FORMATS.join(', ')} or a strftime pattern such as "%d/%b/%Y:%H:%M:%S %z"`);
}
