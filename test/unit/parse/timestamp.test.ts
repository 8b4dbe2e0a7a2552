import fc from 'fast-check';
import { lastValueFrom, of, toArray } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import { createBatch } from '../../../src/core/batch';
import type { JsonValue, LogEvent } from '../../../src/core/event';
import { isoAtOffset } from '../../../operators/parse/time/civil';
import { compileTimeFormat } from '../../../operators/parse/time/formats';
import { wallTimeToIso } from '../../../src/sources/syslog/instant';
import { parseTimestampField } from '../../../operators/parse/time/timestamp';
import { timestampTransform } from '../../../src/transforms/timestamp';
import { metricValue, parseConfig, testContext } from '../../helpers/context';

const UTC = { timeZone: 'UTC', now: () => Date.UTC(2026, 11, 3, 2, 0, 0) };
const read = (format: string, value: JsonValue, context = UTC): string | undefined => compileTimeFormat(format)(value, context);

async function stamp(events: LogEvent[], options: Parameters<typeof parseTimestampField>[0]): Promise<LogEvent[]> {
  const [out] = await lastValueFrom(of(createBatch(events)).pipe(parseTimestampField(options), toArray()));
  return out.events;
}

describe('timestamp formats', () => {
  it('reads Apache/nginx access-log times with their offset', () => {
    expect(read('%d/%b/%Y:%H:%M:%S %z', '10/Oct/2000:13:55:36 -0700')).toBe('2000-10-10T20:55:36.000Z');
    expect(read('%d/%b/%Y:%H:%M:%S %z', '29/Feb/2024:23:59:59 +0530')).toBe('2024-02-29T18:29:59.000Z');
    expect(read('%d/%b/%Y:%H:%M:%S %z', '30/Feb/2024:00:00:00 +0000')).toBeUndefined();
    expect(read('%d/%b/%Y:%H:%M:%S %z', '10/Foo/2000:13:55:36 -0700')).toBeUndefined();
  });

  it('reads nginx error-log and Apache error-log times in the configured zone', () => {
    const berlin = { ...UTC, timeZone: 'Europe/Berlin' };
    expect(read('%Y/%m/%d %H:%M:%S', '2026/12/02 22:15:42', berlin)).toBe('2026-12-02T21:15:42.000Z');
    expect(read('%Y/%m/%d %H:%M:%S', '2026/07/02 22:15:42', berlin)).toBe('2026-07-02T20:15:42.000Z');
    expect(read('%a %b %d %H:%M:%S.%f %Y', 'Wed Dec 02 22:17:05.123456 2026')).toBe('2026-12-02T22:17:05.123Z');
  });

  it('reads 12-hour clocks, two-digit years, %T/%F/%D composites and epoch %s', () => {
    expect(read('%m/%d/%y %I:%M:%S %p', '12/03/26 01:02:03 PM')).toBe('2026-12-03T13:02:03.000Z');
    expect(read('%m/%d/%y %I:%M:%S %p', '12/03/99 12:00:00 AM')).toBe('1999-12-03T00:00:00.000Z');
    expect(read('%F %T', '2026-12-03 02:17:47')).toBe('2026-12-03T02:17:47.000Z');
    expect(read('%D %R', '12/03/26 02:17')).toBe('2026-12-03T02:17:00.000Z');
    expect(read('%s.%L', '1764728267.250')).toBe('2025-12-03T02:17:47.250Z');
  });

  it('reads year-less syslog times, taking last year for a date more than a day ahead', () => {
    expect(read('syslog', 'Dec  3 01:59:00')).toBe('2026-12-03T01:59:00.000Z');
    expect(read('syslog', 'Dec 31 23:59:59')).toBe('2025-12-31T23:59:59.000Z');
    expect(read('syslog', 'Mar  1 14:03:05.250', { ...UTC, timeZone: 'America/New_York' })).toBe('2026-03-01T19:03:05.250Z');
    expect(read('syslog', 'Feb 30 00:00:00')).toBeUndefined();
  });

  it('reads ISO 8601 / RFC 3339 and epochs in a fixed unit, numbers or numeric strings', () => {
    expect(read('iso8601', '2026-12-03T03:17:47.5+01:00')).toBe('2026-12-03T02:17:47.500Z');
    expect(read('rfc3339', '2026-12-03 02:17:47Z')).toBe('2026-12-03T02:17:47.000Z');
    expect(read('iso8601', '1764728267')).toBeUndefined();
    expect(read('unix_s', 1764728267.5)).toBe('2025-12-03T02:17:47.500Z');
    expect(read('unix_ms', '1764728267500')).toBe('2025-12-03T02:17:47.500Z');
    expect(read('unix_us', 1764728267500123)).toBe('2025-12-03T02:17:47.500Z');
    expect(read('unix_ns', '1764728267500123456')).toBe('2025-12-03T02:17:47.500Z');
    expect(read('unix_s', 'soon')).toBeUndefined();
    expect(read('unix_s', 1e300)).toBeUndefined();
  });

  it('formats a wall time at a fixed offset exactly as the Date-based syslog resolver does', () => {
    const field = (max: number) => fc.integer({ min: 0, max });
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 9999 }), field(11), fc.integer({ min: 1, max: 31 }), field(23), field(59), field(60), field(999), fc.integer({ min: -1439, max: 1439 }), (...args) => {
        const [year, month, day, hour, minute, second, ms, offset] = args;
        expect(isoAtOffset(year, month, day, hour, minute, second, ms, offset)).toBe(wallTimeToIso(offset, year, month, day, hour, minute, second, ms));
      }),
      { numRuns: 2000 },
    );
    expect(isoAtOffset(9999, 11, 31, 23, 0, 0, 0, -120)).toBeUndefined();
    expect(isoAtOffset(2024, 1, 30, 0, 0, 0, 0, 0)).toBeUndefined();
  });

  it('rejects unknown formats and directives with their position', () => {
    expect(() => compileTimeFormat('epoch')).toThrow('unknown timestamp format "epoch"');
    expect(() => compileTimeFormat('%Y-%m-%d %Q')).toThrow('unknown directive "%Q" at position 10 of timestamp format "%Y-%m-%d %Q"');
    const issues = timestampTransform.check?.(parseConfig(timestampTransform, { formats: ['iso8601', '%k'], timezone: 'Mars/Olympus' }));
    expect(issues).toEqual([
      { path: ['formats', 1], message: 'unknown directive "%k" at position 1 of timestamp format "%k"' },
      { path: ['timezone'], message: 'unknown time zone "Mars/Olympus": expected an IANA name such as UTC or Europe/Berlin' },
    ]);
  });
});

