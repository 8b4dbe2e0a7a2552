import { BatchDeliveryError } from '../core/errors';
import type { LogEvent } from '../core/event';
import type { DeadLetterEntry } from './entry';

/** What every entry of one rejection shares. */
export interface FailureContext {
  /** Trust a {@link BatchDeliveryError}'s indices when its batch size is that of `events`. */
  readonly byIndex: boolean;
  readonly component: string;
  /** ISO-8601 time of the dead-lettering. */
  readonly time: string;
}

/**
 * The entries a rejected ack stands for. A {@link BatchDeliveryError} (with `byIndex`)
 * names events of this very batch, since acks renumber failures for every part of a
 * re-batched or split batch: it yields exactly its failed events, each with its own error
 * and `attempts` (1 when absent); out-of-range or repeated indices are ignored. Anything else
 * (another error, another batch's indices, no usable index) yields every event, with the
 * first failure's message and the most attempts any failure saw: when in doubt, keep all.
 */
export function failedEntries(events: readonly LogEvent[], reason: Error, context: FailureContext): DeadLetterEntry[] {
  const { component, time } = context;
  if (reason instanceof BatchDeliveryError && context.byIndex && reason.batchSize <= events.length) {
    const seen = new Set<number>();
    const entries: DeadLetterEntry[] = [];
    for (const { index, error, attempts } of reason.failures) {
      if (!Number.isInteger(index) || index < 0 || index >= events.length || seen.has(index)) continue;
      seen.add(index);
      entries.push({ time, component, error: error.message, attempts: attempts ?? 1, event: events[index] });
    }
    if (entries.length > 0) return entries;
  }
  const failures = reason instanceof BatchDeliveryError ? reason.failures : [];
  const error = failures[0]?.error.message ?? reason.message;
  const attempts = failures.reduce((most, failure) => Math.max(most, failure.attempts ?? 1), 1);
  return events.map((event) => ({ time, component, error, attempts, event }));
}
