import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { aggregate, type AggregateOptions } from '../../../operators/aggregate/aggregate';
import { aggregateTransform } from '../../../src/transforms/aggregate';
import { builtinRegistry } from '../../../src/components/builtins';
import { validateGraph } from '../../../src/graph/validate';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { metricValue, parseConfig, testContext } from '../../helpers/context';

/** Every summary the operator emits for `batches`, in order. */
async function summaries(operator: ReturnType<typeof aggregate>, batches: LogEvent[][]): Promise<LogEvent[]> {
  const out = await lastValueFrom(from(batches.map((events) => createBatch(events))).pipe(operator, toArray()));
  return out.flatMap((batch: Batch) => batch.events);
}

const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('aggregate: what a summary holds', () => {
  it('reports count, sum, min, max, mean and quantiles of a numeric field per key, with the key fields', async () => {
    const events: LogEvent[] = [];
    for (let i = 1; i <= 100; i++) events.push({ timestamp: iso(i * 1000), service: 'api', duration_ms: i });
    events.push({ timestamp: iso(5000), service: 'web', duration_ms: '7' }, { timestamp: iso(6000), service: 'web', duration_ms: 'n/a' });
    const [api, web] = await summaries(aggregate({ windowMs: HOUR, groupBy: ['service'], stats: [{ field: 'duration_ms' }] }), [events]);
    expect(api).toMatchObject({ timestamp: iso(0), window: { start: iso(0), end: iso(HOUR) }, service: 'api', count: 100 });
    const stats = (api.stats as Record<string, Record<string, number>>).duration_ms;
    expect({ count: stats.count, sum: stats.sum, min: stats.min, max: stats.max, mean: stats.mean }).toEqual({ count: 100, sum: 5050, min: 1, max: 100, mean: 50.5 });
    // DDSketch: within 1 % of a value at that rank.
    expect(stats.p50).toBeGreaterThanOrEqual(49 * 0.99);
    expect(stats.p50).toBeLessThanOrEqual(51 * 1.01);
    expect(stats.p99).toBeGreaterThanOrEqual(98 * 0.99);
    expect(stats.p99).toBeLessThanOrEqual(100 * 1.01);
    // A numeric string counts; text that is no number does not (but the event does).
    expect(web).toMatchObject({ service: 'web', count: 2, stats: { duration_ms: { count: 1, sum: 7, min: 7, max: 7, mean: 7 } } });
  });

  it('lists the top values of a field with their counts and how many events had another value', async () => {
    const paths = ['/', '/a', '/', '/b', '/', '/a', '/c'];
    const events = paths.map((path, i): LogEvent => ({ timestamp: iso(i), path }));
    const [summary] = await summaries(aggregate({ windowMs: HOUR, top: [{ field: 'path', limit: 2 }] }), [events]);
    expect(summary.top).toEqual({ path: { values: [{ value: '/', count: 3 }, { value: '/a', count: 2 }], others: 2 } });
  });

  it('bounds distinct values per field: values first seen past max_distinct count only in others', async () => {
    const events = ['a', 'b', 'c', 'a', 'c'].map((path, i): LogEvent => ({ timestamp: iso(i), path }));
    const [summary] = await summaries(aggregate({ windowMs: HOUR, top: [{ field: 'path', limit: 5, maxDistinct: 2 }] }), [events]);
    expect(summary.top).toEqual({ path: { values: [{ value: 'a', count: 2 }, { value: 'b', count: 1 }], others: 2 } });
  });

  it('keeps 200 and "200" apart as keys, and reports only the statistics asked for', async () => {
    const events: LogEvent[] = [{ timestamp: iso(1), status: 200, bytes: 10 }, { timestamp: iso(2), status: '200', bytes: 30 }];
    const out = await summaries(aggregate({ windowMs: HOUR, groupBy: ['status'], stats: [{ field: 'bytes', stats: ['sum', 'p95'] }] }), [events]);
    expect(out.map((summary) => [summary.status, summary.count, Object.keys((summary.stats as Record<string, object>).bytes)])).toEqual([
      [200, 1, ['sum', 'p95']],
      ['200', 1, ['sum', 'p95']],
    ]);
  });
});

describe('aggregate: drops are counted, never silent', () => {
  it('counts events without a timestamp and events past max_groups under their reasons', async () => {
    const ctx = testContext();
    const operator = aggregateTransform.create(parseConfig(aggregateTransform, { window: '1h', group_by: ['user'], max_groups: 2 }), ctx);
    const events: LogEvent[] = [{ user: 'a', timestamp: iso(1) }, { user: 'b', timestamp: iso(2) }, { user: 'c', timestamp: iso(3) }, { user: 'a' }, { user: 'a', timestamp: 'yesterday' }];
    const out = await summaries(operator, [events]);
    expect(out.map((summary) => [summary.user, summary.count])).toEqual([['a', 1], ['b', 1]]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'no_timestamp' })).toBe(2);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'groups_full' })).toBe(1);
  });

  it('refuses at validation a slide longer than the window', () => {
    const spec = {
      sources: { gen: { type: 'generator' } },
      transforms: { agg: { type: 'aggregate', inputs: ['gen'], window: '1m', slide: '2m' } },
      sinks: { out: { type: 'blackhole', inputs: ['agg'] } },
    };
    expect(validateGraph(spec, builtinRegistry()).issues).toEqual([{ path: ['transforms', 'agg', 'slide'], message: 'must not exceed the window (60000ms), got 120000ms' }]);
  });
});

describe('aggregate: chunking never changes the result (property)', () => {
  const event = fc.record({
    at: fc.integer({ min: 0, max: 40 }),
    key: fc.constantFrom('a', 'b', 'c'),
    value: fc.integer({ min: -50, max: 1000 }),
  });

  it('gives the same summaries for the same events in any split into batches', async () => {
    const options: AggregateOptions = {
      windowMs: 10,
      slideMs: 5,
      allowedLatenessMs: 3,
      timestampField: 'ts',
      groupBy: ['key'],
      stats: [{ field: 'value' }],
      top: [{ field: 'value', limit: 3 }],
    };
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 20 }), async (items, cuts) => {
        const events = items.map((item): LogEvent => ({ ts: item.at, key: item.key, value: item.value }));
        const whole = await summaries(aggregate(options), [events]);
        const chunks: LogEvent[][] = [];
        for (let at = 0, i = 0; at < events.length; i++) {
          const size = cuts[i % cuts.length];
          chunks.push(events.slice(at, at + size));
          at += size;
        }
        expect(await summaries(aggregate(options), chunks)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });
});
