import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTransform } from '../../../src/transforms/dead-letter';
import type { Batch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { eventMeta, type LogEvent } from '../../../src/core/event';
import { DELIVERED, type Sink } from '../../../src/core/sink';
import { builtinRegistry } from '../../../src/components/builtins';
import type { ComponentRegistry } from '../../../src/components/registry';
import { DeadLetterStore } from '../../../src/dlq/store';
import { Pipeline } from '../../../src/graph/pipeline';
import { validateGraph } from '../../../src/graph/validate';
import { deadLetterSource } from '../../../src/sources/dead-letter';
import { queuedMessages } from './fixtures';

/** The built-in registry with the dead-letter components (until the built-ins include them). */
function registry(): ComponentRegistry {
  const registry = builtinRegistry();
  if (!registry.get('transform', 'dead_letter')) registry.register(deadLetterTransform);
  if (!registry.get('source', 'dead_letter')) registry.register(deadLetterSource);
  return registry;
}

const permanent = (): Sink => ({
  send: () => Promise.reject(new DeliveryError('index is read-only', false)),
  close: async () => undefined,
});

const collecting = (into: LogEvent[]): Sink => ({
  send: async (batch: Batch) => (into.push(...batch.events), DELIVERED),
  close: async () => undefined,
});

async function metric(pipeline: Pipeline, name: string, labels: Record<string, string>): Promise<number> {
  const values = (await pipeline.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
}

describe('dead-letter components in a pipeline', () => {
  let dataDir: string;
  const base = () => ({ data_dir: dataDir, api: { enabled: false } });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sluice-dlq-pipeline-'));
  });

  it('validates the examples of the dead_letter transform and source', () => {
    const spec = {
      ...base(),
      sources: { replay: { type: 'dead_letter', ...deadLetterSource.example } },
      transforms: { dlq: { type: 'dead_letter', inputs: ['replay'], ...deadLetterTransform.example } },
      sinks: { out: { type: 'blackhole', inputs: ['dlq'] } },
    };
    expect(validateGraph(spec, registry()).issues).toEqual([]);
  });

  it('acknowledges the source once permanently failed events are in the queue under <data_dir>/dead_letter/<id>, counting them', async () => {
    const pipeline = Pipeline.create(
      {
        ...base(),
        sources: { gen: { type: 'generator', count: 25, batch_size: 10 } },
        transforms: { dlq: { type: 'dead_letter', inputs: ['gen'] } },
        sinks: { out: { sink: permanent(), inputs: ['dlq'], batch: { max_events: 7, timeout: 10 } } },
      },
      { registry: registry() },
    );
    await pipeline.run();
    const store = new DeadLetterStore({ dir: join(dataDir, 'dead_letter', 'dlq') });
    expect(await queuedMessages(store)).toHaveLength(25);
    expect((await store.stats()).byError).toEqual([{ error: 'index is read-only', count: 25 }]);
    expect(await metric(pipeline, 'sluice_source_ack_failures_total', { component_id: 'gen' })).toBe(0);
    expect(await metric(pipeline, 'sluice_component_dead_lettered_events_total', { component_id: 'dlq' })).toBe(25);
  });

  it('fails the source ack when the queue cannot be written, never pretending', async () => {
    const blocked = join(dataDir, 'blocked');
    writeFileSync(blocked, 'a file, not a directory');
    const pipeline = Pipeline.create(
      {
        ...base(),
        sources: { gen: { type: 'generator', count: 5, batch_size: 5 } },
        transforms: { dlq: { type: 'dead_letter', path: join(blocked, 'queue'), inputs: ['gen'] } },
        sinks: { out: { sink: permanent(), inputs: ['dlq'], batch: { timeout: 10 } } },
      },
      { registry: registry() },
    );
    await pipeline.run();
    expect(await metric(pipeline, 'sluice_source_ack_failures_total', { component_id: 'gen' })).toBe(1);
    expect(await metric(pipeline, 'sluice_component_errors_total', { component_id: 'dlq', error_type: 'dead_letter_write' })).toBe(1);
  });

  it('replays a queue with the dead_letter source: every event delivered once, with its failure as metadata, and the queue emptied', async () => {
    const path = join(dataDir, 'queue');
    const store = new DeadLetterStore({ dir: path });
    await store.append(Array.from({ length: 12 }, (_, i) => ({ time: new Date().toISOString(), component: 'old', error: 'boom', attempts: 2, event: { message: `m${i}` } })));
    const delivered: LogEvent[] = [];
    const pipeline = Pipeline.create(
      { ...base(), sources: { replay: { type: 'dead_letter', path, batch_size: 5 } }, sinks: { out: { sink: collecting(delivered), inputs: ['replay'], batch: { timeout: 10 } } } },
      { registry: registry() },
    );
    await pipeline.run();
    expect(delivered.map((event) => event.message)).toEqual(Array.from({ length: 12 }, (_, i) => `m${i}`));
    expect(eventMeta(delivered[0])).toMatchObject({ dlq_error: 'boom', dlq_attempts: 2, dlq_component: 'old' });
    expect(await queuedMessages(store)).toEqual([]);
  });
});
