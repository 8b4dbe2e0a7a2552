import { defer, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { ConfigError } from '../../src/core/errors';
import { getField } from '../../src/core/field-path';
import { filterEvents } from '../filter-events';
import { compilePredicate, type ConditionSpec, type EventPredicate } from './conditions';
import { compileEventKey, stableHash } from './event-key';
import { configPath } from './field-paths';

/** Options of {@link sample}. */
export interface SampleOptions {
  /** Keep 1 event in `rate` (1 keeps all). */
  readonly rate: number;
  /** Rates by level (`{ debug: 100, error: 1 }`); levels not listed use `rate`. Matched case-insensitively. */
  readonly rateByLevel?: Readonly<Record<string, number>>;
  /** Dotted path of the level field; default `level`. */
  readonly levelField?: string;
  /** Sample by this field's value: all events of one key are kept, or all dropped, on every instance. */
  readonly keyField?: string;
  /** Events matching this condition are never sampled out. */
  readonly exclude?: ConditionSpec;
}

function checkRate(rate: number, where: string): number {
  if (!Number.isInteger(rate) || rate < 1) throw new ConfigError(`${where}: expected an integer of at least 1, got ${rate}`, { path: where });
  return rate;
}

/**
 * Keeps 1 event in N and drops the rest on purpose (acknowledged, counted through
 * `hooks.onDiscard`). Without `keyField` the first of every N events is kept, counted per
 * subscription and per rate (levels sharing a rate share a count). With it, an event is kept
 * when the hash of its key is a multiple of N, so a key's events (one request, one user) are
 * kept or dropped together, the same way on every instance. An event without the key field is
 * sampled by counting.
 *
 * ```
 * source:  --(abcd)--|     rate: 2
 * result:  --(a c)---|     b and d acknowledged and counted as sampled
 * ```
 *
 * @example
 * import { sample } from 'sluice';
 * const fewerDebug = sample({ rate: 1, rateByLevel: { debug: 100, info: 10 }, keyField: 'trace_id' });
 *
 * @see filterEvents
 * @see throttle
 */
export function sample(options: SampleOptions, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const rate = checkRate(options.rate, 'rate');
  const byLevel = new Map<string, number>();
  for (const [level, levelRate] of Object.entries(options.rateByLevel ?? {})) byLevel.set(level.toLowerCase(), checkRate(levelRate, `rate_by_level.${level}`));
  const levelPath = configPath(options.levelField ?? 'level', 'level_field');
  const keyOf = options.keyField === undefined ? undefined : compileEventKey([options.keyField], 'key_field');
  const excluded: EventPredicate | undefined = options.exclude === undefined ? undefined : compilePredicate(options.exclude, 'exclude');

  const rateOf = (event: LogEvent): number => {
    if (byLevel.size === 0) return rate;
    const level = getField(event, levelPath);
    return (typeof level === 'string' ? byLevel.get(level.toLowerCase()) : undefined) ?? rate;
  };
  // Counting state is per subscription: two pipelines built from one operator count apart.
  const predicate = (): EventPredicate => {
    const seen = new Map<number, number>();
    return (event) => {
      if (excluded?.(event) === true) return true;
      const eventRate = rateOf(event);
      if (eventRate === 1) return true;
      const key = keyOf?.(event);
      if (key !== undefined) return stableHash(key) % eventRate === 0;
      const count = seen.get(eventRate) ?? 0;
      seen.set(eventRate, count + 1 === eventRate ? 0 : count + 1);
      return count === 0;
    };
  };
  return (source) => defer(() => source.pipe(filterEvents(predicate(), hooks)));
}
