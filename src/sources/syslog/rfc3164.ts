import type { LogEvent } from '../../core/event';
import { setPriorityFields } from './priority';
import { fractionToMs, wallTimeToIso } from './instant';
import { cleanMessage, type SyslogParse } from './rfc5424';
import { yearIn, zonedTimeToUtc } from './timezone';

/** How year-less and zone-less timestamps are resolved. */
export interface Rfc3164Clock {
  /** IANA zone the sender's wall clock is in (`UTC`, `Europe/Berlin`). */
  readonly timeZone: string;
  /** Now, in ms: a year-less timestamp resolves to the latest year that puts it at most a day after this. */
  readonly nowMs: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_MS = 86_400_000;

/** Cisco IOS numbers its messages: `<189>123: *Mar  1 …` (`service sequence-numbers`). */
const SEQUENCE = /^(\d{1,10}): /;
/** `Mmm dd hh:mm:ss`, day space- or zero-padded, with an optional year (Cisco, `Mmm dd yyyy hh:mm:ss`), fraction and zone name. */
const BSD_TIMESTAMP = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (UTC|GMT))?(?=[: ]|$)/;
/** An ISO 8601 timestamp in a BSD line (rsyslog's `RSYSLOG_ForwardFormat`, systemd), offset optional. */
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?(?=[: ]|$)/i;
/** `TAG[PID]:` or `TAG:`; also `TAG[PID]` without the colon. TAG may hold `/`, `.` and `-` (`postfix/smtpd`). */
const TAG = /^([^\s[\]:]{1,128})(?:\[([^\]\s]{0,128})\])?(:?)(?: |$)/;

/** The timestamp at the start of `text` as an ISO instant, and its length; undefined when there is none. */
function readTimestamp(text: string, clock: Rfc3164Clock): { iso: string; length: number } | undefined {
  const bsd = BSD_TIMESTAMP.exec(text);
  if (bsd !== null) {
    const month = MONTHS.indexOf(bsd[1]);
    const [day, hour, minute, second] = [Number(bsd[2]), Number(bsd[4]), Number(bsd[5]), Number(bsd[6])];
    if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
    const zone = bsd[8] === undefined ? clock.timeZone : 'UTC';
    let year: number;
    if (bsd[3] !== undefined) {
      year = Number(bsd[3]);
    } else {
      // No year: this year in the sender's zone, unless that is more than a day ahead (a
      // December line read in January), then the year before.
      year = yearIn(zone, clock.nowMs);
      if (zonedTimeToUtc(zone, year, month, day, hour, minute, Math.min(second, 59), 0) > clock.nowMs + DAY_MS) year--;
    }
    const iso = wallTimeToIso(zone, year, month, day, hour, minute, second, fractionToMs(bsd[7]));
    return iso === undefined ? undefined : { iso, length: bsd[0].length };
  }
  const match = ISO_TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  let zone: string | number = clock.timeZone;
  if (offset !== undefined) zone = offset.length === 1 ? 0 : (offset.charCodeAt(0) === 45 ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
  const iso = wallTimeToIso(zone, Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), fractionToMs(fraction));
  return iso === undefined ? undefined : { iso, length: match[0].length };
}

/** Whether a token after the timestamp is the tag (`sshd[42]:`, `kernel:`), not a hostname. */
function looksLikeTag(text: string, start: number, end: number): boolean {
  const bracket = text.indexOf('[', start);
  return text.charCodeAt(end - 1) === 58 /* : */ || (bracket >= start && bracket < end);
}

/**
 * Parses a BSD syslog message (RFC 3164) whose `<PRI>` (value `pri`) ends at `start`, with
 * the deviations real senders make: no year (resolved with `clock`), a year or fraction,
 * an ISO timestamp instead, no timestamp at all, no hostname, `TAG[PID]:`, and Cisco's
 * sequence number and `*`/`.` clock-sync marks. Never fails: whatever is not recognised
 * stays in `message`, as RFC 3164 §4.3.3 tells a relay to treat an unexpected format.
 */
export function parseRfc3164(text: string, pri: number, start: number, clock: Rfc3164Clock): SyslogParse {
  const event: LogEvent = {};
  let rest = text.slice(start);
  const sequence = SEQUENCE.exec(rest);
  if (sequence !== null) {
    event.sequence = Number(sequence[1]);
    rest = rest.slice(sequence[0].length);
  }
  // Cisco marks a clock that is not synchronised (`*`) or was but is no longer (`.`).
  const marked = rest.charCodeAt(0) === 42 || (rest.charCodeAt(0) === 46 && /^\.[A-Z]/.test(rest)) ? rest.slice(1) : rest;
  const timestamp = readTimestamp(marked, clock);
  if (timestamp !== undefined) {
    event.timestamp = timestamp.iso;
    rest = marked.slice(timestamp.length);
    if (rest.charCodeAt(0) === 58 /* : Cisco */) rest = rest.slice(1);
    if (rest.charCodeAt(0) === 32) rest = rest.slice(1);
  }
  setPriorityFields(event, pri);
  if (timestamp !== undefined) {
    const space = rest.indexOf(' ');
    if (space > 0 && !looksLikeTag(rest, 0, space)) {
      event.hostname = rest.slice(0, space);
      rest = rest.slice(space + 1);
    }
  }
  const tag = TAG.exec(rest);
  if (tag !== null && (tag[2] !== undefined || tag[3] === ':')) {
    event.appname = tag[1];
    if (tag[2] !== undefined && tag[2] !== '') event.procid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  event.message = cleanMessage(rest, 0);
  return { event };
}
