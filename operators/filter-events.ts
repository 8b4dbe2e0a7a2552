import { Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';
import type { EventHooks } from '../src/core/event-hooks';
import { operate } from './operate';

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
 * The survivors travel under a pick of the batch's ack (`Ack.pick`), so a failure downstream
 * names the right events of the original batch. If `predicate` throws, the event is kept (fail open: a bug in a filter must not silently
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
    new Observable<Batch>((subscriber) => {
      const subscription = operate(source, subscriber, {
        next(batch) {
          const events = batch.events;
          const kept: LogEvent[] = [];
          let keptAt: number[] | undefined;
          for (let i = 0; i < events.length; i++) {
            const event = events[i];
            let keep: boolean;
            try {
              keep = predicate(event);
            } catch (error) {
              keep = true;
              onError?.(error, event);
            }
            if (keep) {
              kept.push(event);
              keptAt?.push(i);
            } else if (keptAt === undefined) {
              // First drop: from here on remember where each survivor sat, so failures downstream map back.
              keptAt = [];
              for (let k = 0; k < kept.length; k++) keptAt.push(k);
            }
          }
          const dropped = events.length - kept.length;
          if (dropped > 0) onDiscard?.(dropped);
          if (keptAt === undefined) return subscriber.next(batch);
          if (kept.length === 0) return batch.ack.resolve();
          // The survivors go on under a pick of the ack; the dropped events' share resolves here.
          const ack = batch.ack.pick(keptAt);
          batch.ack.resolve();
          subscriber.next({ ...batch, events: kept, ack });
        },
      });
      return () => subscription.unsubscribe();
    });
}
