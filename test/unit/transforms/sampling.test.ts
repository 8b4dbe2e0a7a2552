import { lastValueFrom, of, toArray, type OperatorFunction } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import { stableHash } from '../../../operators/transform/event-key';
import { RecencyCache } from '../../../operators/transform/recency-cache';
import { dedupeTransform } from '../../../src/transforms/dedupe';
import { sampleTransform } from '../../../src/transforms/sample';
import { throttleTransform } from '../../../src/transforms/throttle';
import { createBatch, type Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { configIssues, metricValue, parseConfig, testContext } from '../../helpers/context';

async function run(operator: OperatorFunction<Batch, Batch>, events: LogEvent[]): Promise<LogEvent[]> {
  const out = await lastValueFrom(of(createBatch(events)).pipe(operator, toArray()));
  return out.flatMap((batch) => batch.events);
}
const numbered = (count: number, extra: (i: number) => LogEvent = () => ({})): LogEvent[] => Array.from({ length: count }, (_, i) => ({ message: `m${i}`, ...extra(i) }));

describe('sampleTransform', () => {
  it('round-trips its example and counts dropped events as sampled', async () => {
    const ctx = testContext();
    const out = await run(sampleTransform.create(parseConfig(sampleTransform, sampleTransform.example), ctx), numbered(100));
    expect(out).toHaveLength(10);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'sampled' })).toBe(90);
  });

  it('keeps close to 1 in N of many keys, all or nothing per key', async () => {
    const events = numbered(20_000, (i) => ({ trace: `t${i % 5000}` }));
    const out = await run(sampleTransform.create(parseConfig(sampleTransform, { rate: 10, key_field: 'trace' }), testContext()), events);
    const keptKeys = new Set(out.map((event) => event.trace));
    expect(keptKeys.size).toBeGreaterThan(400);
    expect(keptKeys.size).toBeLessThan(600);
    expect(out).toHaveLength(keptKeys.size * 4);
    for (const key of keptKeys) expect(stableHash(key as string) % 10).toBe(0);
  });

  it('validates its exclude condition and rates through the config parser', () => {
    expect(configIssues(sampleTransform, { rate: 0 })).toEqual(['rate: must be at least 1, got 0']);
    expect(configIssues(sampleTransform, { rate: 2, exclude: { field: 'level', matches: '(' } })).toEqual([expect.stringMatching(/^exclude\.matches: invalid regular expression/)]);
    expect(configIssues(sampleTransform, { rate: 2, rate_by_level: { debug: 0 } })).toEqual(['rate_by_level.debug: must be at least 1, got 0']);
  });
});

describe('throttleTransform', () => {
  it('lets threshold events per key through per window and counts the excess as throttled', async () => {
    const scheduler = new VirtualTimeScheduler();
    const ctx = testContext({ scheduler });
    const config = parseConfig(throttleTransform, { threshold: 2, window: '1s', key_field: 'service', exclude: { field: 'level', equals: 'error' } });
    const events = numbered(9, (i) => ({ service: i % 3 === 0 ? 'a' : 'b', level: i === 8 ? 'error' : 'info' }));
    const out = await run(throttleTransform.create(config, ctx), events);
    expect(out.map((event) => event.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm8']);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'throttled' })).toBe(4);
  });

  it('round-trips its example config', () => {
    expect(parseConfig(throttleTransform, throttleTransform.example)).toEqual(expect.objectContaining({ threshold: 100, window: 1000, max_keys: 10_000 }));
  });
});

describe('dedupeTransform', () => {
  it('drops repeats and counts them as deduplicated', async () => {
    const ctx = testContext({ scheduler: new VirtualTimeScheduler() });
    const out = await run(dedupeTransform.create(parseConfig(dedupeTransform, dedupeTransform.example), ctx), [{ message: 'a' }, { message: 'a' }, { message: 'b' }]);
    expect(out).toEqual([{ message: 'a' }, { message: 'b' }]);
    expect(await metricValue(ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'deduplicated' })).toBe(1);
  });

  it('bounds its memory by max_entries however long the keys', async () => {
    const long = 'x'.repeat(10_000);
    const events = numbered(50, (i) => ({ message: `${long}${i % 25}` }));
    const out = await run(dedupeTransform.create(parseConfig(dedupeTransform, { fields: ['message'], max_entries: 30 }), testContext()), events);
    expect(out).toHaveLength(25);
  });

  it('defaults its key to timestamp, host and message', () => {
    expect(parseConfig(dedupeTransform, {})).toEqual(expect.objectContaining({ fields: ['timestamp', 'host', 'message'], max_entries: 10_000, ttl: undefined }));
  });
});

describe('RecencyCache', () => {
  it('returns the previous sighting, evicts the least recently seen and expires by time', () => {
    const cache = new RecencyCache(2);
    expect(cache.touch('a', 1)).toBeUndefined();
    expect(cache.touch('b', 2)).toBeUndefined();
    expect(cache.touch('a', 3)).toBe(1);
    expect(cache.touch('c', 4)).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.touch('b', 5)).toBeUndefined();
    cache.expire(4);
    expect(cache.size).toBe(1);
    expect(cache.touch('b', 6)).toBe(5);
  });

  it('stays linear over many evictions', () => {
    const cache = new RecencyCache(1000);
    for (let i = 0; i < 200_000; i++) cache.touch(`k${i}`, i);
    expect(cache.size).toBe(1000);
    expect(cache.touch('k199999', 1)).toBe(199_999);
  });
});
