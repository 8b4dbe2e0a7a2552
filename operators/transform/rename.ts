import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import { configPairs } from './field-paths';

/** Options of {@link renameFields}. */
export interface RenameOptions {
  /** Replace a field already at the new name; default true (the renamed value wins). */
  readonly overwrite?: boolean;
}

/**
 * Moves fields to new names (dotted paths both sides: `{ 'req.ip': 'client.ip' }`). An
 * absent source field is skipped; the old field is cleared without `delete` (set to
 * undefined, which the wire encoders skip). Nested objects along both paths are copied,
 * never mutated, so events shared after a fan-out keep their values.
 *
 * ```
 * source:  --a--|      a: { msg: "x" }          (fields: { msg: message })
 * result:  --A--|      A: { message: "x" }
 * ```
 *
 * @example
 * import { renameFields } from 'sluice';
 * const tidy = renameFields({ msg: 'message', 'req.ip': 'client.ip' });
 *
 * @see copyFields
 * @see removeFields
 */
export function renameFields(fields: Readonly<Record<string, string>>, options: RenameOptions = {}, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const pairs = configPairs(fields, 'fields');
  if (pairs.length === 0) return identity;
  const overwrite = options.overwrite !== false;
  return mapEvents((event: LogEvent) => {
    for (const [from, to] of pairs) {
      const value = getField(event, from);
      if (value === undefined) continue;
      if (!overwrite && getField(event, to) !== undefined) continue;
      setField(event, from, undefined);
      setField(event, to, value);
    }
    return event;
  }, hooks);
}
