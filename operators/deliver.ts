import { defer, finalize, mergeMap, tap, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import { BatchDeliveryError, DeliveryError, toError } from '../src/core/errors';
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
  /** Told about every settled send (the stage kit records metrics and latency here). */
  readonly onDelivery?: (delivery: Delivery, elapsedMs: number) => void;
}

/** Turns a thrown send into a failure of every event in the batch. */
function wholeBatchFailed(batch: Batch, thrown: unknown): EventFailure[] {
  const error = toError(thrown);
  const retryable = error instanceof DeliveryError ? error.retryable : true;
  return batch.events.map((_, index) => ({ index, error, retryable }));
}

/**
 * Drives a {@link Sink}: sends each batch with at most `concurrency` sends in flight, then
 * settles the batch's ack from the result — resolved when every event was delivered,
 * rejected with the first failure otherwise (retry and dead-letter stages sit in front of
 * this and decide before it comes to that). Never errors on a failed send: one bad batch
 * must not stop the output.
 *
 * ```
 * source:  --a--b--c--|
 * send:      [a  ][b ][c]      (concurrency 1)
 * result:  -----A---B--C|     (one Delivery per batch, in completion order)
 * ```
 *
 * @example
 * import { deliver } from 'sluice';
 * const toFile = deliver(fileSink, { concurrency: 2 });
 *
 * @see batch
 * @see fanOut
 */
export function deliver(sink: Sink, options: DeliverOptions = {}): OperatorFunction<Batch, Delivery> {
  const concurrency = options.concurrency ?? 1;
  const onDelivery = options.onDelivery;
  const sendOne = async (batch: Batch): Promise<Delivery> => {
    const started = performance.now();
    let failures: readonly EventFailure[];
    try {
      const result: SendResult = await sink.send(batch);
      failures = result.failures ?? [];
    } catch (thrown) {
      failures = wholeBatchFailed(batch, thrown);
    }
    if (failures.length === 0) batch.ack.resolve();
    else batch.ack.reject(new BatchDeliveryError(failures, batch.events.length));
    const delivery: Delivery = { batch, delivered: batch.events.length - failures.length, failures };
    onDelivery?.(delivery, performance.now() - started);
    return delivery;
  };
  return (source) =>
    defer(() => {
      // Batches waiting for a free send slot. If the stage is torn down first (unsubscribe, or
      // an upstream error) their acks are rejected, never forgotten.
      const waiting: Batch[] = [];
      return source.pipe(
        tap((batch) => waiting.push(batch)),
        mergeMap((batch) => {
          waiting.shift(); // mergeMap starts buffered batches in arrival order: this is the oldest
          return sendOne(batch);
        }, concurrency),
        finalize(() => {
          const reason = new DeliveryError('deliver torn down before the batch was sent', true);
          for (const batch of waiting.splice(0)) batch.ack.reject(reason);
        }),
      );
    });
}
