import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../../src/core/batch';
import { BatchDeliveryError, DeliveryError } from '../../../src/core/errors';
import { DELIVERED, type SendResult, type Sink } from '../../../src/core/sink';
import { Pipeline } from '../../../src/graph/pipeline';
import { bufferTransform } from '../../../src/transforms/buffer';
import { retryTransform } from '../../../src/transforms/retry';
import { testRegistry } from '../graph/fixtures';

jest.setTimeout(60_000);

const dataDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-outage-'));

/** A sink that refuses everything (retryably) until `downMs` after its first send, then counts deliveries per message. */
function flakySink(downMs: number): Sink & { readonly delivered: Map<string, number>; readonly refused: number } {
  const delivered = new Map<string, number>();
  let firstSend = 0;
  let refused = 0;
  return {
    delivered,
    get refused() {
      return refused;
    },
    async send(batch: Batch): Promise<SendResult> {
      firstSend ||= Date.now();
      if (Date.now() - firstSend < downMs) {
        refused += 1;
        throw new DeliveryError('connection refused', true);
      }
      for (const event of batch.events) delivered.set(String(event.message), (delivered.get(String(event.message)) ?? 0) + 1);
      return DELIVERED;
    },
    close: async () => undefined,
  };
}

describe('a sink outage (issue 7, defect 1)', () => {
  // Regression: a buffer acked upstream, then dropped what its sink failed: 0 of 5,000 delivered.
  it.each(['disk', 'memory'] as const)('loses nothing a %s buffer acknowledged: the outage is a backlog that drains on recovery', async (mode) => {
    const sink = flakySink(1500);
    const pipeline = Pipeline.create(
      {
        data_dir: dataDir(),
        api: { enabled: false },
        sources: { gen: { type: 'counting', count: 5000, batch_size: 50 } },
        sinks: { out: { sink, inputs: ['gen'], buffer: { mode, max_events: 100_000 }, batch: { max_events: 500, timeout: '50ms' } } },
      },
      { registry: testRegistry().register(bufferTransform) },
    );
    await pipeline.run();
    expect(sink.refused).toBeGreaterThan(0);
    expect(sink.delivered.size).toBe(5000);
    expect(await pipeline.metrics.registry.getSingleMetricAsString('sluice_component_retried_events_total')).toMatch(/component_id="out"[^}]*} [1-9]/);
  });
});

/** A sink that fails every seventh message it sees, once each (retryably), and counts deliveries. */
function everySeventhOnce(): Sink & { readonly delivered: Map<string, number> } {
  const delivered = new Map<string, number>();
  const failedOnce = new Set<string>();
  return {
    delivered,
    async send(batch: Batch): Promise<SendResult> {
      const failures = [];
      for (let index = 0; index < batch.events.length; index++) {
        const message = String(batch.events[index].message);
        if (Number(message) % 7 === 0 && !failedOnce.has(message)) {
          failedOnce.add(message);
          failures.push({ index, error: new DeliveryError('throttled', true), retryable: true });
        } else delivered.set(message, (delivered.get(message) ?? 0) + 1);
      }
      return failures.length === 0 ? DELIVERED : { failures };
    },
    close: async () => undefined,
  };
}

describe('failure identity across re-batching (issue 7, defect 2)', () => {
  // Regression: a retry transform in front of a re-batching sink lost 2,815 of 20,000 events
  // and delivered 85 twice, because the merged rejection reached every part unchanged.
  it('delivers every event exactly once through a standalone retry in front of a sink that regroups', async () => {
    const sink = everySeventhOnce();
    await Pipeline.create(
      {
        data_dir: dataDir(),
        api: { enabled: false },
        sources: { gen: { type: 'counting', count: 20_000, batch_size: 37 } },
        transforms: { again: { type: 'retry', inputs: ['gen'], initial: '1ms', max: '5ms' } },
        sinks: { out: { sink, inputs: ['again'], retry: { max_retries: 0 }, batch: { max_events: 100, timeout: '5ms' } } },
      },
      { registry: testRegistry().register(retryTransform) },
    ).run();
    // With max_retries 0 the sink's own retry passes failures upstream as they are: the standalone
    // retry, before the re-batch, must resend exactly the failed events.
    expect(sink.delivered.size).toBe(20_000);
    expect([...sink.delivered.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('a standalone buffer in front of a sink (issue 7, defect 6)', () => {
  // Regression: the buffer's window held fewer events than the sink's batch.max_events, so
  // every sink batch waited out its timeout: 400,000 events took 86 s with the CPU idle.
  it('does not wait out the sink batch timeout when the buffer window is full', async () => {
    const delivered: number[] = [];
    const sink: Sink = {
      send: async (batch) => {
        delivered.push(batch.events.length);
        return DELIVERED;
      },
      close: async () => undefined,
    };
    const started = Date.now();
    await Pipeline.create(
      {
        data_dir: dataDir(),
        api: { enabled: false },
        sources: { gen: { type: 'counting', count: 20_000, batch_size: 100 } },
        transforms: { held: { type: 'buffer', inputs: ['gen'], mode: 'memory', max_in_flight: 2 } },
        // 2 batches of at most 1,000 events in flight can never fill 10,000: before the fix
        // each of the ~10 sends waited 10 s.
        sinks: { out: { sink, inputs: ['held'], batch: { max_events: 10_000, timeout: '10s' } } },
      },
      { registry: testRegistry().register(bufferTransform) },
    ).run();
    expect(delivered.reduce((a, b) => a + b, 0)).toBe(20_000);
    // Not a performance assertion: a single 10 s timeout would already blow this bound.
    expect(Date.now() - started).toBeLessThan(9_000);
  });
});

describe('BatchDeliveryError', () => {
  it('is what a sink reports per event', () => {
    expect(new BatchDeliveryError([], 0).retryable).toBe(true);
  });
});
