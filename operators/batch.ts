import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { Ack, type AckPart } from '../src/core/ack';
import { rangeFailure } from '../src/core/ack-failures';
import type { Batch, BatchMeta } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import { operate } from './operate';

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
 * input ack is retained once per piece, and each piece learns exactly which of its own
 * events failed (failure identity survives re-batching: see `Ack.all`). The output is
 * `shared` when any input was (copy-on-write holds across a re-batch), and carries the inputs'
 * `meta` when they all had the same (batches of several origins merged carry none). A partial batch is
 * emitted at once, not after `maxWaitMs`, when the producer of an input it holds urges its
 * ack (it is out of credit or window and cannot send more until this batch is delivered).
 * Flushes on completion and before forwarding an upstream error; on unsubscribe the events
 * it still held are rejected, never forgotten. A throw in its body errors the output.
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
      let parts: AckPart[] = [];
      let bytes = 0;
      let shared = false;
      // The inputs' common meta; `null` once inputs of different origins were merged.
      let meta: BatchMeta | undefined | null;
      let timer: Subscription | undefined;
      let adding = false;
      let urgedWhileAdding = false;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (parts.length === 0) return;
        const out: Batch = meta ? { events, ack: Ack.all(parts), bytes: Math.round(bytes), shared, meta } : { events, ack: Ack.all(parts), bytes: Math.round(bytes), shared };
        events = [];
        parts = [];
        bytes = 0;
        shared = false;
        meta = undefined;
        subscriber.next(out);
      };

      // The producer of a batch we hold cannot send more until its ack settles (credit or a
      // buffer's window is spent): waiting out maxWaitMs would only stall it.
      const urged = (): void => {
        if (adding) urgedWhileAdding = true;
        else if (parts.length > 0) flush();
      };

      const noteMeta = (input: Batch): void => {
        if (parts.length === 0) meta = input.meta;
        else if (meta !== input.meta) meta = null;
      };

      const add = (input: Batch): void => {
        const total = input.events.length;
        input.ack.onUrge(urged);
        if (total === 0) {
          // Nothing to deliver, but the ack still waits at most maxWaitMs (the timer below).
          noteMeta(input);
          parts.push({ ack: input.ack, offset: events.length, count: 0 });
        } else {
          if (input.shared === true) shared = true;
          const bytesPerEvent = input.bytes / total;
          let at = 0;
          // Every piece takes its own reference before it is placed; the input's own reference
          // stands for the events not yet placed and is released last, so a piece settled
          // synchronously downstream cannot settle the input ack before the later pieces exist.
          while (at < total && !subscriber.closed) {
            const take = Math.min(maxEvents - events.length, total - at);
            input.ack.retain();
            noteMeta(input);
            parts.push({ ack: input.ack, offset: events.length, count: take, at });
            for (let i = at; i < at + take; i++) events.push(input.events[i]);
            if (input.shared === true) shared = true;
            bytes += take * bytesPerEvent;
            at += take;
            if (events.length >= maxEvents || bytes >= maxBytes) flush();
          }
          // Torn down mid-split (the consumer unsubscribed on an earlier piece): the rest was never emitted.
          if (at < total) input.ack.reject(new BatchAbandonedError('batch torn down while splitting a batch'));
          else input.ack.resolve();
        }
        if (parts.length > 0 && timer === undefined && !subscriber.closed) timer = scheduler.schedule(flush, maxWaitMs);
      };

      const subscription = operate(source, subscriber, {
        next(input) {
          adding = true;
          try {
            add(input);
          } finally {
            adding = false;
          }
          if (urgedWhileAdding) {
            urgedWhileAdding = false;
            if (parts.length > 0) flush();
          }
        },
        error(error) {
          flush();
          subscriber.error(error);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        const abandoned = parts;
        parts = [];
        events = [];
        // Reject before letting go of upstream, so the reason the source hears is this one.
        const reason = new BatchAbandonedError('batch torn down before its events were flushed');
        for (const part of abandoned) part.ack.reject(part.count === 0 ? reason : rangeFailure(reason, part.at ?? 0, part.count));
        subscription.unsubscribe();
      };
    });
}
