import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { AckOutcome } from '../../src/core/ack';
import type { Batch } from '../../src/core/batch';
import { toError } from '../../src/core/errors';
import { failedEntries } from '../../src/dlq/failed';
import type { DeadLetterSink } from '../../src/dlq/store';
import { operate } from '../operate';
import { Relay } from '../relay';

/** Options of {@link deadLetter}. */
export interface DeadLetterOptions {
  /** The component id recorded with every entry (the sink's id for a sink's `dead_letter:` block). */
  readonly component: string;
  /**
   * `by_index` (default): a {@link BatchDeliveryError} for a batch of the size this stage
   * emitted names the failed events by index, and only those are written. `whole_batch`:
   * every rejection writes the whole batch; use it when a re-batching stage sits between
   * this one and the delivery, so indices name events of another batch.
   */
  readonly failures?: 'by_index' | 'whole_batch';
  /** The clock of the entries' `time`. */
  readonly scheduler?: SchedulerLike;
  /** Told once `count` events are durably in the queue. */
  readonly onDeadLettered?: (count: number) => void;
  /** Told when writing to the queue failed (the upstream ack is rejected with the error). */
  readonly onWriteError?: (error: Error) => void;
}

/** The reason upstream acks still outstanding are rejected with when the stage is unsubscribed. */
export class DeadLetterAbandonedError extends Error {
  override name = 'DeadLetterAbandonedError';
}

/**
 * Sends what delivery gave up on to a dead-letter queue. Each batch goes downstream under
 * the stage's own ack; when that resolves, the upstream ack resolves. When it is rejected,
 * the failed events (by index from a {@link BatchDeliveryError} naming this batch, else all
 * of them) are appended to `store`, and once that write is durable the upstream ack
 * resolves: the queue owns the events. A failed write rejects upstream with its error.
 * Completes once the source completed and every upstream ack is settled, so a draining
 * pipeline waits for the queue writes. On unsubscribe, upstream acks still outstanding are
 * rejected ({@link DeadLetterAbandonedError}); after an error, batches downstream settle
 * as usual. A throwing hook errors the output; the ack is settled first.
 *
 * ```
 * source:     -a--b--|        downstream resolves a, rejects b (event 1 of 2 failed)
 * result:     -a--b--|        a's ack resolves; b[1] is written, then b's ack resolves
 * ```
 *
 * @example
 * import { deadLetter, DeadLetterStore } from 'sluice';
 * const toDlq = deadLetter(new DeadLetterStore({ dir: 'data/dead_letter/archive' }), { component: 'archive' });
 *
 * @see retry
 * @see circuitBreaker
 * @see deliver
 */
export function deadLetter(store: DeadLetterSink, options: DeadLetterOptions): MonoTypeOperatorFunction<Batch> {
  const { component, onDeadLettered, onWriteError } = options;
  const byIndex = (options.failures ?? 'by_index') === 'by_index';
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<Batch>((subscriber) => {
      /** Upstream batches whose ack this stage has not settled yet. */
      const outstanding = new Set<Batch>();
      // Completes once the source has and every upstream ack is settled (the queue writes are done).
      const relay = new Relay(subscriber, () => outstanding.size === 0);
      let errored = false;

      const settle = (input: Batch, outcome: AckOutcome): void => {
        if (!outstanding.has(input)) return; // rejected on teardown already
        if (outcome.ok) {
          outstanding.delete(input);
          input.ack.resolve();
          return relay.conclude();
        }
        const time = new Date(scheduler.now()).toISOString();
        const entries = failedEntries(input.events, outcome.reason, { byIndex, component, time });
        new Promise<void>((done) => done(store.append(entries))).then(
          () => {
            if (outstanding.delete(input)) input.ack.resolve();
            relay.hook(() => onDeadLettered?.(entries.length));
            relay.conclude();
          },
          (thrown: unknown) => {
            const error = toError(thrown);
            if (outstanding.delete(input)) input.ack.reject(error);
            relay.hook(() => onWriteError?.(error));
            relay.conclude();
          },
        );
      };

      const subscription = operate(source, subscriber, {
        next(input) {
          outstanding.add(input);
          relay.send(input, input.events, input.bytes, (outcome) => settle(input, outcome));
        },
        error(error: unknown) {
          errored = true;
          subscriber.error(error);
        },
        complete: () => relay.inputComplete(),
      });

      return () => {
        subscription.unsubscribe();
        if (errored) return; // errored: what is downstream still settles normally
        const reason = new DeadLetterAbandonedError('dead_letter torn down before the batch was settled');
        const abandoned = [...outstanding];
        outstanding.clear();
        for (const input of abandoned) input.ack.reject(reason);
      };
    });
}
