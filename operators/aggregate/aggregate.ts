import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { Ack } from '../../src/core/ack';
import { createBatch, type Batch } from '../../src/core/batch';
import type { LogEvent } from '../../src/core/event';
import { operate } from '../operate';
import { WindowTable, type AggregateSpec, type Closed, type Refusal } from './windows';

export type { AggregateSpec, Refusal } from './windows';

/** How {@link aggregate} reports what it could not count. */
export interface AggregateHooks {
  /** `count` events of one batch counted in no window, and why. */
  onRefused?(reason: Refusal, count: number): void;
  /** Reading `event` threw (a getter on a hostile object): it is counted in no window. */
  onError?(error: unknown, event: LogEvent): void;
}

/** An {@link AggregateSpec} plus how the stage acknowledges and keeps time. */
export interface AggregateOptions extends AggregateSpec {
  /**
   * `on_consume` (default): an input batch is acknowledged once its events are counted.
   * `on_summary`: each input batch's ack is held by every window its events joined and
   * settles with the delivery of those windows' summaries.
   */
  readonly acknowledge?: 'on_consume' | 'on_summary';
  readonly scheduler?: SchedulerLike;
  readonly hooks?: AggregateHooks;
}

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Thrown into the held acks of windows torn down before they closed. */
export class AggregateAbandonedError extends Error {
  override name = 'AggregateAbandonedError';
}

/**
 * Windowed aggregation on event time: counts events per window (tumbling, or sliding with
 * `slideMs`) and key (`groupBy`), with numeric statistics (count, sum, min, max, mean,
 * p50/p95/p99 from a DDSketch) and top-N values of fields, and emits one summary event per
 * window and key when the window closes. Windows close when the event-time watermark (the
 * latest event time minus `allowedLatenessMs`) passes their end; while no event arrives,
 * the scheduler's clock moves event time on, so the last window of a quiet input still
 * closes about one window length after its last event. On completion (and before forwarding
 * an upstream error) every open window is flushed: a partial window is summarised, not lost.
 * Events too late for every window, without a timestamp, or over `maxGroups` are counted
 * through `hooks.onRefused`.
 *
 * Acks: by default an input is acknowledged once counted (the summary is a new event with
 * its own ack); with `acknowledge: 'on_summary'` inputs are held until their windows'
 * summaries are delivered, like `batch` combining acks, and rejected if the stage is torn
 * down before its windows closed. Held inputs count against their source's credit for the
 * whole window, so credit must cover a window's events.
 *
 * ```
 * source:  -a-b-----c-|      a: 00:10, b: 00:50, c: 01:05   (hourly, no lateness)
 * result:  ---------x-(y|)   x: 00:00 window {count 2} when c passes 01:00; y: 01:00 {count 1} flushed
 * ```
 *
 * @example
 * import { aggregate } from 'sluice';
 * const hourly = aggregate({ windowMs: 3_600_000, groupBy: ['path'], stats: [{ field: 'duration_ms' }] });
 *
 * @see batch
 */
export function aggregate(options: AggregateOptions): OperatorFunction<Batch, Batch> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const holding = options.acknowledge === 'on_summary';
  const hooks = options.hooks ?? {};
  // Validate the spec now, at creation, rather than on the first subscription.
  new WindowTable(options);
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const table = new WindowTable(options);
      let lastArrival = scheduler.now();
      let timer: Subscription | undefined;

      const emit = (closed: Closed): void => {
        if (closed.summaries.length === 0) {
          for (const ack of closed.acks) ack.resolve();
          return;
        }
        const ack = holding ? Ack.all([...closed.acks].map((held) => ({ ack: held, offset: 0, count: 0 }))) : Ack.create();
        subscriber.next(createBatch(closed.summaries, ack));
      };

      const idle = (): void => {
        timer = undefined;
        const closed: Closed = { summaries: [], acks: new Set() };
        table.advanceIdle(scheduler.now() - lastArrival, closed);
        emit(closed);
        armIdleTimer();
      };

      const armIdleTimer = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (!table.open || subscriber.closed) return;
        // Capped: a longer setTimeout fires at once. Waking early is harmless, the idle
        // handler closes only what is due and re-arms.
        const delay = Math.min(MAX_TIMER_MS, Math.max(0, table.untilNextClose - (scheduler.now() - lastArrival)));
        timer = scheduler.schedule(idle, delay);
      };

      const consume = (input: Batch): void => {
        lastArrival = scheduler.now();
        const closed: Closed = { summaries: [], acks: new Set() };
        const refused = new Map<Refusal, number>();
        for (const event of input.events) {
          let refusal: Refusal | undefined;
          try {
            refusal = table.offer(event, closed, holding ? input.ack : undefined);
          } catch (error) {
            hooks.onError?.(error, event);
            continue;
          }
          if (refusal !== undefined) refused.set(refusal, (refused.get(refusal) ?? 0) + 1);
        }
        // The input's own reference: its events are counted (and, when holding, each window took its own).
        input.ack.resolve();
        emit(closed);
        armIdleTimer();
        // Reported last: a hook that throws errors the stage, but leaves nothing unsettled.
        for (const [reason, count] of refused) hooks.onRefused?.(reason, count);
      };

      const flushAll = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        const closed: Closed = { summaries: [], acks: new Set() };
        table.closeAll(closed);
        emit(closed);
      };

      const subscription = operate(source, subscriber, {
        next: consume,
        error(error) {
          flushAll();
          subscriber.error(error);
        },
        complete() {
          flushAll();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        const reason = new AggregateAbandonedError('aggregate torn down before its windows closed');
        for (const ack of table.release()) ack.reject(reason);
        subscription.unsubscribe();
      };
    });
}
