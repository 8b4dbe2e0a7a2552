import type { OperatorFunction, SchedulerLike } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import type { LogEvent } from '../../../src/core/event';
import { compilePath, getField, setField } from '../../../src/core/field-path';
import { LineGroupRule, type MultilineRule } from './line-group-rule';
import { mergeGroups } from './merge-groups';
import { streamKey, type StreamKey } from './stream-key';

/** Options of {@link groupLines}. */
export interface GroupLinesOptions {
  /** Which lines start an event, or which continue one (the file input's rule, shared). */
  readonly rule: MultilineRule;
  /** An event holds at most this many lines; the next line starts a new one. */
  readonly maxLines: number;
  /** An event's text holds at most this many characters (joins included); a line that would exceed it starts a new one. */
  readonly maxBytes: number;
  /** Dotted path of the line's text; default `message`. */
  readonly field?: string;
  /** The stream a line belongs to; default: the batch's origin (source, file, connection). See {@link streamKey}. */
  readonly groupBy?: StreamKey;
  /** A held event with no new line for this long (ms) is emitted; default 1000. */
  readonly flushAfterMs?: number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups lines into multi-line events (a Java stack trace, a Python traceback) per stream,
 * by the same {@link LineGroupRule} as the file input's multi-line framing: a line that
 * starts an event emits the one held for its stream; the held event's lines are joined with
 * `\n` into `field`, and it keeps the other fields of its first line. An event whose
 * `field` is not a string is never merged (it closes the held group and passes alone).
 * The merged event's ack covers every line it took; time comes from the scheduler.
 *
 * ```
 * source:  -a-b-c-----|     (a, c match the start pattern; b does not; flushAfter 3 frames)
 * result:  -----A---C-|     (A: "a\nb", emitted when c starts; C flushed by its timer)
 * ```
 *
 * @example
 * import { groupLines } from 'sluice';
 * const traces = groupLines({ rule: { continuationPattern: /^\s/ }, maxLines: 500, maxBytes: 1 << 20, flushAfterMs: 1000 });
 *
 * @see mergeGroups
 */
export function groupLines(options: GroupLinesOptions): OperatorFunction<Batch, Batch> {
  const rule = new LineGroupRule(options.rule, options);
  const path = compilePath(options.field ?? 'message');
  const topLevel = path.length === 1 ? path[0] : undefined;
  const lineOf = (event: LogEvent): string | undefined => {
    const value = topLevel !== undefined ? event[topLevel] : getField(event, path);
    return typeof value === 'string' ? value : undefined;
  };
  return mergeGroups({
    keyOf: options.groupBy ?? streamKey(),
    startsGroup: (event, held) => {
      const line = lineOf(event);
      return line === undefined || rule.startsEvent(line) || rule.isFull(held.count, held.bytes, line.length);
    },
    endsGroup: (event) => lineOf(event) === undefined,
    sizeOf: (event) => lineOf(event)?.length ?? 0,
    join: (events) => {
      const lines = events.map((event) => lineOf(event) ?? '');
      const merged: LogEvent = { ...events[0] };
      setField(merged, path, lines.join('\n'));
      return merged;
    },
    flushAfterMs: options.flushAfterMs ?? 1000,
    scheduler: options.scheduler,
  });
}
