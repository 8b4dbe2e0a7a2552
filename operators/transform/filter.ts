import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import { filterEvents } from '../filter-events';
import type { EventHooks } from '../../src/core/event-hooks';
import { compilePredicate, type ConditionSpec } from './conditions';

export type { Condition, ConditionSpec } from './conditions';

/** What {@link filterByConditions} keeps. */
export interface FilterSpec {
  /** Field tests or `any` / `all` / `not` groups of them. */
  readonly conditions: readonly ConditionSpec[];
  /** `all`: every condition must hold (default); `any`: one is enough. */
  readonly mode?: 'all' | 'any';
  /** `keep` the matching events (default) or `drop` them. */
  readonly action?: 'keep' | 'drop';
}

/**
 * Compiles a filter spec into one predicate (paths, regexes and sets built once). Throws a
 * `ConfigError` naming the condition (`conditions.1.matches`) when one is invalid.
 */
export function compileFilter(spec: FilterSpec): (event: LogEvent) => boolean {
  const tests = spec.conditions.map((condition, index) => compilePredicate(condition, `conditions.${index}`));
  if (tests.length === 0) throw new RangeError('filter needs at least one condition');
  const keep = (spec.action ?? 'keep') === 'keep';
  const any = spec.mode === 'any';
  if (tests.length === 1) {
    const only = tests[0];
    return keep ? only : (event) => !only(event);
  }
  return (event) => {
    let matched = !any;
    for (const test of tests) {
      if (test(event) === any) {
        matched = any;
        break;
      }
    }
    return matched === keep;
  };
}

/**
 * Keeps the events that match `spec` (or drops them, with `action: 'drop'`). Dropped events
 * are deliberate: `hooks.onDiscard` counts them, and a batch left empty is acknowledged and
 * swallowed by {@link filterEvents}. A condition reading a field that throws (a getter on a
 * hostile object) keeps the event and reports it through `hooks.onError`: fail open.
 *
 * ```
 * source:  --a--b--|      a: status 500, b: status 200      (keep status >= 500)
 * result:  --a-----|      b acked and counted as filtered
 * ```
 *
 * @example
 * import { filterByConditions } from 'sluice';
 * const errors = filterByConditions({ conditions: [{ field: 'http.status', gte: 500 }] });
 *
 * @see filterEvents
 */
export function filterByConditions(spec: FilterSpec, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  return filterEvents(compileFilter(spec), hooks);
}
