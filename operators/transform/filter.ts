import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import { boolean, json, list, object, oneOf, optional, string } from '../../src/config/schema';
import { defineTransform } from '../../src/components/define';
import { filterEvents } from '../filter-events';
import type { EventHooks } from '../map-events';
import { compileCondition, type Condition } from './conditions';

export type { Condition } from './conditions';

/** What {@link filterByConditions} keeps. */
export interface FilterSpec {
  readonly conditions: readonly Condition[];
  /** `all`: every condition must hold (default); `any`: one is enough. */
  readonly mode?: 'all' | 'any';
  /** `keep` the matching events (default) or `drop` them. */
  readonly action?: 'keep' | 'drop';
}

const operand = (description: string) => optional(json({ description }));

const conditionShape = object(
  {
    field: string({ description: 'Dotted path of the field to test.', example: 'http.status' }),
    equals: operand('Equal to this value (numbers and numeric strings compare as numbers).'),
    not_equals: operand('Not equal to this value.'),
    in: optional(list(json({ description: 'A value.' }), { description: 'Equal to one of these values.', example: [500, 502, 503] })),
    matches: optional(string({ description: 'A JavaScript regular expression the value contains a match of.', example: '^GET ' })),
    exists: optional(boolean({ description: 'The field is present (true) or absent (false).', example: true })),
    gt: operand('Greater than this number (or string, compared as text).'),
    gte: operand('Greater than or equal to this number (or string).'),
    lt: operand('Less than this number (or string).'),
    lte: operand('Less than or equal to this number (or string).'),
  },
  { description: 'One test on one field; every operator given must hold.' },
);

export const filterTransform = defineTransform({
  type: 'filter',
  summary: 'Keeps (or drops) events matching field conditions; dropped events are acknowledged and counted.',
  options: {
    conditions: list(conditionShape, {
      description: 'The conditions, each on one field.',
      example: [{ field: 'http.status', gte: 500 }],
      minItems: 1,
    }),
    mode: oneOf(['all', 'any'] as const, { description: '`all`: every condition must hold; `any`: one is enough.', default: 'all', example: 'any' }),
    action: oneOf(['keep', 'drop'] as const, { description: '`keep` the matching events or `drop` them.', default: 'keep', example: 'drop' }),
  },
  example: { conditions: [{ field: 'level', in: ['warn', 'error'] }] },
  create(config, ctx) {
    const conditions = config.conditions as Condition[];
    return filterByConditions(
      { conditions, mode: config.mode, action: config.action },
      { onError: ctx.hooks.onError, onDiscard: (count) => ctx.metrics.discard('filtered', count) },
    );
  },
});

/**
 * Compiles a filter spec into one predicate (paths, regexes and sets built once). Throws a
 * `ConfigError` naming the condition (`conditions.1.matches`) when one is invalid.
 */
export function compileFilter(spec: FilterSpec): (event: LogEvent) => boolean {
  const tests = spec.conditions.map((condition, index) => compileCondition(condition, `conditions.${index}`));
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
