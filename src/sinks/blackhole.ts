import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { Batch } from '../core/batch';
import { DELIVERED, type SendResult, type Sink } from '../core/sink';
import { duration, oneOf, optional } from '../config/schema';
import { checkEncodingOptions, defineSink, sinkEncodingOptions } from '../components/define';
import { ENCODING_NAMES } from '../../operators/encode';
import { buildRequests, type RequestOptions } from '../../operators/encode-requests';
import { requestOptions } from './encoding';
import type { Logger } from '../observability/logger';

/** A sink that counts what it was sent: the totals are there for tests and benchmarks. */
export interface BlackholeSink extends Sink {
  readonly events: number;
  readonly bytes: number;
  readonly batches: number;
  /** Bytes of the request bodies built (only with an encoding). */
  readonly encodedBytes: number;
}

/** Options of {@link createBlackholeSink}. */
export interface BlackholeOptions {
  readonly printIntervalMs?: number;
  readonly logger?: Logger;
  readonly scheduler?: SchedulerLike;
  /** Build requests as a real sink would (to measure that cost); absent: nothing is encoded. */
  readonly request?: RequestOptions;
}

export const blackholeSink = defineSink({
  type: 'blackhole',
  summary: 'Discards every event, acknowledging it at once (benchmarks, dry runs).',
  options: {
    print_interval: duration({ description: 'Log the event rate this often; 0 disables it.', default: 0, example: '10s', min: 0 }),
    encoding: optional(oneOf(ENCODING_NAMES, { description: 'Encode (then compress) every batch like a real sink, to measure that cost. Absent: nothing is encoded, so the blackhole measures the pipeline alone.', example: 'ndjson' })),
    compression: sinkEncodingOptions({ encoding: 'ndjson' }).compression,
    compression_level: sinkEncodingOptions({ encoding: 'ndjson' }).compression_level,
  },
  batchDefaults: { maxEvents: 10_000, maxBytes: 16 * 1024 * 1024, timeoutMs: 100 },
  example: {},
  check: checkEncodingOptions,
  create(config, ctx) {
    const { encoding } = config;
    const request = encoding === undefined ? undefined : requestOptions({ ...config, encoding });
    return createBlackholeSink({ printIntervalMs: config.print_interval, logger: ctx.logger, scheduler: ctx.scheduler, request });
  },
});

/**
 * Counts and discards. `send` resolves at once, so the blackhole measures everything but
 * the output. With `printIntervalMs` it logs the rate over each interval (the timer runs on
 * the given scheduler and stops at `close()`).
 */
export function createBlackholeSink(options: BlackholeOptions = {}): BlackholeSink {
  const scheduler = options.scheduler ?? asyncScheduler;
  const interval = options.printIntervalMs ?? 0;
  let events = 0;
  let bytes = 0;
  let batches = 0;
  let encodedBytes = 0;
  const request = options.request;
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
    get encodedBytes() {
      return encodedBytes;
    },
    send(batch: Batch): Promise<SendResult> {
      events += batch.events.length;
      bytes += batch.bytes;
      batches++;
      if (request) return encodeAndDiscard(batch, request, (size) => (encodedBytes += size));
      return Promise.resolve(DELIVERED);
    },
    close(): Promise<void> {
      timer?.unsubscribe();
      timer = undefined;
      return Promise.resolve();
    },
  };
}

/** Builds the batch's requests, counts their bytes, reports what could not be encoded. */
async function encodeAndDiscard(batch: Batch, request: RequestOptions, count: (bytes: number) => void): Promise<SendResult> {
  const { requests, failures } = await buildRequests(batch.events, request);
  for (const { payload } of requests) count(payload.length);
  return failures.length === 0 ? DELIVERED : { failures };
}
