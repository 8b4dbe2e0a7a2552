import { DeliveryError } from '../../../src/core/errors';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { bufferFromConfig, bufferOptionsShape, bufferTransform, checkBufferConfig, type BufferConfig } from '../../../src/transforms/buffer';
import { IssueCollector, object } from '../../../src/config/schema';
import { ConfigError } from '../../../src/core/errors';
import type { Batch } from '../../../src/core/batch';
import { fullShape } from '../../../src/components/shapes';
import { Pipeline } from '../../../src/graph/pipeline';
import { AckRecorder } from '../../helpers/batches';
import { metricValue, testContext } from '../../helpers/context';
import { collected, testRegistry } from '../graph/fixtures';

/** Validates `raw` as the options of a buffer transform, as the graph does. */
function parse(raw: Record<string, unknown>): { config: BufferConfig; issues: IssueCollector['issues'] } {
  const issues = new IssueCollector();
  const config = object(fullShape(bufferTransform)).parse(raw, [], issues) as BufferConfig;
  return { config, issues: issues.issues };
}

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-buffer-component-'));


// Real disk I/O: fsyncs and renames can be slow on a loaded machine.
jest.setTimeout(30_000);

describe('buffer component', () => {
  it('validates its example', () => {
    expect(parse(bufferTransform.example).issues).toEqual([]);
  });

  it('documents every option with a description', () => {
    for (const [name, option] of Object.entries(bufferOptionsShape)) expect([name, option.doc.description.length > 10]).toEqual([name, true]);
  });

  it('settles the defaults: memory, 10000 events, block, 4 in flight, fsync every second', () => {
    const { config, issues } = parse({});
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ mode: 'memory', max_events: 10_000, when_full: 'block', max_in_flight: 4, fsync: 'interval', fsync_interval: 1000 });
    expect(config.max_bytes).toBeUndefined(); // 64MiB in memory, 1GiB on disk, settled by mode
  });

  it('reads sizes and durations written with units', () => {
    const { config } = parse({ mode: 'disk', max_bytes: '512MiB', max_segment_bytes: '16MiB', fsync_interval: '200ms' });
    expect(config).toMatchObject({ max_bytes: 512 * 1024 * 1024, max_segment_bytes: 16 * 1024 * 1024, fsync_interval: 200 });
  });

  it('rejects an unknown when_full policy and a misspelt option', () => {
    const { issues } = parse({ when_full: 'panic', max_evnets: 5 });
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['max_evnets', 'when_full']);
  });

  it('refuses drop_oldest and sample in disk mode with an error naming when_full', () => {
    for (const when_full of ['drop_oldest', 'sample']) {
      const { config } = parse({ mode: 'disk', when_full });
      expect(checkBufferConfig(config)).toEqual([{ path: ['when_full'], message: expect.stringContaining('not available with mode: disk') }]);
      expect(() => bufferFromConfig(config, testContext())).toThrow(ConfigError);
    }
  });

  it('counts policy drops, sets the utilisation and size gauges, and counts a redelivery and a permanent failure', async () => {
    const context = testContext({ id: 'buf' });
    const acks = new AckRecorder();
    const input = new Subject<Batch>();
    const held: Batch[] = [];
    input.pipe(bufferFromConfig(parse({ max_events: 2, when_full: 'drop_newest', max_in_flight: 1 }).config, context)).subscribe((batch) => held.push(batch));
    for (const label of ['a', 'b', 'c', 'd']) input.next(acks.batch(label, label));
    expect(held).toHaveLength(1);
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'drop_newest' })).toBe(1);
    expect(await metricValue(context.pipelineMetrics, 'sluice_buffer_utilisation', { component_id: 'buf' })).toBe(1);
    expect(await metricValue(context.pipelineMetrics, 'sluice_buffer_events', { component_id: 'buf' })).toBe(2);
    // A retryable failure: the buffer keeps the event and sends it again after a backoff.
    held[0].ack.reject(new DeliveryError('sink down', true));
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_retried_events_total', { component_id: 'buf' })).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(held).toHaveLength(2);
    expect(held[1].events.map((event) => event.message)).toEqual(['a']);
    // A permanent failure: acked upstream long ago, so it is dropped, and counted as such.
    held[1].ack.reject(new DeliveryError('refused', false));
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'delivery_failed' })).toBe(1);
  });

  it('runs in a pipeline in disk mode: every event delivered once, the log under the data dir, nothing replayed on restart', async () => {
    const spec = (dir: string) => ({
      data_dir: dir,
      api: { enabled: false },
      sources: { raw: { type: 'counting', count: 500, batch_size: 7 } },
      transforms: { durable: { type: 'buffer', mode: 'disk', inputs: ['raw'], fsync: 'always' } },
      sinks: { out: { type: 'collect', inputs: ['durable'] } },
    });
    const dir = dataDir();
    const registry = () => testRegistry().register(bufferTransform);
    await Pipeline.create(spec(dir), { registry: registry() }).run();
    expect((collected.get('out') ?? []).map((event) => Number(event.message))).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(existsSync(join(dir, 'durable', 'buffer'))).toBe(true);

    const again = { ...spec(dir), sources: { raw: { type: 'counting', count: 0 } } };
    await Pipeline.create(again, { registry: registry() }).run();
    expect(collected.get('out')).toEqual([]);
  });
});
