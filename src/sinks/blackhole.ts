import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { Batch } from '../core/batch';
import { DELIVERED, type SendResult, type Sink } from '../core/sink';
import { duration } from '../config/schema';
import { defineSink } from '../components/define';
import type { Logger } from '../observability/logger';

/** A sink that counts what it was sent: the totals are there for tests and benchmarks. */
export interface BlackholeSink extends Sink {
  readonly events: number;
  readonly bytes: number;
  readonly batches: number;
}

export const blackholeSink = defineSink({
  type: 'blackhole',
  summary: 'Discards every event, acknowledging it at once (benchmarks, dry runs).',
  options: {
    print_interval: duration({ description: 'Log the event rate this often; 0 disables it.', default: 0, example: '10s', min: 0 }),
  },
  batchDefaults: { maxEvents: 10_000, maxBytes: 16 * 1024 * 1024, timeoutMs: 100 },
  example: {},
  create(config, ctx) {
    return createBlackholeSink({ printIntervalMs: config.print_interval, logger: ctx.logger, scheduler: ctx.scheduler });
  },
});

/**
 * Counts and discards. `send` resolves at once, so the blackhole measures everything but
 * the output. With `printIntervalMs` it logs the rate over each interval (the timer runs on
 * the given scheduler and stops at `close()`).
 */
export function createBlackholeSink(options: { printIntervalMs?: number; logger?: Logger; scheduler?: SchedulerLike } = {}): BlackholeSink {
  const scheduler = options.scheduler ?? asyncScheduler;
  const interval = options.printIntervalMs ?? 0;
  let events = 0;
  let bytes = 0;
  let batches = 0;
  let timer: Subscription | undefined;
  if (interval > 0 && options.logger) {
    const logger = options.logger;
    let lastEvents = 0;
    let lastBytes = 0;
    timer = scheduler.schedule(function report() {
      const seconds = interval / 1000;
      logger.info({ events, events_per_second: Math.round((events - lastEvents) / seconds), bytes_per_second: Math.round((bytes - lastBytes) / seconds) }, 'blackhole rate');
      lastEvents = events;
      lastBytes = bytes;
      this.schedule(undefined, interval);
    }, interval);
  }
  return {
    get events() {
      return events;
    },
    get bytes() {
      return bytes;
    },
    get batches() {
      return batches;
    },
    send(batch: Batch): Promise<SendResult> {
      events += batch.events.length;
      bytes += batch.bytes;
      batches++;
      return Promise.resolve(DELIVERED);
    },
    close(): Promise<void> {
      timer?.unsubscribe();
      timer = undefined;
      return Promise.resolve();
    },
  };
}
