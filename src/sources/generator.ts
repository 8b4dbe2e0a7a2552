import { hostname } from 'node:os';
import { asyncScheduler, EMPTY, Observable, Subscription, type SchedulerLike } from 'rxjs';
import type { Batch } from '../core/batch';
import type { LogEvent } from '../core/event';
import { boolean, duration, integer, number, oneOf, optional, string } from '../config/schema';
import { defineSource } from '../components/define';
import type { SourceContext } from '../components/context';
import { shardOf, shareOf } from '../core/shard';
import { Checkpoint } from './checkpoint';
import { GENERATOR_FORMATS, messageMaker, type GeneratorFormat } from './generator-formats';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Events to emit before completing; 0 = unbounded. */
  readonly count: number;
  /** Events per second; 0 = as fast as credit allows. */
  readonly rate: number;
  readonly batchSize: number;
  readonly format: GeneratorFormat;
  /** Fixed text for every message, overriding `format`. */
  readonly message?: string;
  /** Resume from `<dataDir>/checkpoint.json`, saved at most this often; undefined: no checkpoint. */
  readonly checkpointIntervalMs?: number;
  /** Added to each event's `sequence`: where this worker's share of `count` starts (default 0). */
  readonly firstSequence?: number;
}

/** Events emitted per turn of the event loop at full speed, so timers and I/O still run. */
const SLICE_EVENTS = 16_384;
/** Shortest pause between two rate-limited emissions. */
const MIN_TICK_MS = 10;

/**
 * Runs `work` on the next turn of the event loop. On the real `asyncScheduler` a 0 ms delay
 * is a `setTimeout`, which Node clamps to 1 ms: at full speed the generator then idles ~40%
 * of the time between slices. `setImmediate` yields to I/O without the clamp. Any other
 * scheduler (TestScheduler) is used as given, so marble tests keep virtual time.
 */
function nextTurn(scheduler: SchedulerLike, work: () => void): Subscription {
  if (scheduler !== asyncScheduler) return scheduler.schedule(work, 0);
  const handle = setImmediate(work);
  return new Subscription(() => clearImmediate(handle));
}

export const generatorSource = defineSource({
  type: 'generator',
  summary: 'Synthetic log events for demos, tests and benchmarks.',
  options: {
    count: integer({ description: 'Events to emit before completing; 0 emits until the pipeline stops.', default: 0, example: 1_000_000, min: 0 }),
    rate: number({ description: 'Events per second; 0 emits as fast as credit allows.', default: 0, example: 1000, min: 0 }),
    batch_size: integer({ description: 'Events per emitted batch.', default: 1000, example: 500, min: 1, max: 1_000_000 }),
    format: oneOf(GENERATOR_FORMATS, { description: 'Message contents: plain text, a JSON object, or Apache common log lines.', default: 'text', example: 'apache_common' }),
    message: optional(string({ description: 'Fixed text for every message, overriding `format`.', example: 'hello' })),
    checkpoint: boolean({
      description: 'Resume across restarts: save the sequence below which every event is acknowledged in `<data_dir>/<id>/checkpoint.json` and start from it. `count` is then the total across restarts; events not yet acknowledged are generated again (at least once).',
      default: false,
      example: true,
    }),
    checkpoint_interval: duration({ description: 'With `checkpoint`, the most often the checkpoint is saved (also once when the generator finishes).', default: 1000, min: 1, example: '200ms' }),
  },
  example: { count: 10 },
  create(config, ctx) {
    const checkpointIntervalMs = config.checkpoint ? config.checkpoint_interval : undefined;
    // Sharing rule (`workers: N`): a bounded count is split into contiguous ranges of
    // sequence numbers, one per worker; 0 (unbounded) stays unbounded in every worker, and
    // `rate` applies per worker. A worker whose share is empty completes at once.
    const share = config.count > 0 ? shareOf(config.count, shardOf(ctx)) : { first: 0, count: 0 };
    if (config.count > 0 && share.count === 0) return EMPTY;
    return generate(ctx, { count: share.count, rate: config.rate, batchSize: config.batch_size, format: config.format, message: config.message, checkpointIntervalMs, firstSequence: share.first });
  },
});

