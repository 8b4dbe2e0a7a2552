import { lastValueFrom, of, toArray } from 'rxjs';
import { nestedDeeperThan, parseJson, type ParseJsonOptions } from '../../../operators/parse/json';
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
      { a: 1 },
    ]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(2);
  });

  // Regression (issue 14): the default pipeline stored every parsed demo event twice, as
  // fields and as the JSON text in `message`.
  it('drops the raw JSON text once parsed by default, and keeps it beside the fields with drop_field: false', async () => {
    const line = '{"level":"info","status":200}';
    const dropped = await run(jsonTransform.create(parseConfig(jsonTransform, {}), testContext()), createBatch([{ message: line, timestamp: 't' }]));
    expect(JSON.stringify(dropped[0])).toBe('{"level":"info","status":200,"timestamp":"t"}');
    const kept = await run(jsonTransform.create(parseConfig(jsonTransform, { drop_field: false }), testContext()), createBatch([{ message: line }]));
    expect(kept).toEqual([{ message: line, level: 'info', status: 200 }]);
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

  // Regression (issue 7, defect 5): JSON.parse accepted a line nested 100,000 deep and the
  // file sink's JSON.stringify then overflowed the stack, failing the whole batch.
  it('keeps a line nested deeper than max_depth as its raw string, tagged and counted, and parses the rest', async () => {
    const ctx = testContext();
    const operator = jsonTransform.create(parseConfig(jsonTransform, {}), ctx);
    const poison = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const events = await run(operator, createBatch([{ message: '{"ok":1}' }, { message: poison }, { message: '{"ok":2}' }]));
    expect(events.map((event) => event.ok)).toEqual([1, undefined, 2]);
    expect(events[1]).toEqual({ message: poison, tags: ['json_parse_error'] });
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'parse' })).toBe(1);
  });

  it('takes max_depth from 1 to 1000, 64 by default', () => {
    expect(parseConfig(jsonTransform, {}).max_depth).toBe(64);
    expect(() => parseConfig(jsonTransform, { max_depth: 5000 })).toThrow(/max_depth/);
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
    expect(await parse([{ message: ' \t{"a":1}' }])).toEqual([{ a: 1 }]);
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
    expect(JSON.parse(JSON.stringify(event))).toEqual(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
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
    expect(JSON.stringify(nestedOut[0])).toBe('{"wrapper":{"parsed":{"x":1}}}');
  });

  it('accepts JSON exactly maxDepth deep and refuses one level more, counting arrays too', async () => {
    const nest = (depth: number) => '{"a":'.repeat(depth - 1) + '{"b":[1]}' + '}'.repeat(depth - 1); // objects, plus one array level
    const reasons: string[] = [];
    const events = await run(parseJson({ maxDepth: 4 }, { onParseError: (_event, reason) => reasons.push(reason) }), createBatch([{ message: nest(3) }, { message: nest(4) }]));
    expect(events[0].a).toEqual({ a: { b: [1] } });
    expect(events[1].tags).toEqual(['json_parse_error']);
    expect(reasons).toEqual(['nested deeper than 4 levels']);
  });
});

describe('nestedDeeperThan', () => {
  it('counts nesting, not brackets: many siblings are shallow', () => {
    const siblings = '{' + Array.from({ length: 200 }, (_, i) => `"k${i}":{"v":[${i}]}`).join(',') + '}';
    expect(nestedDeeperThan(siblings, 3)).toBe(false);
    expect(nestedDeeperThan(siblings, 2)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ message: '{{{{[[[[ \\" {{{{ "'.repeat(20), n: { m: 1 } });
    expect(nestedDeeperThan(text, 2)).toBe(false);
    expect(nestedDeeperThan(text, 1)).toBe(true);
  });

  it('answers false at once for a line too short to be that deep', () => {
    expect(nestedDeeperThan('{"a":{"b":{"c":1}}}', 64)).toBe(false);
  });
});
