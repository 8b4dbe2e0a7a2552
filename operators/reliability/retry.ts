import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { AckOutcome } from '../../src/core/ack';
import type { Batch } from '../../src/core/batch';
import { BatchDeliveryError, DeliveryError, type FailedEvent } from '../../src/core/errors';
import type { LogEvent } from '../../src/core/event';
import { backoffDelay, backoffOptions, type BackoffOptions } from './backoff';
import { failedEvents, RetryAbandonedError } from './retry-failures';
import { operate } from '../operate';
import { Relay } from '../relay';

export { RetryAbandonedError } from './retry-failures';

/** Options of {@link retry}; the backoff ones default to `DEFAULT_BACKOFF` (100ms, ×2, 30s, ± 20%). */
export interface RetryOptions extends Partial<BackoffOptions> {
  /**
   * Most retries per event after its first try (default: no limit, so an outage is a
   * backlog, never a loss; 0 = never retry: failures go upstream as they are). Events whose
   * retries run out fail permanently.
   */
  readonly maxRetries?: number;
  /** No retry is scheduled that would start more than this long (ms) after the first try. */
  readonly maxElapsedMs?: number;
  /** Source of jitter, a number in [0, 1) (default `Math.random`; tests inject a seeded one). */
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
  /** Told before `events` wait `delayMs` for retry number `attempt` (1 for the first retry). */
  readonly onRetry?: (events: readonly LogEvent[], attempt: number, delayMs: number) => void;
  /** Told when retryable `events` failed for good: retries or elapsed time used up. */
  readonly onExhausted?: (events: readonly LogEvent[]) => void;
}

/** One upstream batch, until its ack is settled. */
interface Job {
  readonly batch: Batch;
  readonly startedAt: number;
  /** Pieces sent downstream or waiting for their retry, not yet settled. */
  pieces: number;
  /** Permanent failures, by upstream index. */
  readonly failed: FailedEvent[];
}

/** Some events of a job (`indices` into the upstream batch; all of them when absent) on try `attempt`. */
interface Piece {
  readonly job: Job;
  readonly indices?: readonly number[];
  readonly attempt: number;
}

/**
 * Retries failed deliveries, event by event. Each batch goes downstream under the stage's
 * own ack; when that ack is rejected, only the failed retryable events (a
 * {@link BatchDeliveryError} lists them; any other error fails the whole batch, retryable
 * unless a {@link DeliveryError} says otherwise) are re-sent as a smaller batch after
 * {@link backoffDelay} on the scheduler, or after the server's `retryAfterMs` hint when it
 * gave a longer one. By default there is no limit on retries. The upstream ack settles once, after every piece:
 * resolved when every event was delivered, else rejected with a BatchDeliveryError listing
 * the permanently failed events by upstream index, with their `attempts` (events whose
 * retries ran out are reported as not retryable). Completes once
 * the source completed and every upstream ack settled (graceful shutdown drains retries);
 * on teardown, waiting retries are cancelled and their events fail with
 * {@link RetryAbandonedError}, while pieces already downstream settle as their holder says.
 * A throwing hook errors the output; acks are still settled.
 *
 * ```
 * source:      -a|                 a = [1,2,3]; downstream fails 2 once (initial 4, jitter 0)
 * result:      -a---(b|)           b = [2], sent 4 frames after a failed; completes once b settled
 * a's ack:     resolved when b is delivered
 * ```
 *
 * @example
 * import { retry } from 'sluice';
 * const resend = retry({ initialMs: 100, maxMs: 30_000, maxRetries: 10, jitter: 0.2 });
 *
 * @see backoffDelay
 * @see circuitBreaker
 * @see deliver
 */
