import type { LogEvent } from '../../core/event';
import { normalizeEvent, type NormalizeLimits } from '../ingest/normalize';
import type { BodyItem } from './formats';
import type { ItemError } from './responses';

/** The events of a request and, per event, the index of the item it came from. */
export interface Accepted {
  readonly events: LogEvent[];
  readonly itemIndex: number[];
  readonly errors: ItemError[];
}

/** Normalises every parsed item of a body: the events to emit, and an error per item that is none. */
export function normalizeItems(items: readonly BodyItem[], receivedAtMs: number, limits: NormalizeLimits): Accepted {
  const events: LogEvent[] = [];
  const itemIndex: number[] = [];
  const errors: ItemError[] = [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const line = item.line === undefined ? {} : { line: item.line };
    if ('error' in item) {
      errors.push({ index, ...line, error: item.error });
      continue;
    }
    const result = normalizeEvent(item.value, receivedAtMs, limits);
    if ('error' in result) errors.push({ index, ...line, error: result.error });
    else {
      events.push(result.event);
      itemIndex.push(index);
    }
  }
  return { events, itemIndex, errors };
}

