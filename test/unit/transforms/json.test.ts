import { lastValueFrom, of, toArray } from 'rxjs';
import { parseJson, type ParseJsonOptions } from '../../../operators/parse/json';
import { jsonTransform } from '../../../src/transforms/json';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { metricValue, parseConfig, testContext } from '../../helpers/context';

async function run(operator: ReturnType<typeof parseJson>, input: Batch): Promise<LogEvent[]> {
  const [out] = await lastValueFrom(of(input).pipe(operator, toArray()));
  return out.events;
}

const parse = (events: LogEvent[], options: ParseJsonOptions = {}) => run(parseJson(options), createBatch(events));

describe('jsonTransform', () => {
  it('tags malformed JSON, keeps the raw line and counts a parse error per event', async () => {
    const ctx = testContext();
    const operator = jsonTransform.create(parseConfig(jsonTransform, jsonTransform.example), ctx);
    const events = await run(operator, createBatch([{ message: '{"a":' }, { message: 'plain text' }, { message: '{"a":1}' }]));
    expect(events).toEqual([
      { message: '{"a":', tags: ['json_parse_error'] },
      { message: 'plain text', tags: ['json_parse_error'] },
      { message: '{"a":1}', a: 1 },
    ]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(2);
  });

  it('parses a nested field into a target path and drops the raw field when asked', async () => {
    const ctx = testContext();
    const config = parseConfig(jsonTransform, { field: 'kubernetes.log', target: 'app.payload', drop_field: true, error_tag: 'bad_json' });
    const events = await run(jsonTransform.create(config, ctx), createBatch([{ kubernetes: { log: '{"level":"warn"}', pod: 'p1' } }, { kubernetes: { log: 'nope' } }]));
    expect(events).toEqual([
      { kubernetes: { pod: 'p1' }, app: { payload: { level: 'warn' } } },
      { kubernetes: { log: 'nope' }, tags: ['bad_json'] },
    ]);
    expect(JSON.stringify(events[0])).toBe('{"kubernetes":{"pod":"p1"},"app":{"payload":{"level":"warn"}}}');
  });

  it('rejects an unknown option with a suggestion', () => {
    expect(() => parseConfig(jsonTransform, { feild: 'log' })).toThrow(/did you mean "field"/);
  });
});

describe('parseJson', () => {
  it('replaces event keys with parsed keys of the same name at the root, keeping the others', async () => {
    expect(await parse([{ message: '{"message":"inner","level":"debug"}', level: 'info', host: 'h' }])).toEqual([{ message: 'inner', level: 'debug', host: 'h' }]);
  });

  it('accepts leading whitespace before the object', async () => {
    expect(await parse([{ message: ' \t{"a":1}' }])).toEqual([{ message: ' \t{"a":1}', a: 1 }]);
  });

  it('treats numbers, strings, arrays and a missing or non-string field as parse errors', async () => {
    const reasons: string[] = [];
    const events: LogEvent[] = [{ message: '42' }, { message: '"text"' }, { message: '[1,2]' }, {}, { message: undefined, n: 1 }];
    await run(parseJson({}, { onParseError: (_event, reason) => reasons.push(reason) }), createBatch(events));
    expect(reasons).toEqual(['not a JSON object', 'not a JSON object', 'not a JSON object', 'field is missing', 'field is missing']);
    const numeric = await run(parseJson({ field: 'n' }), createBatch([{ n: 5 }]));
    expect(numeric).toEqual([{ n: 5, tags: ['json_parse_error'] }]);
  });

  it('never changes the prototype of an event for a parsed __proto__ key', async () => {
    const [event] = await parse([{ message: '{"__proto__":{"polluted":true},"a":1}' }]);
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect((event as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(event))).toEqual(JSON.parse('{"message":"{\\"__proto__\\":{\\"polluted\\":true},\\"a\\":1}","__proto__":{"polluted":true},"a":1}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not mutate the events, nested objects or tags of a shared batch (copy-on-write)', async () => {
    const tags = ['seen'];
    const nested = { log: '{"x":1}' };
    const good: LogEvent = { message: '{"level":"info"}', tags };
    const bad: LogEvent = { message: 'oops', tags };
    const deep: LogEvent = { wrapper: nested };
    const input: Batch = { ...createBatch([good, bad, deep]), shared: true };
    const rootOut = await run(parseJson(), input);
    const nestedOut = await run(parseJson({ field: 'wrapper.log', target: 'wrapper.parsed' }), { ...createBatch([deep]), shared: true });
    expect(good).toEqual({ message: '{"level":"info"}', tags: ['seen'] });
    expect(bad).toEqual({ message: 'oops', tags: ['seen'] });
    expect(tags).toEqual(['seen']);
    expect(nested).toEqual({ log: '{"x":1}' });
    expect(rootOut[1].tags).toEqual(['seen', 'json_parse_error']);
    expect(nestedOut[0]).toEqual({ wrapper: { log: '{"x":1}', parsed: { x: 1 } } });
  });
});
