import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonValue, LogEvent } from '../../src/core/event';
import { ConfigError } from '../../src/core/errors';
import { compilePath, getField, setField, type FieldPath } from '../../src/core/field-path';
import type { EventHooks } from '../../src/core/event-hooks';
import { mapEvents } from '../map-events';

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Replace a field the event already has; default false (only fill in missing fields). */
  readonly overwrite?: boolean;
}

/**
 * Freezes a static value deeply. Every event receives the same object, so a stage that
 * mutated it in place (instead of copying, as `setField` does) would change every event;
 * frozen, such a bug throws, and `mapEvents` keeps the event and reports it.
 */
function deepFreeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Sets static `fields` (dotted path → JSON value) on every event. Without `overwrite` a field
 * the event already has is left alone. Paths are compiled once; nested writes copy the
 * objects they pass through, so events shared after a fan-out are never changed below
 * the copy `mapEvents` makes.
 *
 * ```
 * source:  --a--b--|        fields: { env: "prod" }
 * result:  --A--B--|        A, B: ...event, env: "prod"
 * ```
 *
 * @example
 * import { enrich } from 'sluice';
 * const tagged = enrich({ environment: 'production', 'service.team': 'payments' });
 *
 * @see mapEvents
 * @see parseJson
 */
export function enrich(fields: Readonly<Record<string, JsonValue>>, options: EnrichOptions = {}, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const overwrite = options.overwrite === true;
  const paths: FieldPath[] = [];
  const values: JsonValue[] = [];
  for (const [path, value] of Object.entries(fields)) {
    try {
      paths.push(compilePath(path));
    } catch (error) {
      throw new ConfigError(`fields.${path}: ${(error as Error).message}`, { path: `fields.${path}` });
    }
    values.push(deepFreeze(structuredClone(value)));
  }
  if (paths.length === 0) return identity;
  const count = paths.length;
  const project = (event: LogEvent): LogEvent => {
    for (let i = 0; i < count; i++) {
      if (overwrite || getField(event, paths[i]) === undefined) setField(event, paths[i], values[i]);
    }
    return event;
  };
  return mapEvents(project, hooks);
}
