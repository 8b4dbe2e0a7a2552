import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { AckOutcome } from '../../src/core/ack';
import type { Batch } from '../../src/core/batch';
import { DeliveryError } from '../../src/core/errors';
import { CircuitOpenError, isSinkFailure } from './breaker-health';
import { BreakerWindow } from './breaker-window';
import { operate } from '../operate';
import { Relay } from '../relay';

export { CircuitOpenError, isSinkFailure } from './breaker-health';

/** Where a circuit breaker stands. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failed batches that open the circuit (default 5). */
  readonly failureThreshold?: number;
  /** Share (0..1) of failed batches over `windowMs` that opens the circuit (off when absent). */
  readonly errorRateThreshold?: number;
  /** Span (ms) of the error-rate window (default 60 000). */
  readonly windowMs?: number;
  /** Batches the window must hold before the error rate counts (default 20). */
  readonly minimumRequests?: number;
  /** Time (ms) the circuit stays open before letting trial batches through (default 30 000). */
  readonly resetTimeoutMs?: number;
  /** Trial batches in flight at once while half-open (default 1). */
  readonly halfOpenMax?: number;
  /** While open: `wait` holds batches in order (default), `reject` fails them with {@link CircuitOpenError}. */
  readonly whenOpen?: 'wait' | 'reject';
  readonly scheduler?: SchedulerLike;
  /** Told after every transition; a throw errors the output. */
  readonly onStateChange?: (from: CircuitState, to: CircuitState) => void;
}

/**
 * Stops sending to a failing sink. Each batch goes downstream under the breaker's own ack,
 * whose outcome is passed upstream unchanged (same events, so indices stay valid) and judged
 * by {@link isSinkFailure}. `failureThreshold` consecutive failures, or an error rate of
 * `errorRateThreshold` over `windowMs` (once `minimumRequests` outcomes are in), open the
 * circuit for `resetTimeoutMs`; then it is half-open and lets `halfOpenMax` trial batches
 * through: a trial success closes it, a failure opens it again. While open, batches are held
 * in order (`wait`; one timer, no polling) or rejected with {@link CircuitOpenError}
 * (`reject`; so are batches beyond the trials while half-open). Completes once the source completed and nothing is held or in flight;
 * teardown rejects the held batches.
 *
 * ```
 * source:  -a-b-c----------|    failureThreshold 2, resetTimeout 8, a and b fail
 * result:  -a-b-------c----|    c held while open, sent as the trial when half-open
 * state:   closed  open    half-open → closed
 * ```
 *
 * @example
 * import { circuitBreaker } from 'sluice';
 * const guard = circuitBreaker({ failureThreshold: 5, resetTimeoutMs: 30_000, whenOpen: 'wait' });
 *
 * @see retry
 * @see deliver
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): MonoTypeOperatorFunction<Batch> {
  const { failureThreshold = 5, errorRateThreshold, windowMs = 60_000, minimumRequests = 20, resetTimeoutMs = 30_000 } = options;
  const { halfOpenMax = 1, whenOpen = 'wait', onStateChange } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  if (!(failureThreshold >= 1 && halfOpenMax >= 1)) throw new RangeError('circuitBreaker: failureThreshold and halfOpenMax must be at least 1');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const held: Batch[] = [];
      const window = errorRateThreshold === undefined ? undefined : new BreakerWindow(windowMs);
      let state: CircuitState = 'closed';
      let epoch = 0; // bumped on every transition: outcomes of an older epoch do not count
      let consecutive = 0;
      let trials = 0;
      let outstanding = 0;
      let pumping = false;
      let resetTimer: Subscription | undefined;
      const relay = new Relay(subscriber, () => held.length === 0 && outstanding === 0);

      const moveTo = (next: CircuitState): void => {
        const from = state;
        [state, epoch, consecutive, trials] = [next, epoch + 1, 0, 0];
        window?.clear();
        if (next === 'open') {
          resetTimer = scheduler.schedule(() => {
            resetTimer = undefined;
            moveTo('half-open');
            pump();
          }, resetTimeoutMs);
        }
        try {
          onStateChange?.(from, next);
        } catch (error) {
          relay.fail(error);
        }
      };

      const record = (failed: boolean): void => {
        if (state === 'half-open') return moveTo(failed ? 'open' : 'closed');
        consecutive = failed ? consecutive + 1 : 0;
        window?.add(scheduler.now(), failed);
        const rateTripped = window?.tripped(scheduler.now(), errorRateThreshold ?? 1, minimumRequests) ?? false;
        if (consecutive >= failureThreshold || rateTripped) moveTo('open');
      };

      const settled = (batch: Batch, outcome: AckOutcome, seen: number): void => {
        outstanding -= 1;
        if (seen === epoch) record(!outcome.ok && isSinkFailure(outcome.reason, batch.events.length));
        if (outcome.ok) batch.ack.resolve();
        else batch.ack.reject(outcome.reason);
        pump();
      };

      const forward = (batch: Batch): void => {
        const seen = epoch;
        outstanding += 1;
        if (state === 'half-open') trials += 1;
        relay.send(batch, batch.events, batch.bytes, (outcome) => settled(batch, outcome, seen));
      };

      const canForward = (): boolean => state === 'closed' || (state === 'half-open' && trials < halfOpenMax);

      /** Releases held batches while the circuit lets them through, then ends the output if due. */
      const pump = (): void => {
        if (!pumping) {
          pumping = true;
          try {
            while (held.length > 0 && canForward() && !subscriber.closed) {
              const next = held.shift();
              if (next) forward(next);
            }
          } finally {
            pumping = false;
          }
        }
        relay.conclude();
      };

      const subscription = operate(source, subscriber, {
        next: (batch) => {
          if (held.length === 0 && canForward()) forward(batch);
          else if (whenOpen === 'wait') held.push(batch);
          else batch.ack.reject(new CircuitOpenError());
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          relay.inputComplete();
          pump();
        },
      });

      return () => {
        subscription.unsubscribe();
        resetTimer?.unsubscribe();
        const reason = new DeliveryError('circuit breaker torn down while holding the batch', true);
        for (const batch of held.splice(0)) batch.ack.reject(reason);
      };
    });
}