describe('timestamp stage', () => {
  it('tries formats in order and writes the canonical timestamp; drops the source field when asked', async () => {
    const events = await stamp([{ time: '1764728267' }, { time: '2026-12-03T02:17:47Z' }], { field: 'time', formats: ['iso8601', 'unix_s'], dropField: true });
    expect(events).toEqual([{ timestamp: '2025-12-03T02:17:47.000Z' }, { timestamp: '2026-12-03T02:17:47.000Z' }]);
  });

  it('tags an unparseable or missing value and never replaces the timestamp with now', async () => {
    const ctx = testContext();
    const operator = timestampTransform.create(parseConfig(timestampTransform, { field: 'time', formats: ['iso8601'] }), ctx);
    const [out] = await lastValueFrom(of(createBatch([{ time: 'yesterday', timestamp: '2020-01-01T00:00:00.000Z' }, { message: 'no time' }])).pipe(operator, toArray()));
    expect(out.events).toEqual([
      { time: 'yesterday', timestamp: '2020-01-01T00:00:00.000Z', tags: ['timestamp_parse_error'] },
      { message: 'no time', tags: ['timestamp_parse_error'] },
    ]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(2);
  });

  it('takes "now" for year-less times from its scheduler', async () => {
    const scheduler = new VirtualTimeScheduler();
    // Virtual time 0 is 1970-01-01: a year-less December date is a day ahead of it, so 1969.
    const [event] = await stamp([{ t: 'Dec 31 12:00:00' }, { t: 'Jan  1 12:00:00' }], { field: 't', formats: ['syslog'], scheduler });
    expect(event.timestamp).toBe('1969-12-31T12:00:00.000Z');
  });

  it('writes a nested target', async () => {
    const [event] = await stamp([{ ts: 0 }], { field: 'ts', target: 'event.created', formats: ['unix_ms'] });
    expect(event).toEqual({ ts: 0, event: { created: '1970-01-01T00:00:00.000Z' } });
  });
});
