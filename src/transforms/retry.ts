import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import { duration, integer, number, optional, type InferOut, type Shape } from '../config/schema';
import type { ComponentContext } from '../components/context';
import { defineTransform } from '../components/define';
import { retry } from '../../operators/reliability/retry';

/** Counter of events a retry stage re-sent, one increment per event per retry. */
export const RETRIED_EVENTS_METRIC = 'sluice_component_retried_events_total';

/**
 * The options of a retry stage: the `retry` transform's, and the `retry:` block of a sink.
 * Retries stop at whichever of `max_retries` and `max_elapsed` is reached first.
 */
export const retryOptionsShape = {
  initial: duration({ description: 'Delay before the first retry (before jitter).', default: 100, min: 0, example: '250ms' }),
  max: duration({ description: 'Longest delay between two tries, jitter included.', default: 30_000, min: 0, example: '1m' }),
  multiplier: number({ description: 'Growth of the delay from one retry to the next (1 = constant).', default: 2, min: 1, example: 1.5 }),
  max_retries: optional(
    integer({
      description:
        'Most retries per event after its first try. Absent (the default): no limit, so an outage becomes a backlog that drains on recovery, never a loss. 0 = never retry (failures go upstream as they are). What a finite limit above 0 gives up on is permanent: it goes to the dead-letter queue if there is one, else it is counted as dropped.',
      min: 0,
      example: 5,
    }),
  ),
  max_elapsed: optional(
    duration({ description: 'No retry starts later than this after the first try (no bound when absent).', min: 0, example: '5m' }),
  ),
  jitter: number({
    description: 'Spread of each delay: drawn uniformly within ± this fraction of it (0 = none, 0.2 = ± 20%), capped at `max`.',
    default: 0.2,
    min: 0,
    max: 1,
    example: 0.1,
  }),
} satisfies Shape;

/** A validated retry config. */
export type RetryConfig = InferOut<typeof retryOptionsShape>;

/**
 * What a sink retries with when it has no `retry:` block: every option's default, so no
 * limit on retries. Every sink retries retryable failures; a finite limit is an explicit choice.
 */
export const DEFAULT_RETRY_CONFIG: RetryConfig = Object.freeze({ initial: 100, max: 30_000, multiplier: 2, max_retries: undefined, max_elapsed: undefined, jitter: 0.2 });

/**
 * Builds the retry operator from a validated config, with its metrics wired: every retried
 * event counts in `sluice_component_retried_events_total`, every event whose retries ran out
 * in `sluice_component_errors_total{error_type="retry_exhausted"}`; time comes from the
 * context's scheduler.
 *
 * @example
 * import { retryFromConfig } from 'sluice';
 * const stage = retryFromConfig({ initial: 100, max: 30_000, multiplier: 2, max_retries: undefined, max_elapsed: undefined, jitter: 0.2 }, context);
 *
 * @see retry
 */
export function retryFromConfig(config: RetryConfig, context: ComponentContext): MonoTypeOperatorFunction<Batch> {
  const retried = context.metrics.counter(RETRIED_EVENTS_METRIC, 'Events a retry stage re-sent after a retryable failure.');
  return retry({
    initialMs: config.initial,
    maxMs: config.max,
    multiplier: config.multiplier,
    maxRetries: config.max_retries,
    maxElapsedMs: config.max_elapsed,
    jitter: config.jitter,
    scheduler: context.scheduler,
    onRetry: (events) => retried.inc(events.length),
    onExhausted: (events) => context.metrics.error('retry_exhausted', events.length),
  });
}

/** The `retry` transform: re-sends the failed events of each batch with exponential backoff. */
export const retryTransform = defineTransform({
  type: 'retry',
  summary: 'Retries failed deliveries event by event, with exponential backoff and jitter; permanent failures go upstream (to a dead-letter stage).',
  options: retryOptionsShape,
  example: { initial: '200ms', max: '10s', max_retries: 5 },
  create: (config, context) => retryFromConfig(config, context),
});
