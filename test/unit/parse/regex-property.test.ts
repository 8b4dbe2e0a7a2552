import fc from 'fast-check';
import { lastValueFrom, of, toArray, type OperatorFunction } from 'rxjs';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { JsonValue, LogEvent } from '../../../src/core/event';
import type { ParseHooks } from '../../../operators/parse/json';
import { parseGrok } from '../../../operators/parse/grok/grok';
import { parseRegex } from '../../../operators/parse/regex';
import { parseTimestampField } from '../../../operators/parse/time/timestamp';

/** Strings shaped like the lines these parsers see, plus arbitrary unicode and binary-ish text. */
const lineLike = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1', '10/Oct/2000:13:55:36 -0700', 'Dec 31 23:59:60', '1764728267', '-1e309', '::', '%{'),
  fc.array(fc.constantFrom('1', '.', ':', '/', '-', ' ', '[', ']', '"', 'Dec', '+0000', 'T', 'Z', '\\', '%'), { maxLength: 40 }).map((parts) => parts.join('')),
);
const value: fc.Arbitrary<JsonValue | undefined> = fc.oneof(lineLike, fc.jsonValue() as fc.Arbitrary<JsonValue>, fc.constant(undefined), fc.double());
const event: fc.Arbitrary<LogEvent> = fc.record({ message: value, timestamp: value, nested: fc.oneof(fc.record({ log: value }), value), tags: fc.oneof(fc.constant(undefined), fc.string(), fc.array(fc.string())) }, { requiredKeys: [] }) as fc.Arbitrary<LogEvent>;

const PARSERS: ReadonlyArray<[string, (hooks: ParseHooks) => OperatorFunction<Batch, Batch>]> = [
  ['grok common log', (hooks) => parseGrok({ match: ['^%{COMMONAPACHELOG}$', '%{SYSLOGLINE}'], onFailure: 'drop' }, hooks)],
  ['grok nested target, all', (hooks) => parseGrok({ match: ['%{IP:a.b} %{NUMBER:n:int}', '%{TIMESTAMP_ISO8601:t}'], field: 'nested.log', target: 'x.y', mode: 'all' }, hooks)],
  ['regex', (hooks) => parseRegex({ patterns: ['^(?<a.b:float>[\\d.]+)?(?<rest>.*)$'], dropField: true, maxLength: 100, onFailure: 'drop' }, hooks)],
  ['timestamp', (hooks) => parseTimestampField({ formats: ['%d/%b/%Y:%H:%M:%S %z', 'syslog', 'iso8601', 'unix_ns', 'unix_s', '%s'], timeZone: 'Europe/Berlin' }, hooks)],
  ['timestamp nested', (hooks) => parseTimestampField({ field: 'nested.log', target: 'nested.log', formats: ['%a %b %e %H:%M:%S %Y', 'unix_ms'] }, hooks)],
];

describe('parsers never throw on arbitrary input', () => {
  it.each(PARSERS)('%s keeps every event (or drops it counted) whatever the input', async (_name, make) => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 20 }), fc.boolean(), async (events, shared) => {
        const errors: unknown[] = [];
        let discarded = 0;
        const operator = make({ onError: (error) => errors.push(error), onDiscard: (count) => (discarded += count) });
        const batch = { ...createBatch(events.map((e) => ({ ...e }))), shared };
        const out = await lastValueFrom(of(batch).pipe(operator, toArray()));
        const kept = out.reduce((sum, b) => sum + b.events.length, 0);
        expect(errors).toEqual([]);
        expect(kept + discarded).toBe(events.length);
        for (const b of out) for (const e of b.events) expect(() => JSON.stringify(e)).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});
