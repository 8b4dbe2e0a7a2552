import { BatchDeliveryError, isRetryable, type FailedEvent } from './errors';

/**
 * `count` events starting at `at` that all failed with `reason` (retryable as it says):
 * what a failure that named no events means for a part of a batch.
 */
export function rangeFailure(reason: Error, at: number, count: number): BatchDeliveryError {
  const retryable = isRetryable(reason);
  const failures = new Array<FailedEvent>(count);
  for (let i = 0; i < count; i++) failures[i] = { index: at + i, error: reason, retryable };
  return new BatchDeliveryError(failures, at + count);
}

/**
 * A child batch's failure renumbered into its parent: `toParent(i)` is the parent index of
 * the child's event `i`. A failure that names no events fails all `count` of them.
 */
export function remapFailure(reason: Error, count: number, toParent: (index: number) => number): BatchDeliveryError {
  if (!(reason instanceof BatchDeliveryError)) {
    const retryable = isRetryable(reason);
    const failures = new Array<FailedEvent>(count);
    for (let i = 0; i < count; i++) failures[i] = { index: toParent(i), error: reason, retryable };
    return new BatchDeliveryError(failures, count);
  }
  const failures: FailedEvent[] = [];
  for (const failure of reason.failures) {
    if (failure.index >= 0 && failure.index < count) failures.push({ ...failure, index: toParent(failure.index) });
  }
  return new BatchDeliveryError(failures, count);
}

/**
 * The rejections of several references of one ack as one: every failed event once, by
 * index; when two holders failed the same event, a permanent failure wins (another try
 * cannot help the holder that refused it) and otherwise the one with more attempts.
 */
export function mergeFailures(errors: readonly BatchDeliveryError[]): BatchDeliveryError {
  if (errors.length === 1) return errors[0];
  const byIndex = new Map<number, FailedEvent>();
  let size = 0;
  for (const error of errors) {
    size = Math.max(size, error.batchSize);
    for (const failure of error.failures) {
      const seen = byIndex.get(failure.index);
      if (seen === undefined || (seen.retryable && !failure.retryable) || (seen.retryable === failure.retryable && (failure.attempts ?? 1) > (seen.attempts ?? 1))) {
        byIndex.set(failure.index, failure);
      }
    }
  }
  const merged = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return new BatchDeliveryError(merged, Math.max(size, (merged.at(-1)?.index ?? -1) + 1));
}
