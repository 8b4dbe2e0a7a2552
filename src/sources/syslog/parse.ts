import { readPriority } from './priority';
import { parseRfc3164, type Rfc3164Clock } from './rfc3164';
import { parseRfc5424, type SyslogParse } from './rfc5424';

export type { SyslogParse } from './rfc5424';
export type { Rfc3164Clock } from './rfc3164';

/** Which format a message is parsed as: detected per message, or forced. */
export type SyslogFormat = 'auto' | 'rfc5424' | 'rfc3164';

/**
 * Parses one syslog message, detecting its format: `<PRI>1 ` is RFC 5424, anything else
 * with a PRI is RFC 3164. A message without a valid PRI, or an RFC 5424 message whose
 * header or structured data is malformed, is an error (the caller keeps the raw text).
 * Pure and total: it returns, never throws, whatever the input.
 *
 * @example
 * parseSyslog('<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - BOM\'su root\' failed', 'auto', clock)
 * // → { event: { timestamp: '2003-10-11T22:14:15.003Z', facility: 'auth', severity: 'crit', hostname: 'mymachine', appname: 'su', msgid: 'ID47', message: "'su root' failed", … } }
 */
export function parseSyslog(text: string, format: SyslogFormat, clock: Rfc3164Clock): SyslogParse {
  const priority = readPriority(text);
  if (priority === undefined) return { error: 'missing or invalid <PRI>' };
  const isRfc5424 = text.charCodeAt(priority.end) === 49 /* 1 */ && text.charCodeAt(priority.end + 1) === 32;
  if (format === 'rfc5424' || (format === 'auto' && isRfc5424)) return parseRfc5424(text, priority.pri, priority.end);
  return parseRfc3164(text, priority.pri, priority.end, clock);
}
