import { BatchDeliveryError, DeliveryError, isRetryable, type FailedEvent } from '../../src/core/errors';

/** The error of events whose retry was still waiting when the stage was torn down (retryable). */
export class RetryAbandonedError extends DeliveryError {
  override name = 'RetryAbandonedError';
  constructor(message = 'retry torn down before the events were re-sent') {
    super(message, true);
  }
}

export { isRetryable } from '../../src/core/errors';

/**
 * The events of a batch of `size` events that a downstream rejection says failed, each once,
 * in the order reported. A {@link BatchDeliveryError} lists them (indices outside the batch,
 * and repeats, are ignored); any other error failed every event, retryable per
 * {@link isRetryable}.
 *
 * ```
 * BatchDeliveryError([{index 2}, {index 0}], 3)  →  [{index 2}, {index 0}]
 * DeliveryError('socket closed', true), size 2   →  [{index 0, retryable}, {index 1, retryable}]
 * ```
 *
 * @see retry
 * @see circuitBreaker
 */
export function failedEvents(reason: Error, size: number): FailedEvent[] {
  if (!(reason instanceof BatchDeliveryError)) {
    const retryable = isRetryable(reason);
    const all: FailedEvent[] = new Array<FailedEvent>(size);
    for (let index = 0; index < size; index++) all[index] = { index, error: reason, retryable };
    return all;
  }
  const seen = new Uint8Array(size);
  const failures: FailedEvent[] = [];
  for (const failure of reason.failures) {
    const index = failure.index;
    if (!Number.isInteger(index) || index < 0 || index >= size || seen[index] === 1) continue;
    seen[index] = 1;
    failures.push(failure);
  }
  return failures;
}
