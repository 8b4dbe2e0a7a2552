import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonValue, LogEvent } from '../../src/core/event';
import { ConfigError } from '../../src/core/errors';
import { compilePath, getField, setField, type FieldPath } from '../../src/core/field-path';
import { boolean, json, record } from '../../src/config/schema';
import { defineTransform } from '../../src/components/define';
import { mapEvents, type EventHooks } from '../map-events';

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Replace a field the event already has; default false (only fill in missing fields). */
  readonly overwrite?: boolean;
}

export const enrichTransform = defineTransform({
  type: 'enrich',
  summary: 'Adds static fields (environment, team, region) to every event.',
  options: {
    fields: record(json({ description: 'The value to set (any JSON value).' }), {
      description: 'Dotted field path → value. Use `${VAR}` to take a value from the environment (the config loader expands it).',
      example: { environment: 'production', 'service.team': 'payments' },
    }),
    overwrite: boolean({ description: 'Replace fields the event already has; by default only missing fields are set.', default: false, example: true }),
  },
  example: { fields: { environment: 'production' } },
  create(config, ctx) {
    return enrich(config.fields, { overwrite: config.overwrite }, ctx.hooks);
  },
});

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
