import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, Observable, VirtualTimeScheduler, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { SourceContext } from '../../../src/components/context';
import { createBatch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { HealthBoard } from '../../../src/core/health';
import { DELIVERED, type SendResult, type Sink } from '../../../src/core/sink';
import { Pipeline } from '../../../src/graph/pipeline';
import { startApiServer } from '../../../src/servers/api';
import { SinkLifecycle } from '../../../src/sinks/lifecycle';
import type { Delivery } from '../../../operators/deliver';
import { deferred, settle, until } from '../../helpers/async';
import { metricValue, testContext } from '../../helpers/context';
import { AckRecorder } from '../../helpers/batches';

/** A sink whose start fails `failures` times, then succeeds. */
function flakyStart(failures: number): Sink & { starts: number; sent: number } {
  const sink = {
    starts: 0,
    sent: 0,
    async start(): Promise<void> {
      sink.starts += 1;
      if (sink.starts <= failures) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });
    },
    async send(batch: { events: unknown[] }): Promise<SendResult> {
      sink.sent += batch.events.length;
      return DELIVERED;
    },
    close: async (): Promise<void> => undefined,
  };
  return sink;
}

/**
 * Runs the virtual clock `ms` forward. Never `flush()` to the end: a start attempt's
 * promise settles only between steps, so its deadline would fire at once, forever.
 */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  const target = scheduler.frame + ms;
  scheduler.maxFrames = target;
  scheduler.flush();
  scheduler.frame = target; // flush only moves the clock to the last action it ran
}

function lifecycleOf(sink: Sink) {
  const scheduler = new VirtualTimeScheduler();
  const board = new HealthBoard();
  const context = testContext({ id: 'out', kind: 'sink', scheduler, health: board.register('out') });
  const lifecycle = new SinkLifecycle(sink, context, { timeoutMs: 5000 });
  return { scheduler, board, context, lifecycle };
}

describe('SinkLifecycle', () => {
  it('marks a sink down with the error while start() fails, retries with doubling backoff, then ready', async () => {
    const sink = flakyStart(2);
    const { scheduler, board, context, lifecycle } = lifecycleOf(sink);
    let started = false;
    lifecycle.started.subscribe(() => (started = true));
    expect(board.get('out')).toEqual({ id: 'out', state: 'starting' });
    const running = lifecycle.run();
    await settle();
    expect(board.get('out')).toEqual({ id: 'out', state: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:9092' });
    advance(scheduler, 999);
    expect(sink.starts).toBe(1);
    advance(scheduler, 1); // the 1 s backoff
    await settle();
    expect(sink.starts).toBe(2);
    advance(scheduler, 2000); // the 2 s backoff
    await settle();
    expect(sink.starts).toBe(3);
    expect(started).toBe(true);
    expect(board.notReady()).toEqual([]);
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'start' })).toBe(2);
    running.unsubscribe();
  });

  it('fails a start attempt that outlives request_timeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const sink: Sink = { start: ({ signal: given }) => ((signal = given), new Promise<void>(() => undefined)), send: async () => DELIVERED, close: async () => undefined };
    const { scheduler, board, lifecycle } = lifecycleOf(sink);
    const running = lifecycle.run();
    advance(scheduler, 5500); // past the deadline, before the retry
    running.unsubscribe();
    expect(signal?.aborted).toBe(true);
    expect(board.get('out')).toEqual({ id: 'out', state: 'down', reason: 'start did not finish within 5000 ms' });
  });

  it('marks a running sink down on a batch that failed entirely and retryably, and ready on the next delivery', () => {
    const { board, lifecycle } = lifecycleOf({ send: async () => DELIVERED, close: async () => undefined });
    lifecycle.run();
    const batch = new AckRecorder().batch('a', 'x', 'y');
    const error = new DeliveryError('503 Service Unavailable', true);
    lifecycle.observe({ batch, delivered: 0, failures: [0, 1].map((index) => ({ index, error, retryable: true })) });
    expect(board.get('out')).toEqual({ id: 'out', state: 'down', reason: '503 Service Unavailable' });
    lifecycle.observe({ batch, delivered: 1, failures: [{ index: 1, error, retryable: true }] });
    expect(board.notReady()).toEqual([]);
    // Permanent per-event failures are bad data, not an outage.
    lifecycle.observe({ batch, delivered: 0, failures: [{ index: 0, error: new Error('mapping'), retryable: false }] } as Delivery);
    expect(board.notReady()).toEqual([]);
  });

  it('probes healthy() while down and marks the sink ready as soon as the probe passes', async () => {
    let up = false;
    const sink: Sink = {
      async healthy() {
        if (!up) throw new Error('still down');
      },
      send: async () => DELIVERED,
      close: async () => undefined,
    };
    const { scheduler, board, lifecycle } = lifecycleOf(sink);
    const running = lifecycle.run();
    const error = new DeliveryError('timeout', true);
    lifecycle.observe({ batch: new AckRecorder().batch('a', 'x'), delivered: 0, failures: [{ index: 0, error, retryable: true }] });
    await settle();
    expect(board.get('out')).toEqual({ id: 'out', state: 'down', reason: 'still down' });
    up = true;
    advance(scheduler, 1000);
    await settle();
    expect(board.notReady()).toEqual([]);
    running.unsubscribe();
  });
});

/** Timers of the pipeline run 100 times faster: the 1 s start backoff takes 10 ms. */
const fast: SchedulerLike = {
  now: () => asyncScheduler.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T) {
    return asyncScheduler.schedule(work, delay / 100, state);
  },
};

describe('a sink that cannot start', () => {
  it('is named on /ready while down, holds its batches, and delivers them once start() succeeds', async () => {
    const gate = deferred<void>();
    let starts = 0;
    let delivered = 0;
    const sink: Sink = {
      async start() {
        starts += 1;
        if (starts === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
        await gate.promise;
      },
      async send(batch) {
        delivered += batch.events.length;
        return DELIVERED;
      },
      close: async () => undefined,
    };
    const source = (ctx: SourceContext) =>
      new Observable<ReturnType<typeof createBatch>>((subscriber) => {
        subscriber.next(createBatch([{ message: 'a' }, { message: 'b' }], ctx.track(2, 2), 2));
        const stop = ctx.stopping.subscribe(() => subscriber.complete());
        return () => stop.unsubscribe();
      });
    const pipeline = Pipeline.create(
      { data_dir: mkdtempSync(join(tmpdir(), 'sluice-start-')), sources: { src: { source } }, sinks: { out: { sink, inputs: ['src'], batch: { timeout: 0 } } } },
      { scheduler: fast },
    );
    const server = await startApiServer({ address: '127.0.0.1:0', registry: pipeline.metrics.registry, pipeline });
    try {
      const done = pipeline.run();
      await until(() => pipeline.health.get('out')?.state === 'down');
      const down = await fetch(`${server.url}/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual(expect.objectContaining({ components: [{ id: 'out', state: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:9200' }] }));
      await until(() => starts === 2);
      // Still named, with the last error, while the next attempt runs.
      expect((await fetch(`${server.url}/ready`)).status).toBe(503);
      expect(delivered).toBe(0);
      gate.resolve();
      await until(() => delivered === 2);
      expect((await fetch(`${server.url}/ready`)).status).toBe(200);
      await pipeline.stop(1000);
      await done;
    } finally {
      await server.close();
    }
  });
});
