import { addTag } from '../../core/field-path';
import type { LogEvent } from '../../core/event';
import type { Framer } from '../framing/framer';
import { LineFramer } from '../framing/newline';

/** What becomes of a line longer than `max_line_bytes`. */
export type LongLinePolicy = 'truncate' | 'drop';

/** Options of {@link LongLineFramer}. */
export interface LongLineOptions {
  readonly maxLineBytes: number;
  readonly policy: LongLinePolicy;
  /** Tag added to `tags` of a truncated line. */
  readonly tag: string;
  /** Counts each long line, by policy (`line_truncated`, `line_too_long`). */
  readonly onLongLine: (policy: LongLinePolicy) => void;
}

/**
 * The newline framer of one file with the `max_line_bytes` policy applied: a longer line is
 * truncated to the bound (on a UTF-8 boundary) and tagged, or dropped; either way counted.
 * {@link LineFramer} already bounds memory and truncates; it reports each truncation just
 * before it pushes the truncated line, so this wrapper notes where that line lands in `out`
 * and tags or removes it after the push. Offsets stay the inner framer's: a dropped line's
 * bytes count as consumed, so the checkpoint moves past it.
 */
export class LongLineFramer implements Framer {
  private readonly inner: LineFramer;
  private out: LogEvent[] = [];
  private readonly long: number[] = [];

  constructor(private readonly options: LongLineOptions) {
    this.inner = new LineFramer(options.maxLineBytes, true, () => this.long.push(this.out.length));
  }

  get consumed(): number {
    return this.inner.consumed;
  }

  push(chunk: Buffer, timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.out = out;
    this.inner.push(chunk, timestamp, out, starts);
    if (this.long.length > 0) this.settle(out, starts);
  }

  end(timestamp: string, out: LogEvent[], starts?: number[]): void {
    this.out = out;
    this.inner.end(timestamp, out, starts);
    if (this.long.length > 0) this.settle(out, starts);
  }

  private settle(out: LogEvent[], starts: number[] | undefined): void {
    const { policy, tag, onLongLine } = this.options;
    // From the last index down, so removing one does not shift the others.
    for (let i = this.long.length - 1; i >= 0; i--) {
      const index = this.long[i];
      onLongLine(policy);
      if (index >= out.length) continue;
      if (policy === 'drop') {
        out.splice(index, 1);
        starts?.splice(index, 1);
      } else {
        addTag(out[index], tag);
      }
    }
    this.long.length = 0;
  }
}
