import { Observable, type OperatorFunction } from 'rxjs';
import { withEvents, type Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import type { EventHooks } from '../src/core/event-hooks';

/**
 * Keeps the events for which `predicate` returns true; the rest are dropped on purpose and
 * counted through `hooks.onDiscard`. A batch left empty is acknowledged here (its events
 * were deliberately dropped) and not emitted.
 *
 * ```
 * source:  --a--b--c--|     (b holds only rejected events)
 * result:  --a'-----c'-|    (b acked and swallowed)
 * ```
 *
 * If `predicate` throws, the event is kept (fail open: a bug in a filter must not silently
 * drop logs) and `hooks.onError` is told.
 *
 * @example
 * import { filterEvents } from 'sluice';
 * const errorsOnly = filterEvents((event) => event.level === 'error');
 *
 * @see mapEvents
 */
export function filterEvents(predicate: (event: LogEvent) => boolean, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const { onError, onDiscard } = hooks;
  return (source) =>
    new Observable<Batch>((subscriber) =>
      source.subscribe({
        next(batch) {
          const kept: LogEvent[] = [];
          for (const event of batch.events) {
            let keep: boolean;
            try {
              keep = predicate(event);
            } catch (error) {
              keep = true;
              onError?.(error, event);
            }
            if (keep) kept.push(event);
          }
          const dropped = batch.events.length - kept.length;
          if (dropped > 0) onDiscard?.(dropped);
          if (kept.length === 0 && batch.events.length > 0) batch.ack.resolve();
          else subscriber.next(dropped === 0 ? batch : withEvents(batch, kept));
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
