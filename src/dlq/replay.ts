import { Observable, type Subscription } from 'rxjs';
import type { AckOutcome } from '../core/ack';
import type { Batch } from '../core/batch';
import { setEventMeta, type LogEvent } from '../core/event';
import type { SourceContext } from '../components/context';
import type { DlqPosition, StoredEntry } from './entry';
import type { DlqReadResult } from './reader';

/** What a replay needs of a queue (a {@link DeadLetterStore} has it). */
export interface ReplayableQueue {
  cursor(): Promise<DlqPosition>;
  newestSegment(): Promise<number>;
  readFrom(from: DlqPosition, limit: number, untilSegment?: number): Promise<DlqReadResult>;
  commit(position: DlqPosition): Promise<void>;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  readonly batchSize: number;
  /** Keep polling for new entries once drained; false: complete when drained and acknowledged. */
  readonly follow: boolean;
  readonly pollIntervalMs: number;
  /** Told as each replayed batch settles (the CLI's progress). */
  readonly onSettled?: (events: number, outcome: AckOutcome) => void;
}

/** A batch out, until its ack settles: `next` is where the queue is consumed to once it (and all before it) resolved. */
interface Slot {
  readonly next: DlqPosition;
  state: 'pending' | 'ok' | 'failed';
}

/** The event of an entry, with the failure kept beside it as metadata (never shipped). */
function eventOf({ entry }: StoredEntry): LogEvent {
  setEventMeta(entry.event, { dlq_error: entry.error, dlq_attempts: entry.attempts, dlq_time: entry.time, dlq_component: entry.component });
  return entry.event;
}

/**
 * Replays a dead-letter queue: emits its entries' events in order, `batchSize` at a time,
 * taking credit for each batch, and consumes (commits the cursor past) only the contiguous
 * prefix of batches whose acks resolved. One-shot (`follow: false`) reads the queue as it
 * was at subscription, stops reading at the first failed batch, and completes once every
 * batch settled and the cursor is saved; entries from a failed batch on stay queued.
 * `follow` polls for new entries and, after a failure, re-reads from the consumed cursor
 * once every batch settled. Stops reading and completes on `ctx.stopping`.
 */
export function replayDeadLetters(queue: ReplayableQueue, ctx: SourceContext, options: ReplayOptions): Observable<Batch> {
  const { credit, scheduler, metrics, logger } = ctx;
  return new Observable<Batch>((subscriber) => {
    const slots: Slot[] = [];
    let position: DlqPosition | undefined;
    let consumed: DlqPosition | undefined;
    let until: number | undefined;
    let [done, reading, waiting, drained, failed, stopRequested] = [false, false, false, false, false, false];
    let saving: Promise<void> = Promise.resolve();
    let timer: Subscription | undefined;

    const finish = (): void => {
      if (done) return;
      done = true;
      timer?.unsubscribe();
      if (waiting) credit.cancelWait(wake);
      subscriber.complete();
    };
    const settledAll = (): boolean => slots.every((slot) => slot.state !== 'pending');
    const maybeFinish = (): void => {
      if (!done && !reading && (drained || failed) && !options.follow && settledAll()) void saving.then(finish);
    };

    const commitPrefix = (): void => {
      let target: DlqPosition | undefined;
      while (slots.length > 0 && slots[0].state === 'ok') target = (slots.shift() as Slot).next;
      if (!target) return;
      const to = (consumed = target);
      saving = saving.then(() => queue.commit(to)).catch((error: unknown) => {
        metrics.error('dlq_commit');
        logger.error({ err: error }, 'dead-letter replay: saving the consumed cursor failed; entries may be replayed again');
      });
    };

    const settle = (slot: Slot, events: number) => (outcome: AckOutcome) => {
      slot.state = outcome.ok ? 'ok' : 'failed';
      if (!outcome.ok) failed = true;
      commitPrefix();
      options.onSettled?.(events, outcome);
      if (options.follow && failed && settledAll() && !reading) rewind();
      maybeFinish();
    };

    /** Follow mode after a failure: once everything settled, read again from the consumed cursor. */
    const rewind = (): void => {
      slots.length = 0;
      position = consumed;
      failed = false;
      schedule(options.pollIntervalMs);
    };

    const emit = (result: DlqReadResult): void => {
      const slot: Slot = { next: result.next, state: result.entries.length === 0 ? 'ok' : 'pending' };
      slots.push(slot);
      if (result.entries.length === 0) return commitPrefix(); // only skipped lines: consumed with what precedes
      const events = result.entries.map(eventOf);
      const bytes = result.entries.reduce((sum, stored) => sum + stored.bytes, 0);
      subscriber.next({ events, ack: ctx.track(events.length, bytes, settle(slot, events.length)), bytes });
    };

    const pump = async (): Promise<void> => {
      timer = undefined;
      if (reading || done) return; // the running read decides what comes next
      reading = true;
      try {
        consumed ??= position ??= await queue.cursor();
        if (!options.follow) until ??= await queue.newestSegment();
        while (!done && !failed && !stopRequested && !credit.exhausted) {
          const result = await queue.readFrom(position as DlqPosition, options.batchSize, until);
          if (done) return;
          if (result.malformed + result.torn > 0) metrics.error('dlq_malformed_entry', result.malformed + result.torn);
          drained = result.drained;
          position = result.next;
          if (result.entries.length > 0 || result.malformed + result.torn > 0) emit(result);
          if (drained) break;
        }
      } catch (error) {
        if (!done) subscriber.error(error);
        return;
      } finally {
        reading = false;
      }
      if (done) return;
      if (stopRequested) return finish();
      if (failed) return options.follow ? (settledAll() ? rewind() : undefined) : maybeFinish();
      if (!drained) {
        waiting = true;
        return credit.whenAvailable(wake);
      }
      if (options.follow) schedule(options.pollIntervalMs);
      else maybeFinish();
    };

    function schedule(delayMs: number): void {
      timer?.unsubscribe();
      if (!done) timer = scheduler.schedule(() => void pump(), delayMs);
    }
    // Woken from an ack callback: schedule rather than read inside someone else's stack.
    function wake(): void {
      waiting = false;
      schedule(0);
    }

    const stopping = ctx.stopping.subscribe(() => {
      stopRequested = true;
      if (!reading) finish();
    });
    schedule(0);
    return () => {
      done = true;
      timer?.unsubscribe();
      if (waiting) credit.cancelWait(wake);
      stopping.unsubscribe();
    };
  });
}
