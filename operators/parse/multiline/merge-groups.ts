import { asyncScheduler, Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { operate } from '../../operate';
import { groupAck, rejectSegments } from './group-ack';
import { DEFAULT_MAX_OPEN_GROUPS, GroupAbandonedError, type Done, type Group, type MergeGroupsOptions } from './merge-groups-types';

export { DEFAULT_MAX_OPEN_GROUPS, GroupAbandonedError, type HeldGroup, type MergeGroupsOptions } from './merge-groups-types';

/**
 * Merges runs of events of one stream into single events (multi-line stack traces, CRI
 * partial lines): the engine of the `multiline`, `cri` and `docker` stages. Each stream
 * (`keyOf`) holds at most one open group; an event that `startsGroup` closes the held one,
 * an event that `endsGroup` closes its own. Closed groups of one input batch leave together
 * as one output batch, each `join`ed into one event whose ack covers every line it took
 * ({@link groupAck}): delivered, all its lines resolve; failed, all of them fail by their
 * own indices. A held group leaves `flushAfterMs` after its last line joined (time from the
 * scheduler), at once when the producer of a line it holds urges its ack (out of credit),
 * and on completion or before an upstream error. On unsubscribe held lines are rejected,
 * never forgotten. A throw in a callback errors the output (the unplaced rest of that batch
 * is rejected).
 *
 * ```
 * source:  -a-b-c-----|     (a, c start groups; b continues a; flushAfter 3 frames)
 * result:  -----A---C-|     (A = a+b, emitted when c starts; C flushed by its timer)
 * ```
 *
 * @see groupLines
 * @see batch
 */
export function mergeGroups(options: MergeGroupsOptions): OperatorFunction<Batch, Batch> {
  const { keyOf, startsGroup, sizeOf, join } = options;
  const endsGroup = options.endsGroup;
  const flushAfterMs = options.flushAfterMs;
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxOpenGroups = options.maxOpenGroups ?? DEFAULT_MAX_OPEN_GROUPS;
  if (!(maxOpenGroups >= 1)) throw new RangeError('mergeGroups: maxOpenGroups must be at least 1');
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const open = new Map<string, Group>();
      let done: Done[] = [];
      let placing = false;
      let urgedWhilePlacing = false;

      const close = (group: Group): void => {
        group.timer?.unsubscribe();
        group.timer = undefined;
        open.delete(group.key);
        let event: LogEvent;
        try {
          event = group.events.length === 1 ? group.events[0] : join(group.events);
        } catch (error) {
          // The group left `open` and never reaches `done`: its lines fail here, with the bug.
          rejectSegments(group.segments, error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
        done.push({ event, segments: group.segments, batchBytes: group.batchBytes, shared: group.shared, meta: group.meta });
      };

      const emit = (): void => {
        if (done.length === 0) return;
        const closed = done;
        done = [];
        subscriber.next(outputBatch(closed));
      };

      const closeAll = (): void => {
        for (const group of [...open.values()]) close(group);
        emit();
      };

      const expire = (group: Group): void => {
        group.timer = undefined;
        if (open.get(group.key) !== group) return;
        const quiet = scheduler.now() - group.lastAt;
        if (quiet >= (flushAfterMs ?? 0)) {
          close(group);
          emit();
        } else {
          // A line joined since the timer was set: wait out the rest of its quiet time.
          group.timer = scheduler.schedule(() => expire(group), (flushAfterMs ?? 0) - quiet);
        }
      };

      const urged = (): void => {
        if (placing) urgedWhilePlacing = true;
        else if (open.size > 0) closeAll();
      };

      const place = (input: Batch): void => {
        const total = input.events.length;
        input.ack.onUrge(urged);
        const perEvent = input.bytes / total;
        const now = scheduler.now();
        let at = 0;
        try {
          for (; at < total; at++) {
            const event = input.events[at];
            const key = keyOf(event, input.meta);
            const size = sizeOf(event);
            let group = open.get(key);
            if (group !== undefined && startsGroup(event, group)) {
              close(group);
              group = undefined;
            }
            if (group === undefined && endsGroup !== undefined && endsGroup(event)) {
              // A group of one (a CRI `F` line, most of them): straight to the output, no state.
              input.ack.retain();
              done.push({ event, segments: [{ ack: input.ack, at, count: 1 }], batchBytes: perEvent, shared: input.shared === true, meta: input.meta });
              continue;
            }
            if (group === undefined) {
              if (open.size >= maxOpenGroups) close(open.values().next().value as Group);
              group = { key, events: [], segments: [], count: 0, bytes: size, batchBytes: 0, shared: false, meta: input.meta, lastAt: now, timer: undefined };
              open.set(key, group);
            } else {
              group.bytes += 1 + size;
              group.lastAt = now;
              if (group.meta !== input.meta) group.meta = null;
            }
            group.events.push(event);
            group.count++;
            group.batchBytes += perEvent;
            if (input.shared === true) group.shared = true;
            const last = group.segments.at(-1);
            if (last !== undefined && last.ack === input.ack && last.at + last.count === at) last.count++;
            else {
              input.ack.retain();
              group.segments.push({ ack: input.ack, at, count: 1 });
            }
            if (endsGroup !== undefined && endsGroup(event)) close(group);
          }
        } catch (error) {
          // The lines not yet placed are this batch's own reference: they fail with the bug.
          rejectSegments([{ ack: input.ack, at, count: total - at }], error instanceof Error ? error : new Error(String(error)));
          throw error;
        }
        input.ack.resolve();
        // Timers only for what is still held once the batch is placed: a group opened and
        // closed within one batch never costs a scheduler round trip.
        if (flushAfterMs !== undefined) {
          for (const group of open.values()) {
            if (group.timer === undefined) group.timer = scheduler.schedule(() => expire(group), flushAfterMs);
          }
        }
      };

      const subscription = operate(source, subscriber, {
        next(input) {
          if (input.events.length === 0) return input.ack.resolve();
          placing = true;
          try {
            place(input);
          } finally {
            placing = false;
          }
          if (urgedWhilePlacing) {
            urgedWhilePlacing = false;
            closeAll();
          } else emit();
        },
        error(error) {
          closeAll();
          subscriber.error(error);
        },
        complete() {
          closeAll();
          subscriber.complete();
        },
      });

      return () => {
        const reason = new GroupAbandonedError('multi-line group torn down before it was emitted');
        const emitted = done;
        const held = [...open.values()];
        done = [];
        open.clear();
        for (const entry of emitted) rejectSegments(entry.segments, reason);
        for (const group of held) {
          group.timer?.unsubscribe();
          rejectSegments(group.segments, reason);
        }
        subscription.unsubscribe();
      };
    });
}

/** One output batch of closed groups: their events under one ack covering every line each took. */
function outputBatch(closed: readonly Done[]): Batch {
  const events = new Array<LogEvent>(closed.length);
  const groups = new Array<Done['segments']>(closed.length);
  let bytes = 0;
  let shared = false;
  let meta = closed[0].meta;
  for (let k = 0; k < closed.length; k++) {
    const entry = closed[k];
    events[k] = entry.event;
    groups[k] = entry.segments;
    bytes += entry.batchBytes;
    if (entry.shared) shared = true;
    if (entry.meta !== meta) meta = null;
  }
  const out: Batch = { events, ack: groupAck(groups), bytes: Math.round(bytes), shared };
  return meta ? { ...out, meta } : out;
}
