/**
 * Wall-clock times of a named IANA zone (`Europe/Berlin`) to UTC, for syslog timestamps that
 * carry no offset (RFC 3164 `Mmm dd hh:mm:ss`). Uses the runtime's Intl data: no dependency,
 * daylight-saving transitions included.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, format);
  }
  return format;
}

/** Whether `zone` is a time zone the runtime knows (`UTC`, `Europe/Berlin`). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offsets per zone and quarter hour: every zone changes offset on a quarter hour, and Intl costs ~10 µs a call. */
const offsets = new Map<string, number>();
const QUARTER_HOUR_MS = 900_000;
const MAX_CACHED_OFFSETS = 4096;

/** The zone's offset from UTC at instant `utcMs`, in ms (east positive). */
function offsetAt(zone: string, utcMs: number): number {
  if (zone === 'UTC') return 0;
  const key = `${zone} ${Math.floor(utcMs / QUARTER_HOUR_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offset = computeOffset(zone, Math.floor(utcMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
    offsets.set(key, offset);
  }
  return offset;
}

function computeOffset(zone: string, utcMs: number): number {
  const parts = formatter(zone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The UTC instant (ms) of wall-clock time `fields` (as `Date.UTC` takes them) in `zone`.
 * Two passes settle the offset across a daylight-saving change; a time skipped by one
 * resolves to an instant an hour off, as any resolver must.
 */
export function zonedTimeToUtc(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const wall = Date.UTC(year, month, day, hour, minute, second, ms);
  const first = wall - offsetAt(zone, wall);
  const second_ = offsetAt(zone, first);
  return wall - second_;
}

/** The calendar year in `zone` at instant `utcMs`. */
export function yearIn(zone: string, utcMs: number): number {
  return new Date(utcMs + offsetAt(zone, utcMs)).getUTCFullYear();
}

/** The runtime's local zone, the default for year-less timestamps. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
