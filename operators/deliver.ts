import { asyncScheduler, defer, finalize, mergeMap, Observable, take, tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError, isRetryable, toError } from '../src/core/errors';
import type { EventFailure, SendResult, Sink } from '../src/core/sink';

/** What `deliver` emits for each batch once its ack share is settled. */
export interface Delivery {
  readonly batch: Batch;
  /** Events the sink accepted. */
  readonly delivered: number;
  /** Events that failed (the ack was rejected with a BatchDeliveryError listing them). */
  readonly failures: readonly EventFailure[];
}

/** Options of {@link deliver}. */
export interface DeliverOptions {
  /** Most sends in flight at once. */
  readonly concurrency?: number;
  /** Deadline of one send in ms (the sink's `request_timeout`); none when absent. */
  readonly timeoutMs?: number;
  /** Sends wait until this emits (the sink started); batches queue meanwhile. Absent: at once. */
  readonly ready?: Observable<unknown>;
  /** Runs the deadlines (DESIGN §2: virtual time in tests). */
  readonly scheduler?: SchedulerLike;
  /** Told about every settled send (the stage kit records metrics and latency here). */
  readonly onDelivery?: (delivery: Delivery, elapsedMs: number) => void;
}

/** Errors that are the same on every try: a bug in the sink, or data no retry will fix. */
/**
 * A send's options whose `signal` (and its AbortController) exists only once the sink reads
 * it: most fast sinks never do. The getter lives on the prototype on purpose: an object
 * literal with a getter per send, or an AbortController per send, cost a fast sink more
 * than the send itself (generator → blackhole fell from ~1,200 to ~400 MiB/s).
 */
class LazySignal {
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** Aborts the signal if anyone holds it. */
  abort(reason: Error): void {
    this.controller?.abort(reason);
  }
}

/** Turns a thrown send into a failure of every event in the batch. */
function wholeBatchFailed(batch: Batch, thrown: unknown): EventFailure[] {
  const error = toError(thrown);
  const retryable = isRetryable(error);
  const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
  const failures = new Array<EventFailure>(batch.events.length);
  for (let index = 0; index < failures.length; index++) failures[index] = retryAfterMs === undefined ? { index, error, retryable } : { index, error, retryable, retryAfterMs };
  return failures;
}

/**
 * Drives a {@link Sink}: sends each batch with at most `concurrency` sends in flight, then
 * settles the batch's ack from the result — resolved when every event was delivered,
 * rejected with a `BatchDeliveryError` listing the failures otherwise (retry and
 * dead-letter stages sit in front of this and decide what comes next). Never errors on a
 * failed send: one bad batch must not stop the output.
 *
 * Each send gets an `AbortSignal`. At `timeoutMs` the ack is rejected at once (the whole
 * batch, retryable) and the signal aborted; the send's slot stays taken until the sink
 * answers, so `concurrency` bounds the I/O really in flight and a sink that honours the
 * signal frees it promptly. With `ready`, sends wait until it emits (a sink still starting).
 *
 * ```
 * source:  --a--b--c--|
 * send:      [a  ][b ][c]      (concurrency 1)
 * result:  -----A---B--C|     (one Delivery per batch, in completion order)
 * ```
 *
 * @example
 * import { deliver } from 'sluice';
 * const toFile = deliver(fileSink, { concurrency: 2, timeoutMs: 30_000 });
 *
 * @see batch
 * @see fanOut
 */
export function deliver(sink: Sink, options: DeliverOptions = {}): OperatorFunction<Batch, Delivery> {
  const concurrency = options.concurrency ?? 1;
  const timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
  const scheduler = options.scheduler ?? asyncScheduler;
  const { onDelivery, ready } = options;

  // An async function per send, as plain as it can be: each extra layer here (an Observable
  // per send, a hand-made Promise around the sink's) measurably kept sent batches alive
  // longer and tripled GC time on a fast sink (generator → blackhole: 1,240 → 400 MiB/s).
  const sendOne = async (batch: Batch): Promise<Delivery> => {
    const started = performance.now();
    const options = new LazySignal();
    let delivery: Delivery | undefined;
    let thrownByHook: { error: unknown } | undefined;
    const settle = (failures: readonly EventFailure[]): void => {
      if (delivery) return;
      deadline?.unsubscribe();
      if (failures.length === 0) batch.ack.resolve();
      else batch.ack.reject(new BatchDeliveryError(failures, batch.events.length));
      delivery = { batch, delivered: batch.events.length - failures.length, failures };
      onDelivery?.(delivery, performance.now() - started);
    };
    // At the deadline the ack is settled (a retryable failure) and the signal aborted; the
    // send's slot stays taken until the sink answers, so `concurrency` bounds the I/O really
    // in flight, and the late answer changes nothing.
    const deadline = Number.isFinite(timeoutMs)
      ? scheduler.schedule(() => {
          const reason = new DeliveryError(`send did not finish within ${timeoutMs} ms`, true);
          try {
            settle(wholeBatchFailed(batch, reason));
          } catch (error) {
            thrownByHook = { error };
          }
          options.abort(reason);
        }, timeoutMs)
      : undefined;
    let failures: readonly EventFailure[];
    try {
      // A JavaScript sink may resolve with nothing: that is "all delivered". A synchronous
      // throw is a failed send like any other.
      const result: SendResult | undefined = await sink.send(batch, options);
      failures = result?.failures ?? [];
    } catch (thrown) {
      failures = wholeBatchFailed(batch, thrown);
    }
    if (thrownByHook) throw thrownByHook.error;
    settle(failures); // a throw from onDelivery errors the stream
    return delivery as Delivery;
  };

  return (source) =>
    defer(() => {
      // Batches not yet handed to the sink (waiting for a slot, or for `ready`). If the stage
      // is torn down first (unsubscribe, or an upstream error) their acks are rejected.
      const waiting: Batch[] = [];
      const start = (batch: Batch): Promise<Delivery> => {
        // Sends start in arrival order, so this is nearly always the oldest.
        if (waiting[0] === batch) waiting.shift();
        else waiting.splice(waiting.indexOf(batch), 1);
        return sendOne(batch);
      };
      return source.pipe(
        tap((batch) => waiting.push(batch)),
        mergeMap((batch) => (ready ? ready.pipe(take(1), mergeMap(() => start(batch))) : start(batch)), concurrency),
        finalize(() => {
          const reason = new DeliveryError('deliver torn down before the batch was sent', true);
          for (const batch of waiting.splice(0)) batch.ack.reject(reason);
        }),
      );
    });
}
