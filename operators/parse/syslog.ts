import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, LogEvent } from '../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../src/core/field-path';
import { parseSyslog, type SyslogFormat } from '../../src/sources/syslog/parse';
import { mapEvents } from '../map-events';
import type { ParseHooks } from './json';

/** Options of {@link parseSyslogField}. */
export interface ParseSyslogOptions {
  /** Dotted path of the syslog text; default `message`. */
  readonly field?: string;
  /** Dotted path to put the parsed fields under; default: merge them into the event root. */
  readonly target?: string;
  /** `auto` (the default) tells RFC 5424 from RFC 3164 per message, as the syslog input does. */
  readonly format?: SyslogFormat;
  /** IANA zone of the sender's clock, for RFC 3164 timestamps without an offset; default `UTC`. */
  readonly timeZone?: string;
  /**
   * The priority of a line that has no `<PRI>` (a line of `/var/log/syslog`): RFC 3164 §4.3.3
   * has a relay insert 13 (user.notice). Default: none, such a line is a parse error.
   */
  readonly defaultPriority?: number;
  /** Added to `tags` of events whose field is not syslog; default `syslog_parse_error`. */
  readonly errorTag?: string;
  /** "Now" for year-less RFC 3164 timestamps comes from here. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Parses a syslog line that arrived inside another format (a JSON field of a log shipper, a
 * line of a file, a Kafka record) with the syslog input's own parsers: RFC 5424 (structured
 * data, `msgid`, `procid`) and real-world RFC 3164 (Cisco sequence numbers, ISO timestamps),
 * into `timestamp`, `facility`, `severity`, `hostname`, `appname`, `message`, ... merged into
 * the event (parsed fields win) or under `target`. A line that is not syslog is kept
 * unchanged but for `errorTag` in its `tags`, and `hooks.onParseError` counts it.
 *
 * ```
 * source:  --a--b--|     a: {log: "<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - failed"}
 * result:  --A--B--|     A: {timestamp: "2003-10-11T22:14:15.003Z", hostname: "mymachine", appname: "su", ...}
 * ```
 *
 * @example
 * import { parseSyslogField } from 'sluice';
 * const forwarded = parseSyslogField({ field: 'log', timeZone: 'Europe/Berlin' });
 *
 * @see parseJson
 */
export function parseSyslogField(options: ParseSyslogOptions = {}, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const field = compilePath(options.field ?? 'message');
  const target = options.target === undefined ? undefined : compilePath(options.target);
  const format = options.format ?? 'auto';
  const timeZone = options.timeZone ?? 'UTC';
  const scheduler = options.scheduler ?? asyncScheduler;
  const errorTag = options.errorTag ?? 'syslog_parse_error';
  const missingPriority = options.defaultPriority === undefined ? undefined : `<${options.defaultPriority}>`;
  if (options.defaultPriority !== undefined && !(Number.isInteger(options.defaultPriority) && options.defaultPriority >= 0 && options.defaultPriority <= 191)) {
    throw new RangeError('parseSyslogField: defaultPriority must be an integer from 0 to 191');
  }
  const onParseError = hooks.onParseError;
  const isRawField = field.length === 1 ? field[0] : undefined;

  // One clock object while "now" stands still (all events of a batch), not one per event.
  let clock = { timeZone, nowMs: Number.NaN };
  return mapEvents((event) => {
    const raw = getField(event, field);
    if (typeof raw !== 'string') return fail(event, raw === undefined ? 'field is missing' : 'field is not a string');
    const text = missingPriority !== undefined && raw.charCodeAt(0) !== 60 /* < */ ? missingPriority + raw : raw;
    const now = scheduler.now();
    if (now !== clock.nowMs) clock = { timeZone, nowMs: now };
    const parsed = parseSyslog(text, format, clock);
    if (parsed.event === undefined) return fail(event, parsed.error);
    if (target !== undefined) {
      setField(event, field, undefined);
      setField(event, target, parsed.event as JsonObject);
      return event;
    }
    if (isRawField !== 'message') setField(event, field, undefined);
    for (const key of Object.keys(parsed.event)) {
      if (key === '__proto__') Object.defineProperty(event, key, { value: parsed.event[key], enumerable: true, writable: true, configurable: true });
      else event[key] = parsed.event[key];
    }
    return event;
  }, hooks);

  function fail(event: LogEvent, reason: string): LogEvent {
    addTag(event, errorTag);
    onParseError?.(event, reason);
    return event;
  }
}