/**
 * Emits synthetic events `{ message, timestamp, host, source, sequence }` (`sequence` counts
 * from 0, so tests can check every event arrives exactly once). Messages come from a
 * precomputed pool and each batch shares one timestamp, so building an event is one object
 * literal. All time comes from `ctx.scheduler`: rate-limited emission runs in virtual time
 * under TestScheduler, and full-speed emission yields to the event loop every slice.
 * Credit bounds what is in flight; the source stalls until acks return it, and completes
 * after `count` events or on `ctx.stopping`. With `checkpointIntervalMs` it starts at the
 * saved {@link Checkpoint} and commits each batch's range as its ack resolves.
 *
 * ```
 * rate 10/s, count 3:  a 99ms b 99ms (c|)
 * ```
 *
 * @see fromReadable
 */
export function generate(ctx: SourceContext, options: GenerateOptions): Observable<Batch> {
  const { credit, scheduler } = ctx;
  const { rate } = options;
  const batchSize = Math.max(1, options.batchSize);
  const limit = options.count > 0 ? options.count : Number.POSITIVE_INFINITY;
  const host = hostname();
  const source = ctx.id;
  // Approximate NDJSON size of everything but the message.
  const overhead = 80 + host.length + source.length;
  const firstSequence = options.firstSequence ?? 0;
  return new Observable<Batch>((subscriber) => {
    const maker = messageMaker(options.format, options.message);
    const { checkpointIntervalMs: intervalMs } = options;
    const checkpoint = intervalMs === undefined ? undefined : new Checkpoint({ dir: ctx.dataDir, intervalMs, scheduler, logger: ctx.logger });
    let sequence = 0;
    let timer: Subscription | undefined;
    let waiting = false;
    let done = false;
    // Rate accounting restarts after a credit stall, so a stall is not followed by a burst.
    let rateBase = scheduler.now();
    let sentSinceBase = 0;

    const emitBatch = (size: number): void => {
      const now = scheduler.now();
      const timestamp = new Date(now).toISOString();
      maker.begin(now);
      const events: LogEvent[] = [];
      const start = sequence;
      let bytes = 0;
      for (let i = 0; i < size; i++) {
        const message = maker.message(sequence);
        events.push({ message, timestamp, host, source, sequence: firstSequence + sequence });
        bytes += message.length + overhead;
        sequence++;
      }
      sentSinceBase += size;
      subscriber.next({ events, ack: ctx.track(size, bytes, checkpoint?.track(start, sequence)), bytes });
    };

    const finish = (): void => {
      if (done) return;
      done = true;
      timer?.unsubscribe();
      if (waiting) credit.cancelWait(wake);
      checkpoint?.finish();
      subscriber.complete();
    };

    /** Emits up to `budget` events while credit lasts; says whether to carry on. */
    const run = (budget: number): boolean => {
      let left = Math.min(budget, limit - sequence);
      while (left > 0 && !done && !credit.exhausted) {
        const size = Math.min(batchSize, left);
        emitBatch(size);
        left -= size;
      }
      if (done) return false;
      if (sequence >= limit) {
        finish();
        return false;
      }
      if (credit.exhausted) {
        waiting = true;
        credit.whenAvailable(wake);
        return false;
      }
      return true;
    };

    const fast = (): void => {
      timer = undefined;
      if (run(Math.max(SLICE_EVENTS, batchSize))) timer = nextTurn(scheduler, fast);
    };

    const period = rate > 0 ? Math.max(1000 / rate, MIN_TICK_MS) : 0;
    const tick = (): void => {
      timer = undefined;
      const due = Math.floor(((scheduler.now() - rateBase) * rate) / 1000) + 1 - sentSinceBase;
      if (run(due)) timer = scheduler.schedule(tick, period);
    };

    // Woken from an ack callback: schedule rather than emit inside someone else's stack.
    function wake(): void {
      waiting = false;
      if (done) return;
      rateBase = scheduler.now();
      sentSinceBase = 0;
      timer = rate > 0 ? scheduler.schedule(tick, 0) : nextTurn(scheduler, fast);
    }

    const begin = (): void => {
      if (!done) timer = rate > 0 ? scheduler.schedule(tick, 0) : nextTurn(scheduler, fast);
    };
    const stopSubscription = ctx.stopping.subscribe(finish);
    const resume = (position = 0): void => {
      sequence = position;
      begin();
    };
    if (!checkpoint) begin();
    else
      checkpoint.load().then(resume, (error: unknown) => {
        ctx.logger.error({ err: error }, 'generator: checkpoint unreadable; starting from sequence 0 (events repeat)');
        resume();
      });
    return () => {
      done = true;
      timer?.unsubscribe();
      if (waiting) credit.cancelWait(wake);
      checkpoint?.finish();
      stopSubscription.unsubscribe();
    };
  });
}
