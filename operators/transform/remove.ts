import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import { configPath } from './field-paths';

/**
 * Removes fields (dotted paths) from every event. A removed field is set to undefined rather
 * than `delete`d (which de-optimises the event's shape); the wire encoders skip it and
 * conditions see it as absent. Nested objects along the path are copied, not mutated.
 *
 * ```
 * source:  --a--|      a: { message: "x", password: "p" }     (fields: [password])
 * result:  --A--|      A: { message: "x" }
 * ```
 *
 * @example
 * import { removeFields } from 'sluice';
 * const slim = removeFields(['kubernetes.labels', 'raw']);
 *
 * @see renameFields
 */
export function removeFields(fields: readonly string[], hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const paths = fields.map((field, index) => configPath(field, `fields.${index}`));
  if (paths.length === 0) return identity;
  return mapEvents((event: LogEvent) => {
    for (const path of paths) if (getField(event, path) !== undefined) setField(event, path, undefined);
    return event;
  }, hooks);
}
