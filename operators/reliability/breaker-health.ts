import { BatchDeliveryError, DeliveryError } from '../../src/core/errors';
import { failedEvents } from './retry-failures';

/** Rejects a batch refused while the circuit is open (`whenOpen: 'reject'`); never retryable. */
export class CircuitOpenError extends DeliveryError {
  override name = 'CircuitOpenError';
  constructor(message = 'circuit breaker is open: the sink is failing') {
    super(message, false);
  }
}

/**
 * Whether a downstream rejection says the sink is unhealthy: any error but a
 * {@link BatchDeliveryError} does; one of those does when every event failed or any failure
 * is retryable (a per-event mapping error says nothing about the sink's health).
 *
 * ```
 * Error('socket closed')                          → failure
 * BatchDeliveryError([{index 0, retryable}], 2)   → failure
 * BatchDeliveryError([{index 0, permanent}], 2)   → not a failure (the sink answered)
 * ```
 *
 * @see circuitBreaker
 */
export function isSinkFailure(reason: Error, size: number): boolean {
  if (!(reason instanceof BatchDeliveryError)) return true;
  const failures = failedEvents(reason, size);
  return failures.length >= size || failures.some((failure) => failure.retryable);
}
