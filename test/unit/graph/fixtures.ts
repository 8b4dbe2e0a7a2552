import { Observable } from 'rxjs';
import { createBatch } from '../../../src/core/batch';
import { DELIVERED, type Sink } from '../../../src/core/sink';
import { integer, oneOf, string } from '../../../src/config/schema';
import { defineSink, defineSource, defineTransform } from '../../../src/components/define';
import { ComponentRegistry } from '../../../src/components/registry';
import { mapEvents } from '../../../operators/map-events';
import type { LogEvent } from '../../../src/core/event';

/** A source emitting `count` events `{ message: 'n' }` in batches of `batch_size`, honouring credit. */
export const countingSource = defineSource({
  type: 'counting',
  summary: 'test source',
  options: {
    count: integer({ description: 'events', default: 10, min: 0 }),
    batch_size: integer({ description: 'events per batch', default: 5, min: 1 }),
  },
  example: {},
  create(config, context) {
    return new Observable((subscriber) => {
      let next = 0;
      const pump = (): void => {
        while (next < config.count && !subscriber.closed) {
          if (context.credit.exhausted) {
            // Resume on a later turn: the wake-up runs inside an ack's settlement, and a sink
            // that settles in a microtask would otherwise starve timers and I/O for good.
            context.credit.whenAvailable(() => setImmediate(pump));
            return;
          }
          const size = Math.min(config.batch_size, config.count - next);
          const events: LogEvent[] = [];
          for (let i = 0; i < size; i++) events.push({ message: String(next + i) });
          next += size;
          subscriber.next(createBatch(events, context.track(size, size * 8), size * 8));
        }
        subscriber.complete();
      };
      const stop = context.stopping.subscribe(() => (next = config.count));
      pump();
      return () => stop.unsubscribe();
    });
  },
});

/** A transform that upper-cases or tags messages. */
export const shoutTransform = defineTransform({
  type: 'shout',
  summary: 'test transform',
  options: { mode: oneOf(['upper', 'tag'] as const, { description: 'what to do', default: 'upper' }) },
  example: {},
  create: (config, context) =>
    mapEvents((event) => {
      event.message = config.mode === 'upper' ? String(event.message).toUpperCase() : `!${String(event.message)}`;
      return event;
    }, context.hooks),
});

/** Every sink created by `collectSink`, by component id, so tests can read what arrived. */
export const collected = new Map<string, LogEvent[]>();

export const collectSink = defineSink({
  type: 'collect',
  summary: 'test sink',
  options: { label: string({ description: 'label', default: 'x' }) },
  example: {},
  batchDefaults: { maxEvents: 100, maxBytes: 1 << 20, timeoutMs: 10 },
  create(_config, context): Sink {
    const events: LogEvent[] = [];
    collected.set(context.id, events);
    return {
      send: async (batch) => {
        events.push(...batch.events.map((event) => ({ ...event })));
        return DELIVERED;
      },
      close: async () => undefined,
    };
  },
});

export const testRegistry = (): ComponentRegistry => new ComponentRegistry().register(countingSource, shoutTransform, collectSink);
