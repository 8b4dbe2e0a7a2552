import type { MonoTypeOperatorFunction, SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import { retry } from '../reliability/retry';
import { guard, type BufferHooks } from './policy';

/**
 * What keeps a buffer from letting go of what it owns: behind its outlet, every retryable
 * downstream failure is redelivered (only the failed events) with capped exponential
 * backoff (`DEFAULT_BACKOFF`: 100 ms doubling to 30 s, ± 20 %) and no limit on attempts, so
 * an outage becomes a backlog in the buffer. The outlet's window counts a batch until its
 * retries are done, so the backlog stays in the buffer, not in memory behind it. Only a
 * permanent failure reaches the outlet.
 */
export function redeliver(scheduler: SchedulerLike | undefined, hooks: BufferHooks = {}): MonoTypeOperatorFunction<Batch> {
  const onRetry = guard(hooks.onRetry?.bind(hooks));
  return retry({ scheduler, maxRetries: Number.POSITIVE_INFINITY, onRetry: (events, _attempt, delayMs) => onRetry(events.length, delayMs) });
}
