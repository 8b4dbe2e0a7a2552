import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import { duration, integer, number, oneOf, optional, type InferOut, type Shape } from '../config/schema';
import type { ComponentContext } from '../components/context';
import { defineTransform } from '../components/define';
import { circuitBreaker, type CircuitState } from '../../operators/reliability/circuit-breaker';

/** Gauge of each breaker's state, by component: 0 closed, 1 open, 2 half-open. */
export const BREAKER_STATE_METRIC = 'sluice_circuit_breaker_state';

/** The gauge value of each state. */
export const BREAKER_STATE_VALUE: Readonly<Record<CircuitState, number>> = { closed: 0, open: 1, 'half-open': 2 };

/** The options of a circuit breaker stage: the `circuit_breaker` transform's, and a sink's block. */
export const circuitBreakerOptionsShape = {
  failure_threshold: integer({ description: 'Consecutive failed batches that open the circuit.', default: 5, min: 1, example: 3 }),
  error_rate: optional(
    number({ description: 'Share of failed batches over `window` that opens the circuit (off when absent).', min: 0, max: 1, example: 0.5 }),
  ),
  window: duration({ description: 'Span of the error-rate window (counted in 10 slots).', default: 60_000, min: 1, example: '30s' }),
  minimum_requests: integer({ description: 'Batches the window must hold before the error rate counts.', default: 20, min: 1, example: 50 }),
  reset_timeout: duration({ description: 'How long the circuit stays open before trial batches go through.', default: 30_000, min: 0, example: '10s' }),
  half_open_max: integer({ description: 'Trial batches in flight at once while half-open.', default: 1, min: 1, example: 2 }),
  when_open: oneOf(['wait', 'reject'] as const, {
    description: '`wait` holds batches in order until the circuit lets them through (credit then stops the source); `reject` fails them at once (to the dead-letter stage).',
    default: 'wait',
    example: 'reject',
  }),
} satisfies Shape;

/** A validated circuit breaker config. */
export type CircuitBreakerConfig = InferOut<typeof circuitBreakerOptionsShape>;

/**
 * Builds the circuit breaker from a validated config: its state is the gauge
 * `sluice_circuit_breaker_state` (0 closed, 1 open, 2 half-open) and every transition is
 * logged (opening as a warning); time comes from the context's scheduler.
 *
 * @example
 * import { circuitBreakerFromConfig } from 'sluice';
 * const stage = circuitBreakerFromConfig({ ...defaults, when_open: 'reject' }, context);
 *
 * @see circuitBreaker
 */
export function circuitBreakerFromConfig(config: CircuitBreakerConfig, context: ComponentContext): MonoTypeOperatorFunction<Batch> {
  const gauge = context.metrics.gauge(BREAKER_STATE_METRIC, 'State of a circuit breaker: 0 closed, 1 open, 2 half-open.');
  gauge.set(BREAKER_STATE_VALUE.closed);
  return circuitBreaker({
    failureThreshold: config.failure_threshold,
    errorRateThreshold: config.error_rate,
    windowMs: config.window,
    minimumRequests: config.minimum_requests,
    resetTimeoutMs: config.reset_timeout,
    halfOpenMax: config.half_open_max,
    whenOpen: config.when_open,
    scheduler: context.scheduler,
    onStateChange: (from, to) => {
      gauge.set(BREAKER_STATE_VALUE[to]);
      const line = { component_id: context.id, from, to };
      if (to === 'open') context.logger.warn(line, `circuit breaker opened (${from === 'half-open' ? 'trial batch failed' : 'sink failing'}): next trial in ${config.reset_timeout}ms`);
      else context.logger.info(line, `circuit breaker ${to === 'closed' ? 'closed: sink recovered' : 'half-open: sending trial batches'}`);
    },
  });
}

/** The `circuit_breaker` transform: stops sending to a failing sink until it recovers. */
export const circuitBreakerTransform = defineTransform({
  type: 'circuit_breaker',
  summary: 'Opens after repeated delivery failures and holds (or rejects) batches until a trial batch succeeds.',
  options: circuitBreakerOptionsShape,
  example: { failure_threshold: 3, reset_timeout: '10s' },
  create: (config, context) => circuitBreakerFromConfig(config, context),
});
