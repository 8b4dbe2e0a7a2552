import { asyncScheduler, defer, tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { EventHooks } from '../../src/core/event-hooks';
import { ConfigError } from '../../src/core/errors';
import { filterEvents } from '../filter-events';
import { compilePredicate, type ConditionSpec, type EventPredicate } from './conditions';
import { compileEventKey } from './event-key';

/** Options of {@link throttle}. */
export interface ThrottleOptions {
  /** Most events let through per key in one window. */
  readonly threshold: number;
  /** The window length in milliseconds (tumbling windows aligned to the scheduler's clock). */
  readonly windowMs: number;
  /** Count per value of this field (a service, a user); default one count for all events. */
  readonly keyField?: string;
  /** Most keys counted in one window; events of further keys share one overflow count. Default 10,000. */
  readonly maxKeys?: number;
  /** Events matching this condition are never throttled (nor counted). */
  readonly exclude?: ConditionSpec;
  readonly scheduler?: SchedulerLike;
}

/** The count shared by events without the key field, and by keys beyond `maxKeys`. */
const SHARED_KEY = '\u0000';

/**
 * Lets at most `threshold` events per key through in each window of `windowMs`; the excess
 * is dropped on purpose (acknowledged, counted through `hooks.onDiscard`). Windows are
 * tumbling, aligned to multiples of `windowMs` on the scheduler's clock, read once per batch;
 * counts are kept per subscription and forgotten when the window turns, and at most
 * `maxKeys` keys are counted, so memory stays bounded whatever the keys.
 *
 * ```
 * source:  --a-b-c----d--|    threshold: 2, window: 5 frames
 * result:  --a-b------d--|    c over the threshold in window 0 (counted); d in window 1
 * ```
 *
 * @example
 * import { throttle } from 'sluice';
 * const perService = throttle({ threshold: 1000, windowMs: 1000, keyField: 'service' });
 *
 * @see sample
 */
export function throttle(options: ThrottleOptions, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const { threshold, windowMs } = options;
  if (!Number.isInteger(threshold) || threshold < 1) throw new ConfigError(`threshold: expected an integer of at least 1, got ${threshold}`, { path: 'threshold' });
  if (!(windowMs > 0)) throw new ConfigError(`window: expected a positive duration, got ${windowMs}`, { path: 'window' });
  const maxKeys = options.maxKeys ?? 10_000;
  const scheduler = options.scheduler ?? asyncScheduler;
  const keyOf = options.keyField === undefined ? undefined : compileEventKey([options.keyField], 'key_field');
  const excluded: EventPredicate | undefined = options.exclude === undefined ? undefined : compilePredicate(options.exclude, 'exclude');

  return (source) =>
    defer(() => {
      const counts = new Map<string, number>();
      let window = Number.NaN;
      const turn = (): void => {
        const current = Math.floor(scheduler.now() / windowMs);
        if (current !== window) {
          window = current;
          counts.clear();
        }
      };
      const admit: EventPredicate = (event) => {
        if (excluded?.(event) === true) return true;
        let key = keyOf?.(event) ?? SHARED_KEY;
        let count = counts.get(key);
        if (count === undefined && counts.size >= maxKeys) {
          key = SHARED_KEY;
          count = counts.get(key);
        }
        if ((count ?? 0) >= threshold) return false;
        counts.set(key, (count ?? 0) + 1);
        return true;
      };
      return source.pipe(tap(turn), filterEvents(admit, hooks));
    });
}
