import { duration, integer, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { throttle } from '../../operators/transform/throttle';
import { configProblems } from '../../operators/transform/field-paths';
import { condition } from './filter';

/** The `throttle` transform: at most N events per window per key. */
export const throttleTransform = defineTransform({
  type: 'throttle',
  summary: 'Lets at most `threshold` events per key through in each time window; the excess is dropped, acknowledged and counted.',
  options: {
    threshold: integer({ description: 'Most events per key in one window.', example: 1000, min: 1 }),
    window: duration({ description: 'The window length; windows are tumbling, aligned to multiples of it.', default: 1000, example: '1m', min: 1 }),
    key_field: optional(string({ description: 'Count per value of this field (a service, a tenant); by default one count for all events.', example: 'service' })),
    max_keys: integer({ description: 'Most keys counted in one window; events of further keys share one count (bounded memory).', default: 10_000, example: 100_000, min: 1 }),
    exclude: optional(condition({ description: 'Events matching this condition are never throttled.', example: { field: 'level', equals: 'error' } })),
  },
  example: { threshold: 100, window: '1s' },
  check: (config) => configProblems(() => throttle({ threshold: config.threshold, windowMs: config.window, keyField: config.key_field })),
  create(config, ctx) {
    return throttle(
      { threshold: config.threshold, windowMs: config.window, keyField: config.key_field, maxKeys: config.max_keys, exclude: config.exclude, scheduler: ctx.scheduler },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('throttled', count) },
    );
  },
});
