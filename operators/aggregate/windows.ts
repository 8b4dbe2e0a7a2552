import type { Ack } from '../../src/core/ack';
import type { JsonValue, LogEvent } from '../../src/core/event';
import { compilePath, getField, type FieldPath } from '../../src/core/field-path';
import { isoFromMillis } from '../../src/core/iso-time';
import { Grouping, type Group, type GroupSpec } from './groups';

/** What an aggregate computes, over which windows. Durations in milliseconds of event time. */
export interface AggregateSpec extends GroupSpec {
  /** Window length. */
  readonly windowMs: number;
  /** How far apart windows start; equal to `windowMs` (default) for tumbling windows, smaller for sliding ones. */
  readonly slideMs?: number;
  /** How long after a window's end (in event time) its late events are still counted in. */
  readonly allowedLatenessMs?: number;
  /** The event-time field: an ISO-8601 string or epoch milliseconds (default `timestamp`). */
  readonly timestampField?: string;
  /** Most (window, key) groups open at once; an event that would open one more is dropped and counted. */
  readonly maxGroups?: number;
}

/** Why an event did not count in any window. */
export type Refusal = 'late' | 'no_timestamp' | 'groups_full';

/** What closing windows produced: their summaries in window order, and the acks they held. */
export interface Closed {
  readonly summaries: LogEvent[];
  readonly acks: Set<Ack>;
}

interface Window {
  readonly start: number;
  readonly groups: Map<string, Group>;
  /** Acks of the batches with events in this window, when summaries hold their inputs' acks. */
  readonly acks: Set<Ack>;
}

/** Event time in epoch ms: epoch milliseconds as a number, or an ISO-8601 / RFC 3339 string. */
export function eventTime(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * The open windows of an aggregate and the event-time clock that closes them. Windows start
 * at multiples of the slide (aligned to the epoch, so hourly windows start on the hour); an
 * event belongs to every window that contains it. The watermark is the latest event time
 * seen minus the allowed lateness, never moving back; a window closes as soon as the
 * watermark reaches its end, checked after every event, so how events are split into batches
 * never changes a summary. An event that falls only into closed windows is late.
 */
export class WindowTable {
  private readonly windowMs: number;
  private readonly slideMs: number;
  private readonly latenessMs: number;
  private readonly timePath: FieldPath;
  private readonly grouping: Grouping;
  private readonly maxGroups: number;
  private readonly windows = new Map<number, Window>();
  private openGroups = 0;
  private latest = Number.NEGATIVE_INFINITY;
  private watermark = Number.NEGATIVE_INFINITY;
  /** The end of the earliest open window: nothing closes before the watermark reaches it. */
  private nextEnd = Number.POSITIVE_INFINITY;

  constructor(spec: AggregateSpec) {
    this.windowMs = spec.windowMs;
    this.slideMs = spec.slideMs ?? spec.windowMs;
    this.latenessMs = spec.allowedLatenessMs ?? 0;
    if (!(this.windowMs > 0) || !(this.slideMs > 0) || this.slideMs > this.windowMs) {
      throw new RangeError('aggregate: the window must be positive and the slide between 0 and the window');
    }
    if (this.windowMs / this.slideMs > 1000) throw new RangeError('aggregate: a window may overlap at most 1000 others (window / slide ≤ 1000)');
    this.timePath = compilePath(spec.timestampField ?? 'timestamp');
    this.grouping = new Grouping(spec);
    this.maxGroups = spec.maxGroups ?? 100_000;
  }

  /** True while some window is open. */
  get open(): boolean {
    return this.windows.size > 0;
  }

  /** How much event time must still pass before the earliest open window closes. */
  get untilNextClose(): number {
    return this.nextEnd + this.latenessMs - this.latest;
  }

  /**
   * Counts `event` in its windows (closing those its time pushes past the watermark into
   * `closed` first). `ack`, when given, is held by every window the event joins.
   */
  offer(event: LogEvent, closed: Closed, ack?: Ack): Refusal | undefined {
    const time = eventTime(getField(event, this.timePath));
    if (time === undefined) return 'no_timestamp';
    if (time > this.latest) {
      this.latest = time;
      this.advance(time - this.latenessMs, closed);
    }
    let key: string | undefined;
    let values: readonly (JsonValue | undefined)[] | undefined;
    let joined = false;
    let full = false;
    for (let start = Math.floor(time / this.slideMs) * this.slideMs; start + this.windowMs > time; start -= this.slideMs) {
      if (start + this.windowMs <= this.watermark) break;
      const window = this.windowAt(start);
      if (values === undefined) {
        values = this.grouping.keyOf(event);
        key = this.grouping.keyText(values);
      }
      let group = window.groups.get(key as string);
      if (group === undefined) {
        if (this.openGroups >= this.maxGroups) {
          full = true;
          continue;
        }
        group = this.grouping.newGroup(values);
        window.groups.set(key as string, group);
        this.openGroups += 1;
      }
      this.grouping.count(group, event);
      if (ack !== undefined && !window.acks.has(ack)) {
        ack.retain();
        window.acks.add(ack);
      }
      joined = true;
    }
    if (joined) return undefined;
    this.dropEmptyWindows();
    return full ? 'groups_full' : 'late';
  }

  /** Closes every window the clock has passed while no event arrived for `idleMs`. */
  advanceIdle(idleMs: number, closed: Closed): void {
    this.advance(this.latest + idleMs - this.latenessMs, closed);
  }

  /** Closes every open window, partial or not (the input has ended). */
  closeAll(closed: Closed): void {
    this.advance(Number.POSITIVE_INFINITY, closed);
  }

  /** The acks every open window holds, letting go of the windows (torn down unflushed). */
  release(): Set<Ack> {
    const acks = new Set<Ack>();
    for (const window of this.windows.values()) for (const ack of window.acks) acks.add(ack);
    this.windows.clear();
    this.openGroups = 0;
    this.nextEnd = Number.POSITIVE_INFINITY;
    return acks;
  }

  private advance(watermark: number, closed: Closed): void {
    if (watermark > this.watermark) this.watermark = watermark;
    if (this.watermark < this.nextEnd) return;
    const due = [...this.windows.values()].filter((w) => w.start + this.windowMs <= this.watermark).sort((a, b) => a.start - b.start);
    for (const window of due) {
      this.windows.delete(window.start);
      this.openGroups -= window.groups.size;
      // Formatted once per window: every group of it shares the same bounds.
      const bounds = { start: isoFromMillis(window.start), end: isoFromMillis(window.start + this.windowMs) };
      for (const group of window.groups.values()) closed.summaries.push(this.grouping.summary(bounds, group));
      for (const ack of window.acks) {
        // Windows closing together may hold one ack each: the summary batch keeps one
        // reference (its part in Ack.all), the extra ones settle here.
        if (closed.acks.has(ack)) ack.resolve();
        else closed.acks.add(ack);
      }
    }
    this.nextEnd = Number.POSITIVE_INFINITY;
    for (const start of this.windows.keys()) this.nextEnd = Math.min(this.nextEnd, start + this.windowMs);
  }

  private windowAt(start: number): Window {
    let window = this.windows.get(start);
    if (window === undefined) {
      window = { start, groups: new Map(), acks: new Set() };
      this.windows.set(start, window);
      this.nextEnd = Math.min(this.nextEnd, start + this.windowMs);
    }
    return window;
  }

  /** A window opened for an event that then joined no group of it (all groups full) holds nothing. */
  private dropEmptyWindows(): void {
    for (const [start, window] of this.windows) if (window.groups.size === 0) this.windows.delete(start);
  }
}
