import { map, throwError, type OperatorFunction } from 'rxjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { DELIVERED, type Sink } from '../../../src/core/sink';
import { Pipeline, PipelineValidationError } from '../../../src/graph/pipeline';
import { collected, testRegistry } from './fixtures';

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-pipeline-'));
const base = () => ({ data_dir: dataDir(), api: { enabled: false } });
const messages = (id: string): string[] => (collected.get(id) ?? []).map((event) => String(event.message));
const range = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i));

async function metricValue(pipeline: Pipeline, name: string, componentId: string): Promise<number> {
  const metric = await pipeline.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((v) => v.labels.component_id === componentId).reduce((sum, v) => sum + v.value, 0);
}

describe('Pipeline', () => {
  it('delivers every event exactly once and returns all credit when the source completes', async () => {
    const pipeline = Pipeline.create(
      { ...base(), sources: { raw: { type: 'counting', count: 1000, batch_size: 7 } }, transforms: { loud: { type: 'shout', inputs: ['raw'] } }, sinks: { out: { type: 'collect', inputs: ['loud'] } } },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(messages('out')).toEqual(range(1000));
    expect(pipeline.state).toBe('stopped');
    expect(await metricValue(pipeline, 'sluice_source_in_flight_events', 'raw')).toBe(0);
    expect(await metricValue(pipeline, 'sluice_component_sent_events_total', 'out')).toBe(1000);
  });

  it('fans out with copy-on-write: a branch that rewrites events leaves its sibling untouched', async () => {
    const pipeline = Pipeline.create(
      {
        ...base(),
        sources: { raw: { type: 'counting', count: 20 } },
        transforms: { tagged: { type: 'shout', mode: 'tag', inputs: ['raw'] } },
        sinks: { plain: { type: 'collect', inputs: ['raw'] }, marked: { type: 'collect', inputs: ['tagged'] } },
      },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(messages('plain')).toEqual(range(20));
    expect(messages('marked')).toEqual(range(20).map((m) => `!${m}`));
  });

  it('merges several inputs into one sink (fan-in)', async () => {
    const pipeline = Pipeline.create(
      { ...base(), sources: { a: { type: 'counting', count: 5 }, b: { type: 'counting', count: 3 } }, sinks: { both: { type: 'collect', inputs: ['a', 'b'] } } },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(messages('both').sort()).toEqual([...range(5), ...range(3)].sort());
  });

  it('keeps a slow sink from letting in-flight events exceed the source credit', async () => {
    let inFlightPeak = 0;
    let delivered = 0;
    const slow: Sink = {
      async send(batch) {
        await new Promise((resolve) => setImmediate(resolve));
        delivered += batch.events.length;
        return DELIVERED;
      },
      close: async () => undefined,
    };
    const pipeline = Pipeline.create(
      {
        ...base(),
        sources: { raw: { type: 'counting', count: 20_000, batch_size: 10, max_in_flight_events: 200 } },
        sinks: { out: { sink: slow, inputs: ['raw'], batch: { max_events: 50 } } },
      },
      { registry: testRegistry() },
    );
    const gauge = pipeline.metrics.registry.getSingleMetric('sluice_source_in_flight_events');
    const sampler = setInterval(async () => {
      const value = (await gauge?.get())?.values[0]?.value ?? 0;
      inFlightPeak = Math.max(inFlightPeak, value);
    }, 1);
    await pipeline.run();
    clearInterval(sampler);
    expect(delivered).toBe(20_000);
    expect(inFlightPeak).toBeLessThanOrEqual(200 + 10);
  });

  it('rejects the acks of a batch the sink failed permanently, counts it, and keeps running', async () => {
    let calls = 0;
    const failing: Sink = {
      async send() {
        calls += 1;
        if (calls === 1) throw new DeliveryError('mapping rejected', false);
        return DELIVERED;
      },
      close: async () => undefined,
    };
    const pipeline = Pipeline.create(
      { ...base(), sources: { raw: { type: 'counting', count: 10, batch_size: 5 } }, sinks: { out: { sink: failing, inputs: ['raw'], batch: { max_events: 5 } } } },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(calls).toBe(2);
    expect(await metricValue(pipeline, 'sluice_source_ack_failures_total', 'raw')).toBe(1);
    expect(await metricValue(pipeline, 'sluice_component_errors_total', 'out')).toBe(5);
  });

  it('ends only the path of a stage that errors; its sibling still receives everything', async () => {
    const broken: OperatorFunction<Batch, Batch> = (source) => source.pipe(map(() => { throw new Error('bug in stage'); }));
    const pipeline = Pipeline.create(
      {
        ...base(),
        sources: { raw: { type: 'counting', count: 30 } },
        transforms: { bad: { operator: broken, inputs: ['raw'] } },
        sinks: { good: { type: 'collect', inputs: ['raw'] }, after: { type: 'collect', inputs: ['bad'] } },
      },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(messages('good')).toEqual(range(30));
    expect(messages('after')).toEqual([]);
    expect(await metricValue(pipeline, 'sluice_component_errors_total', 'bad')).toBe(1);
    expect(await metricValue(pipeline, 'sluice_source_ack_failures_total', 'raw')).toBeGreaterThan(0);
  });

  it('stops gracefully: sources complete, what was read is delivered, stop() reports drained', async () => {
    const pipeline = Pipeline.create(
      { ...base(), sources: { raw: { type: 'counting', count: 1_000_000_000, batch_size: 100, max_in_flight_events: 500 } }, sinks: { out: { type: 'collect', inputs: ['raw'] } } },
      { registry: testRegistry() },
    );
    const running = pipeline.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pipeline.state).toBe('running');
    await expect(pipeline.stop(5000)).resolves.toBe('drained');
    await running;
    const got = messages('out');
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(range(got.length));
  });

  it('throws every validation issue at once', () => {
    expect(() => Pipeline.create({ sources: {}, sinks: { s: { type: 'collect', inputs: ['x'] } } }, { registry: testRegistry() })).toThrow(PipelineValidationError);
  });

  it('surfaces an erroring source as a failed path, not a crash', async () => {
    const pipeline = Pipeline.create(
      { ...base(), sources: { raw: { source: () => throwError(() => new Error('cannot open')) } }, sinks: { out: { type: 'collect', inputs: ['raw'] } } },
      { registry: testRegistry() },
    );
    await pipeline.run();
    expect(await metricValue(pipeline, 'sluice_component_errors_total', 'raw')).toBe(1);
  });
});
