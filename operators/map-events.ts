import { map, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import type { EventHooks } from '../src/core/event-hooks';

/**
 * Applies `project` to every event of every batch; batches and acks pass through.
 *
 * ```
 * source:  --a--b--|        (batches of events)
 * result:  --A--B--|        (same batches, projected events)
 * ```
 *
 * `project` may change the event in place and return it, or return a new event. On a branch
 * after a fan-out (`batch.shared`) it receives a shallow copy, so siblings never see the
 * change (replace nested objects rather than mutating them). If `project` throws, the event
 * is kept (on a shared batch unchanged; otherwise as far as `project` got before throwing,
 * since copying every event up front would cost more than the map) and `hooks.onError` is
 * told: bad data never loses an event.
 *
 * @example
 * import { mapEvents } from 'sluice';
 * const upper = mapEvents((event) => ({ ...event, level: String(event.level).toUpperCase() }));
 *
 * @see filterEvents
 */
export function mapEvents(project: (event: LogEvent) => LogEvent, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const onError = hooks.onError;
  return map((batch: Batch) => {
    const input = batch.events;
    const copy = batch.shared === true;
    const output = new Array<LogEvent>(input.length);
    let keptShared = false;
    for (let i = 0; i < input.length; i++) {
      const event = input[i];
      try {
        output[i] = project(copy ? { ...event } : event);
      } catch (error) {
        output[i] = event;
        keptShared = copy;
        onError?.(error, event);
      }
    }
    // Copied events belong to this branch alone: later stages need not copy them again.
    // An event kept as it was after a throw is still the sibling's object, so the batch stays shared.
    return { ...batch, events: output, shared: keptShared };
  });
}
