import type { LogEvent } from '../../core/event';
import type { Framer, FramerFactory } from './framer';
import { LineGroupRule, type MultilineRule } from '../../../operators/parse/multiline/line-group-rule';

export type { MultilineRule } from '../../../operators/parse/multiline/line-group-rule';

/** Options of {@link multiline}. */
export interface MultilineOptions {
  readonly rule: MultilineRule;
  /** An event holds at most this many lines; the next line starts a new one. */
  readonly maxLines: number;
  /** An event holds at most this many message bytes (UTF-16 units, joins included); a line that would exceed it starts a new one. */
  readonly maxBytes: number;
}

/**
 * Groups the events of an inner framer (lines, usually) into multi-line events: a Java stack
 * trace, a Python traceback. The held event's lines are joined with `\n`; it keeps the first
 * line's timestamp. A group is emitted when a line starts the next one, when it reaches
 * `maxLines` or `maxBytes`, on {@link MultilineFramer.flush} (the hook for a time-based flush
 * driven by the scheduler), and at the end of input.
 *
 * Checkpoints stay exact: while a group is held, `consumed` is the input offset where its
 * first line began (the inner framer reports line offsets through `starts`), so a restart
 * re-reads the whole group, and an acknowledged offset always covers every line of an event.
 *
 * @see LineFramer
 */
export class MultilineFramer implements Framer {
  /** Lines of the held event (the first one keeps its other fields), or empty. */
  private lines: string[] = [];
  private head: LogEvent | undefined;
  private heldBytes = 0;
  private heldStart = 0;
  /** Where a group starts and when it is full: the rule the `multiline` stage shares. */
  private readonly rule: LineGroupRule;
  private readonly framed: LogEvent[] = [];
  private readonly framedStarts: number[] = [];

  constructor(
    private readonly inner: Framer,
    options: MultilineOptions,
  ) {
    this.rule = new LineGroupRule(options.rule, options);
  }

  get consumed(): number {
    return this.head === undefined ? this.inner.consumed : this.heldStart;
  }

  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.inner.push(chunk, timestamp, this.framed, this.framedStarts);
    this.group(out, starts);
  }

  end(timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.inner.end(timestamp, this.framed, this.framedStarts);
    this.group(out, starts);
    this.flush(out, starts);
  }

  /** Emits the held event now, if any (a flush timeout calls this). */
  flush(out: LogEvent[], starts?: number[]): void {
    const head = this.head;
    if (head === undefined) return;
    out.push(this.lines.length === 1 ? head : { ...head, message: this.lines.join('\n') });
    if (starts !== undefined) starts.push(this.heldStart);
    this.head = undefined;
    this.lines = [];
    this.heldBytes = 0;
  }

  /** Whether an event is held (a time-based flush has something to do). */
  get holding(): boolean {
    return this.head !== undefined;
  }

  private group(out: LogEvent[], starts: number[] | undefined): void {
    const framed = this.framed;
    const framedStarts = this.framedStarts;
    for (let i = 0; i < framed.length; i++) {
      const event = framed[i];
      const message = typeof event.message === 'string' ? event.message : '';
      if (this.head !== undefined && (this.rule.startsEvent(message) || this.rule.isFull(this.lines.length, this.heldBytes, message.length))) this.flush(out, starts);
      if (this.head === undefined) {
        this.head = event;
        this.heldStart = framedStarts[i];
        this.heldBytes = message.length;
      } else {
        this.heldBytes += 1 + message.length;
      }
      this.lines.push(message);
    }
    framed.length = 0;
    framedStarts.length = 0;
  }
}

/**
 * Multi-line grouping on top of another framing (newline, usually).
 *
 * @example
 * const framing = multiline(newlineFraming({ maxLineBytes: 65536 }), { rule: { continuationPattern: /^\s/ }, maxLines: 500, maxBytes: 1 << 20 });
 */
export function multiline(inner: FramerFactory, options: MultilineOptions): FramerFactory {
  return (count) => new MultilineFramer(inner(count), options);
}