export function retry(options: RetryOptions = {}): MonoTypeOperatorFunction<Batch> {
  const backoff = backoffOptions(options, 'retry');
  const { maxRetries = Number.POSITIVE_INFINITY, maxElapsedMs = Number.POSITIVE_INFINITY, random = Math.random, onRetry, onExhausted } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!(maxRetries >= 0)) throw new RangeError('retry: maxRetries must be at least 0');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      // A count, not a Set of jobs: a long-lived Set churned once per batch cost more GC than the stage.
      let jobs = 0;
      const waiting = new Map<Piece, Subscription | undefined>();
      const relay = new Relay(subscriber, () => jobs === 0);
      let closed = false;

      const finish = (job: Job): void => {
        if (job.pieces > 0) return;
        jobs -= 1;
        if (job.failed.length === 0) job.batch.ack.resolve();
        else job.batch.ack.reject(new BatchDeliveryError(job.failed.sort((a, b) => a.index - b.index), job.batch.events.length));
        relay.conclude();
      };

      const send = (piece: Piece): void => {
        const { batch } = piece.job;
        const events = piece.indices ? piece.indices.map((index) => batch.events[index]) : batch.events;
        const bytes = piece.indices ? Math.round((batch.bytes * events.length) / batch.events.length) : batch.bytes;
        relay.send(batch, events, bytes, (outcome) => settled(piece, outcome));
      };

      const settled = (piece: Piece, outcome: AckOutcome): void => {
        const { job, attempt } = piece;
        if (!outcome.ok) {
          const again: FailedEvent[] = [];
          for (const failure of failedEvents(outcome.reason, piece.indices?.length ?? job.batch.events.length)) {
            const index = piece.indices ? piece.indices[failure.index] : failure.index;
            const remapped: FailedEvent = { index, error: failure.error, retryable: failure.retryable, attempts: attempt };
            (failure.retryable && !closed ? again : job.failed).push(remapped);
          }
          if (again.length > 0) retryLater(job, again, attempt);
        }
        job.pieces -= 1;
        finish(job);
      };

      const retryLater = (job: Job, failures: readonly FailedEvent[], attempt: number): void => {
        const events = failures.map((failure) => job.batch.events[failure.index]);
        const delay = attempt > maxRetries ? 0 : Math.max(backoffDelay(attempt, backoff, random), retryAfterHint(failures));
        if (attempt > maxRetries || scheduler.now() - job.startedAt + delay > maxElapsedMs) {
          // Given up: from here on these failures are permanent, so a dead-letter stage takes
          // them and a buffer in front does not try them again. With maxRetries 0 the stage
          // never retries at all and passes failures on as they are (to a retry upstream).
          for (const failure of failures) job.failed.push(maxRetries === 0 ? failure : { ...failure, retryable: false });
          relay.hook(() => onExhausted?.(events));
          return;
        }
        const piece: Piece = { job, indices: failures.map((failure) => failure.index), attempt: attempt + 1 };
        job.pieces += 1;
        waiting.set(piece, undefined);
        const timer = scheduler.schedule(() => {
          waiting.delete(piece);
          send(piece);
        }, delay);
        if (waiting.has(piece)) waiting.set(piece, timer);
        relay.hook(() => onRetry?.(events, attempt, delay));
      };

      const subscription = operate(source, subscriber, {
        next: (batch) => {
          if (batch.events.length === 0) return subscriber.next(batch); // nothing to retry: its ack passes through
          const job: Job = { batch, startedAt: scheduler.now(), pieces: 1, failed: [] };
          jobs += 1;
          send({ job, attempt: 1 });
        },
        complete: () => relay.inputComplete(),
      });

      return () => {
        closed = true;
        subscription.unsubscribe();
        const reason = new RetryAbandonedError();
        for (const [piece, timer] of waiting) {
          timer?.unsubscribe();
          for (const index of piece.indices ?? []) piece.job.failed.push({ index, error: reason, retryable: true, attempts: piece.attempt - 1 });
          piece.job.pieces -= 1;
          finish(piece.job);
        }
        waiting.clear();
      };
    });
}

/** The longest wait a failed server asked for (`Retry-After`, a Kafka throttle), 0 when none did. */
function retryAfterHint(failures: readonly FailedEvent[]): number {
  let hint = 0;
  for (const failure of failures) {
    const after = failure.error instanceof DeliveryError ? failure.error.retryAfterMs : undefined;
    if (after !== undefined && after > hint) hint = after;
  }
  return hint;
}
