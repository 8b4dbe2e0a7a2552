import { Ack } from '../core/ack';
import { createBatch, type Batch } from '../core/batch';
import type { LogEvent } from '../core/event';
import type { AckLedger } from './ack-ledger';

/** Events as a test writes them: an event object, or a string standing for `{ message }`. */
export type EventLike = LogEvent | string;

/** What a marble letter stands for: one batch's events (a single event or message alone is a batch of one). */
export type BatchValue = readonly EventLike[] | EventLike;

/** A {@link BatchValue} as events. */
export function toEvents(value: BatchValue): LogEvent[] {
  const list: readonly EventLike[] = Array.isArray(value) ? value : [value as EventLike];
  return list.map((item) => (typeof item === 'string' ? { message: item } : item));
}

/** A batch of `value`'s events under a fresh ack, traced in `ledger` as `label`. */
export function tracedBatch(ledger: AckLedger, label: string, value: BatchValue): Batch {
  const events = toEvents(value);
  return createBatch(events, ledger.trace(Ack.create(), label, events));
}

