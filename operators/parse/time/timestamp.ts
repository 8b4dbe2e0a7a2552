import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { addTag, compilePath, getField, setField } from '../../../src/core/field-path';
import { mapEvents } from '../../map-events';
import type { ParseHooks } from '../json';
import { isKnownTimeZone } from '../../../src/sources/syslog/timezone';
import { ConfigError } from '../../../src/core/errors';
import { compileTimeFormat, type TimeContext } from './formats';

/** Options of {@link parseTimestampField}. */
export interface ParseTimestampOptions {
  /** Dotted path of the value to parse; default `timestamp`. */
  readonly field?: string;
  /** Where the canonical ISO timestamp goes; default `timestamp`, the event's own. */
  readonly target?: string;
  /** Formats tried in order: `iso8601`, `rfc3339`, `unix_s`, `unix_ms`, `unix_us`, `unix_ns`, `syslog`, or strftime patterns (`%d/%b/%Y:%H:%M:%S %z`). */
  readonly formats: readonly string[];
  /** IANA zone of times without an offset (`syslog`, a pattern without `%z`); default `UTC`. */
  readonly timeZone?: string;
  /** Added to `tags` of events whose value matched no format; default `timestamp_parse_error`. */
  readonly errorTag?: string;
  /** Remove `field` after a successful parse when it is not `target`; default false. */
  readonly dropField?: boolean;
  /** Source of "now" for year-less times; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Parses a field with the configured formats, in order, into the canonical ISO-8601 UTC
 * timestamp (`2026-12-03T02:17:47.000Z`, milliseconds kept). A value no format reads is
 * never replaced by the current time: the event keeps its fields, gets `errorTag`, and
 * `hooks.onParseError` counts it. Year-less times (`syslog`, a pattern without `%Y`) take
 * the year that puts them at most a day after now, from `scheduler`, so marble tests run in
 * virtual time. Formats are compiled once, here; an unknown one throws a `ConfigError`.
 *
 * ```
 * source:  --a--b--|   a: {timestamp: '10/Oct/2000:13:55:36 -0700'}   b: {timestamp: 'soon'}
 * result:  --A--B--|   A: {timestamp: '2000-10-10T20:55:36.000Z'}     B: b + tags ['timestamp_parse_error']
 * ```
 *
 * @example
 * import { parseTimestampField } from 'sluice';
 * const stamped = parseTimestampField({ formats: ['%d/%b/%Y:%H:%M:%S %z', 'iso8601'] });
 *
 * @see parseGrok
 * @see mapEvents
 */
export function parseTimestampField(options: ParseTimestampOptions, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  if (options.formats.length === 0) throw new RangeError('at least one timestamp format is required');
  const formats = options.formats.map(compileTimeFormat);
  const field = compilePath(options.field ?? 'timestamp');
  const target = compilePath(options.target ?? 'timestamp');
  const fieldTop = field.length === 1 ? field[0] : undefined;
  const targetTop = target.length === 1 ? target[0] : undefined;
  const dropField = options.dropField === true && field.join('.') !== target.join('.');
  const errorTag = options.errorTag ?? 'timestamp_parse_error';
  const scheduler = options.scheduler ?? asyncScheduler;
  const timeZone = options.timeZone ?? 'UTC';
  if (!isKnownTimeZone(timeZone)) throw new ConfigError(`unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as UTC or Europe/Berlin`);
  const context: TimeContext = { timeZone, now: () => scheduler.now() };
  const onParseError = hooks.onParseError;

  const project = (event: LogEvent): LogEvent => {
    const value = fieldTop !== undefined ? event[fieldTop] : getField(event, field);
    if (value !== undefined) {
      for (let i = 0; i < formats.length; i++) {
        const iso = formats[i](value, context);
        if (iso === undefined) continue;
        if (dropField) setField(event, field, undefined);
        if (targetTop !== undefined) event[targetTop] = iso;
        else setField(event, target, iso);
        return event;
      }
    }
    addTag(event, errorTag);
    onParseError?.(event, value === undefined ? 'field is missing' : 'no format matched');
    return event;
  };

  return mapEvents(project, hooks);
}
