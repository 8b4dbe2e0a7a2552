import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { Ack } from '../src/core/ack';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';

/** When `batch` emits: whichever limit is reached first. */
export interface BatchOptions {
  /** Most events in one output batch. */
  readonly maxEvents: number;
  /** Emit once the batch holds at least this many bytes. */
  readonly maxBytes?: number;
  /** Most time (ms) the first event of a batch waits before the batch is emitted. */
  readonly maxWaitMs: number;
  readonly scheduler?: SchedulerLike;
}

/** Thrown into the acks of events a batch held when it was torn down unflushed. */
export class BatchAbandonedError extends Error {
  override name = 'BatchAbandonedError';
}

/**
 * Re-batches: merges small batches and splits large ones into batches of at most
 * `maxEvents` events (or about `maxBytes`), emitting a partial batch `maxWaitMs` after its
 * first event arrived. The output ack combines the acks of the parts it holds; a split
 * input ack is retained once per extra piece. Flushes on completion and before forwarding
 * an upstream error; on unsubscribe the events it still held are rejected, never forgotten.
 *
 * ```
 * source:  -a-b-----c-|      (maxEvents 2, maxWait 3 frames)
 * result:  ---(ab)-----c|    (c flushed on completion)
 * ```
 *
 * @example
 * import { batch } from 'sluice';
 * const toBulk = batch({ maxEvents: 500, maxBytes: 5 * 1024 * 1024, maxWaitMs: 1000 });
 *
 * @see deliver
 */
export function batch(options: BatchOptions): OperatorFunction<Batch, Batch> {
  const { maxEvents, maxWaitMs } = options;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!(maxEvents >= 1)) throw new RangeError('batch: maxEvents must be at least 1');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      let events: LogEvent[] = [];
      let acks: Ack[] = [];
      let bytes = 0;
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (acks.length === 0) return;
        const out: Batch = { events, ack: Ack.all(acks), bytes: Math.round(bytes) };
        events = [];
        acks = [];
        bytes = 0;
        subscriber.next(out);
      };

      const add = (input: Batch): void => {
        const total = input.events.length;
        if (total === 0) {
          // Nothing to deliver, but the ack still waits at most maxWaitMs (the timer below).
          acks.push(input.ack);
        } else {
          const bytesPerEvent = input.bytes / total;
          let offset = 0;
          // Every piece takes its own reference before it is placed; the input's own reference
          // stands for the events not yet placed and is released last, so a piece settled
          // synchronously downstream cannot settle the input ack before the later pieces exist.
          while (offset < total && !subscriber.closed) {
            const room = maxEvents - events.length;
            const take = Math.min(room, total - offset);
            input.ack.retain();
            acks.push(input.ack);
            for (let i = offset; i < offset + take; i++) events.push(input.events[i]);
            bytes += take * bytesPerEvent;
            offset += take;
            if (events.length >= maxEvents || bytes >= maxBytes) flush();
          }
          // Torn down mid-split (the consumer unsubscribed on an earlier piece): the rest was never emitted.
          if (offset < total) input.ack.reject(new BatchAbandonedError('batch torn down while splitting a batch'));
          else input.ack.resolve();
        }
        if (acks.length > 0 && timer === undefined && !subscriber.closed) timer = scheduler.schedule(flush, maxWaitMs);
      };

      const subscription = source.subscribe({
        next: add,
        error: (error) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        const abandoned = acks;
        acks = [];
        events = [];
        // Reject before letting go of upstream, so the reason the source hears is this one.
        const reason = new BatchAbandonedError('batch torn down before its events were flushed');
        for (const ack of abandoned) ack.reject(reason);
        subscription.unsubscribe();
      };
    });
}
