import { Observable, Subscription } from 'rxjs';
import { createBatch, estimateBytes, type Batch } from '../core/batch';
import type { LogEvent } from '../core/event';
import type { SourceContext } from '../components/context';
import type { AckLedger } from './ack-ledger';
import type { EventLike } from './event-like';

/** One batch fed into a named input, at a virtual time. */
export interface InputBatch {
  /** Milliseconds of virtual time after the start; 0 by default. */
  readonly at?: number;
  /** The events; a string is a raw line, read as a line source reads it: `{ message, timestamp }`. */
  readonly events: readonly EventLike[];
}

/** What is fed into one input: its batches, and how long it stays open. */
export interface InputFeed {
  readonly batches: readonly InputBatch[];
  /** When the input ends (virtual ms after the start); by default right after its last batch. */
  readonly endAt?: number;
}

/** An input as a test may write it: a list of events (one batch at time 0) or a full feed. */
export type InputLike = readonly EventLike[] | InputFeed;

/** An {@link InputLike} as a feed. */
export function toFeed(input: InputLike | undefined): InputFeed {
  if (input === undefined) return { batches: [] };
  return Array.isArray(input) ? { batches: [{ at: 0, events: input as readonly EventLike[] }] } : (input as InputFeed);
}

/** Copies the test's event (a stage may change events in place) or reads a raw line. */
function eventOf(item: EventLike, timestamp: string): LogEvent {
  return typeof item === 'string' ? { message: item, timestamp } : (structuredClone(item) as LogEvent);
}

/**
 * An in-memory source standing in for a real one by name: it emits the feed's batches at
 * their virtual times and completes at `endAt`. Each batch takes credit and an ack from
 * `ctx.track` like a real source (so backpressure and the in-flight metrics hold), waits
 * while credit is exhausted, and its ack is traced in `ledger` as `<source>#<n>`.
 */
export function memorySource(feed: InputFeed, ledger: AckLedger): (ctx: SourceContext) => Observable<Batch> {
  return (ctx) =>
    new Observable<Batch>((subscriber) => {
      const timers = new Subscription();
      const due: Array<{ label: string; items: readonly EventLike[] }> = [];
      let ended = false;
      let waiting = false;
      let next = 0;
      const drain = (): void => {
        while (due.length > 0 && !ctx.credit.exhausted) {
          const { label, items } = due.shift() as { label: string; items: readonly EventLike[] };
          const timestamp = new Date(ctx.scheduler.now()).toISOString();
          const events = items.map((item) => eventOf(item, timestamp));
          const bytes = estimateBytes(events);
          const ack = ledger.trace(ctx.track(events.length, bytes), label, events);
          ledger.markSent(label);
          subscriber.next(createBatch(events, ack, bytes, { source: ctx.id, input: 'memory' }));
        }
        if (due.length > 0 && !waiting) {
          waiting = true;
          ctx.credit.whenAvailable(() => {
            waiting = false;
            drain();
          });
        }
        if (due.length === 0 && ended) subscriber.complete();
      };
      const endAt = feed.endAt ?? Math.max(0, ...feed.batches.map((batch) => batch.at ?? 0));
      for (const batch of feed.batches) {
        const label = `${ctx.id}#${next++}`;
        timers.add(
          ctx.scheduler.schedule(() => {
            due.push({ label, items: batch.events });
            drain();
          }, batch.at ?? 0),
        );
      }
      timers.add(
        ctx.scheduler.schedule(() => {
          ended = true;
          drain();
        }, endAt),
      );
      return timers;
    });
}
