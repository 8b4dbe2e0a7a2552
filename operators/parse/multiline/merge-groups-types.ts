import type { SchedulerLike, Subscription } from 'rxjs';
import type { BatchMeta } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import type { Segment } from './group-ack';

/** What a stream holds so far: the events of one unfinished group. */
export interface HeldGroup {
  /** Events in the group. */
  readonly count: number;
  /** Their {@link MergeGroupsOptions.sizeOf} sizes, plus one per join. */
  readonly bytes: number;
}

/** Options of {@link mergeGroups}: how a stream's events form groups, and how a group becomes one event. */
export interface MergeGroupsOptions {
  /** The stream an event belongs to (file, container, stdout/stderr): groups never mix streams. */
  readonly keyOf: (event: LogEvent, meta: BatchMeta | undefined) => string;
  /** Whether `event` starts a new group rather than joining the one its stream holds (a start line, a full group). */
  readonly startsGroup: (event: LogEvent, held: HeldGroup) => boolean;
  /** Whether the group is complete once `event` joined it (CRI's `F` tag); default: never, only the next start ends it. */
  readonly endsGroup?: (event: LogEvent) => boolean;
  /** Size of an event's part of the merged message. */
  readonly sizeOf: (event: LogEvent) => number;
  /** The one event standing for a complete group of two events or more (a group of one leaves as it is). */
  readonly join: (events: readonly LogEvent[]) => LogEvent;
  /** A group no event has joined for this long (ms) is emitted; default: only a start line, a limit or completion emits it. */
  readonly flushAfterMs?: number;
  /**
   * Most streams holding an open group at once; default 10,000. Opening one more emits the
   * oldest open group early (nothing is dropped), so hostile `group_by` values cannot grow
   * the stage's state and timers without bound.
   */
  readonly maxOpenGroups?: number;
  readonly scheduler?: SchedulerLike;
}

/** Default of {@link MergeGroupsOptions.maxOpenGroups}. */
export const DEFAULT_MAX_OPEN_GROUPS = 10_000;

/** Thrown into the acks of lines a group held when the stage was torn down before emitting it. */
export class GroupAbandonedError extends Error {
  override name = 'GroupAbandonedError';
}

/** The state of one stream's open group. */
export interface Group {
  readonly key: string;
  readonly events: LogEvent[];
  readonly segments: Segment[];
  count: number;
  bytes: number;
  /** Share of the input batches' `bytes` that this group's events carry. */
  batchBytes: number;
  shared: boolean;
  /** The inputs' common meta; `null` once events of batches with different metas joined. */
  meta: BatchMeta | undefined | null;
  lastAt: number;
  timer: Subscription | undefined;
}

/** One output event and what it stands for: its input segments, bytes, origin. */
export interface Done {
  readonly event: LogEvent;
  readonly segments: Segment[];
  readonly batchBytes: number;
  readonly shared: boolean;
  readonly meta: BatchMeta | undefined | null;
}
