import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../../src/core/batch';
import { DELIVERED, type Sink } from '../../../src/core/sink';
import { DeadLetterStore } from '../../../src/dlq/store';
import { Pipeline } from '../../../src/graph/pipeline';
import { validateGraph } from '../../../src/graph/validate';
import { builtinRegistry } from '../../../src/components/builtins';
import { until } from '../../helpers/async';

const temp = (): string => mkdtempSync(join(tmpdir(), 'sluice-blocks-'));

/** A sink whose sends hang until `release()`; counts what it finally delivered. */
function stalledSink(): Sink & { release(): void; delivered: number } {
  let open = false;
  const waiting: Array<() => void> = [];
  const sink = {
    delivered: 0,
    release(): void {
      open = true;
      waiting.splice(0).forEach((wake) => wake());
    },
    async send(batch: Batch) {
      if (!open) await new Promise<void>((wake) => waiting.push(wake));
      sink.delivered += batch.events.length;
      return DELIVERED;
    },
    close: async () => undefined,
  };
  return sink;
}

function countingSink(): Sink & { delivered: number } {
  const sink = { delivered: 0, send: async (batch: Batch) => ((sink.delivered += batch.events.length), DELIVERED), close: async () => undefined };
  return sink;
}

describe('sink reliability blocks', () => {
  it('sheds what a stalled sink cannot buffer to its dead-letter queue while its sibling receives everything', async () => {
    const dir = temp();
    const stalled = stalledSink();
    const fast = countingSink();
    const queue = join(dir, 'dlq');
    const pipeline = Pipeline.create({
      data_dir: join(dir, 'data'),
      api: { enabled: false },
      sources: { gen: { type: 'generator', count: 5000, batch_size: 100, max_in_flight_events: 1000 } },
      sinks: {
        fast: { sink: fast, inputs: ['gen'], batch: { max_events: 100, timeout: 5 } },
        slow: {
          sink: stalled,
          inputs: ['gen'],
          batch: { max_events: 100, timeout: 5 },
          buffer: { max_events: 300, when_full: 'reject', max_in_flight: 1 },
          dead_letter: { path: queue },
        },
      },
    });
    const running = pipeline.run();
    await until(() => fast.delivered === 5000);
    const store = new DeadLetterStore({ dir: queue });
    expect((await store.stats()).entries).toBeGreaterThan(2500);
    stalled.release();
    await running;
    const shed = (await store.stats()).entries;
    // Every event reached the stalled sink or its queue, never both, never neither; the
    // stalled sink got only what its buffer and send window held.
    expect(stalled.delivered + shed).toBe(5000);
    expect(stalled.delivered).toBeLessThan(2500);
    expect((await store.stats()).byError[0].error).toMatch(/buffer full/);
  });

  it('refuses drop_oldest on a disk buffer block, naming the option', () => {
    const { issues } = validateGraph(
      { sources: { gen: { type: 'generator' } }, sinks: { out: { type: 'blackhole', inputs: ['gen'], buffer: { mode: 'disk', when_full: 'drop_oldest' } } } },
      builtinRegistry(),
    );
    expect(issues).toEqual([{ path: ['sinks', 'out', 'buffer', 'when_full'], message: expect.stringContaining('not available with mode: disk') }]);
  });

  it('refuses failure stop on a parallel fan-out', () => {
    const { issues } = validateGraph(
      { sources: { gen: { type: 'generator', fan_out: { failure: 'stop' } } }, sinks: { a: { type: 'blackhole', inputs: ['gen'] }, b: { type: 'blackhole', inputs: ['gen'] } } },
      builtinRegistry(),
    );
    expect(issues).toEqual([{ path: ['sources', 'gen', 'fan_out', 'failure'], message: expect.stringContaining('needs mode: sequential') }]);
  });
});
