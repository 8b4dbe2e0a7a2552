import type { LogEvent } from '../../core/event';

/** Facility names by code (RFC 5424 §6.2.1), as rsyslog and syslog-ng name them. */
export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;

/** Severity names by code (RFC 5424 §6.2.1). */
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** Highest valid PRI: facility 23 (local7), severity 7 (debug). */
const MAX_PRI = 191;

/** The PRI of a message and where the rest of it starts, or undefined when it has none. */
export interface Priority {
  readonly pri: number;
  /** Index just past `>`. */
  readonly end: number;
}

/** Reads `<PRI>` at the start of `text`: 1 to 3 digits, no leading zero (except `<0>`), at most 191. */
export function readPriority(text: string): Priority | undefined {
  if (text.charCodeAt(0) !== 60 /* < */) return undefined;
  let pri = 0;
  let i = 1;
  for (; i < text.length && i <= 4; i++) {
    const code = text.charCodeAt(i);
    if (code === 62 /* > */) break;
    if (code < 48 || code > 57) return undefined;
    if (i > 1 && pri === 0) return undefined; // leading zero
    pri = pri * 10 + code - 48;
  }
  if (i === 1 || i > 4 || text.charCodeAt(i) !== 62 || pri > MAX_PRI) return undefined;
  return { pri, end: i + 1 };
}

/** Sets `facility`, `facility_code`, `severity`, `severity_code` of `pri` on `event`. */
export function setPriorityFields(event: LogEvent, pri: number): void {
  const facility = pri >> 3;
  const severity = pri & 7;
  event.facility = FACILITIES[facility];
  event.facility_code = facility;
  event.severity = SEVERITIES[severity];
  event.severity_code = severity;
}
