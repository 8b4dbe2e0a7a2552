import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import { configPairs } from './field-paths';

/** Options of {@link copyFields}. */
export interface CopyOptions {
  /** Replace a field already at the target; default true. */
  readonly overwrite?: boolean;
}

/**
 * Copies field values to other paths (`{ 'http.status': 'status_code' }`); an absent source
 * is skipped. The copy shares the value object with its source: safe, because every writer
 * (`setField`) replaces nested objects instead of mutating them.
 *
 * ```
 * source:  --a--|      a: { host: "h1" }        (fields: { host: origin.host })
 * result:  --A--|      A: { host: "h1", origin: { host: "h1" } }
 * ```
 *
 * @example
 * import { copyFields } from 'sluice';
 * const keepRaw = copyFields({ message: 'raw_message' });
 *
 * @see renameFields
 */
export function copyFields(fields: Readonly<Record<string, string>>, options: CopyOptions = {}, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const pairs = configPairs(fields, 'fields');
  if (pairs.length === 0) return identity;
  const overwrite = options.overwrite !== false;
  return mapEvents((event: LogEvent) => {
    for (const [from, to] of pairs) {
      const value = getField(event, from);
      if (value === undefined) continue;
      if (!overwrite && getField(event, to) !== undefined) continue;
      setField(event, to, value);
    }
    return event;
  }, hooks);
}
