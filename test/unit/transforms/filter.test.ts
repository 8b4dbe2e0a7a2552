import { lastValueFrom, of, toArray } from 'rxjs';
import { compileFilter, type Condition } from '../../../operators/transform/filter';
import { filterTransform } from '../../../src/transforms/filter';
import { createBatch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import { configIssues, metricValue, parseConfig, testContext } from '../../helpers/context';

const matches = (condition: Condition, event: LogEvent): boolean => compileFilter({ conditions: [condition] })(event);

describe('filterTransform', () => {
  it('keeps matching events from YAML-shaped config and counts the dropped ones as filtered', async () => {
    const ctx = testContext();
    const config = parseConfig(filterTransform, { conditions: [{ field: 'level', in: ['warn', 'error'] }, { field: 'message', matches: 'timeout' }], mode: 'any' });
    const events: LogEvent[] = [{ level: 'info', message: 'ok' }, { level: 'error', message: 'x' }, { level: 'info', message: 'db timeout' }, { level: 'debug' }];
    const [out] = await lastValueFrom(of(createBatch(events)).pipe(filterTransform.create(config, ctx), toArray()));
    expect(out.events).toEqual([events[1], events[2]]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'filtered' })).toBe(2);
  });

  it('round-trips its example config', () => {
    expect(parseConfig(filterTransform, filterTransform.example)).toEqual(expect.objectContaining({ mode: 'all', action: 'keep' }));
  });

  it('reports an invalid regular expression at validation, naming the condition, as creating the stage would', () => {
    expect(configIssues(filterTransform, { conditions: [{ field: 'a', exists: true }, { field: 'message', matches: '(unclosed' }] })).toEqual([
      expect.stringMatching(/^conditions\.1\.matches: invalid regular expression "\(unclosed"/),
    ]);
    const create = () => compileFilter({ conditions: [{ field: 'a', exists: true }, { field: 'message', matches: '(unclosed' }] });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/conditions\.1\.matches: invalid regular expression "\(unclosed"/);
  });

  it('reports a condition with no operator, and a non-scalar bound', () => {
    expect(() => compileFilter({ conditions: [{ field: 'a' }] })).toThrow(/conditions\.0: needs an operator/);
    expect(() => compileFilter({ conditions: [{ field: 'a', gt: [1] as unknown as number }] })).toThrow(/conditions\.0\.gt: expected a number or a string/);
  });

  it('reports a misspelt operator and an empty condition list through the config parser', () => {
    expect(configIssues(filterTransform, { conditions: [{ field: 'a', equal: 1 }] })).toEqual([expect.stringMatching(/^conditions\.0\.equal: unknown option "equal" \(did you mean "equals"\?\)/)]);
    expect(configIssues(filterTransform, { conditions: [] })).toEqual(['conditions: needs at least 1 item(s)']);
  });
});

describe('compileFilter conditions', () => {
  it('compares numbers and numeric strings as numbers with equals, not_equals and in', () => {
    expect(matches({ field: 'status', equals: 200 }, { status: '200' })).toBe(true);
    expect(matches({ field: 'status', equals: '200' }, { status: 200 })).toBe(true);
    expect(matches({ field: 'status', equals: 200 }, { status: 'abc' })).toBe(false);
    expect(matches({ field: 'status', in: [500, '503'] }, { status: 503 })).toBe(true);
    expect(matches({ field: 'status', in: [500, 503] }, { status: '500' })).toBe(true);
    expect(matches({ field: 'status', not_equals: 200 }, { status: 404 })).toBe(true);
    expect(matches({ field: 'status', not_equals: 200 }, {})).toBe(true);
  });

  it('compares objects by their JSON with equals', () => {
    expect(matches({ field: 'user', equals: { id: 1 } }, { user: { id: 1 } })).toBe(true);
    expect(matches({ field: 'user', equals: { id: 1 } }, { user: { id: 2 } })).toBe(false);
  });

  it('matches a regex against strings and against numbers as text, never against missing fields', () => {
    expect(matches({ field: 'http.path', matches: '^/api/' }, { http: { path: '/api/users' } })).toBe(true);
    expect(matches({ field: 'status', matches: '^5' }, { status: 503 })).toBe(true);
    expect(matches({ field: 'status', matches: '.*' }, {})).toBe(false);
  });

  it('tests presence with exists, counting null as present', () => {
    expect(matches({ field: 'trace.id', exists: true }, { trace: { id: 'x' } })).toBe(true);
    expect(matches({ field: 'trace.id', exists: true }, { trace: { id: null } })).toBe(true);
    expect(matches({ field: 'trace.id', exists: false }, {})).toBe(true);
  });

  it('combines operators of one condition as a range, numerically or by text for string bounds', () => {
    const ok = { field: 'status', gte: 200, lt: 300 };
    expect(matches(ok, { status: 204 })).toBe(true);
    expect(matches(ok, { status: '299' })).toBe(true);
    expect(matches(ok, { status: 300 })).toBe(false);
    expect(matches(ok, { status: 'n/a' })).toBe(false);
    expect(matches({ field: 'timestamp', gt: '2024-01-01T00:00:00Z' }, { timestamp: '2024-06-01T00:00:00Z' })).toBe(true);
    expect(matches({ field: 'timestamp', lte: '2024-01-01T00:00:00Z' }, { timestamp: '2024-06-01T00:00:00Z' })).toBe(false);
  });

  it('requires every condition in mode all and one in mode any, and inverts with action drop', () => {
    const conditions: Condition[] = [{ field: 'a', equals: 1 }, { field: 'b', equals: 2 }];
    const both = { a: 1, b: 2 };
    const one = { a: 1, b: 0 };
    expect([compileFilter({ conditions })(both), compileFilter({ conditions })(one)]).toEqual([true, false]);
    expect([compileFilter({ conditions, mode: 'any' })(one), compileFilter({ conditions, mode: 'any' })({})]).toEqual([true, false]);
    expect(compileFilter({ conditions, action: 'drop' })(both)).toBe(false);
    expect(compileFilter({ conditions: [conditions[0]], action: 'drop' })(both)).toBe(false);
  });
});
