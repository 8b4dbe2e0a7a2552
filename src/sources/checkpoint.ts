import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../core/durable-fs';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { AckListener } from '../core/ack';
import type { Logger } from '../observability/logger';

/** The checkpoint's file name inside a component's data directory. */
export const CHECKPOINT_FILE = 'checkpoint.json';
const VERSION = 1;

/** A checkpoint file that exists but does not hold a position. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * The committed high-water mark of ranges `[start, end)` resolved in any order: the end of
 * the longest contiguous prefix of resolved ranges. Ranges must not overlap. A range never
 * resolved (its ack was rejected) holds the mark at its start. Resolved ranges beyond a gap
 * merge with their neighbours, so memory grows with the number of gaps, not of ranges.
 */
export class ContiguousRanges {
  private readonly byStart = new Map<number, number>();
  private readonly byEnd = new Map<number, number>();

  constructor(private position = 0) {}

  /** Everything before this position is resolved. */
  get committed(): number {
    return this.position;
  }

  /** Separate resolved ranges waiting behind a gap. */
  get waiting(): number {
    return this.byStart.size;
  }

  /** Marks `[start, end)` resolved; says whether the committed position advanced. */
  resolve(start: number, end: number): boolean {
    if (end <= this.position) return false;
    let from = Math.max(start, this.position);
    let to = end;
    const before = this.byEnd.get(from);
    if (before !== undefined) {
      this.forget(before, from);
      from = before;
    }
    const after = this.byStart.get(to);
    if (after !== undefined) {
      this.forget(to, after);
      to = after;
    }
    if (from === this.position) {
      this.position = to;
      return true;
    }
    this.byStart.set(from, to);
    this.byEnd.set(to, from);
    return false;
  }

  private forget(start: number, end: number): void {
    this.byStart.delete(start);
    this.byEnd.delete(end);
  }
}

/** Options of {@link Checkpoint}. */
export interface CheckpointOptions {
  /** The component's data directory; the file is `<dir>/checkpoint.json`. */
  readonly dir: string;
  /** Saves happen at most this often while ranges resolve (plus once when finished). */
  readonly intervalMs: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

/** The position in a checkpoint file's text, or undefined when it holds none. */
function parsePosition(text: string): number | undefined {
  try {
    const { version, position } = JSON.parse(text) as { version?: unknown; position?: unknown };
    return version === VERSION && typeof position === 'number' && Number.isSafeInteger(position) && position >= 0 ? position : undefined;
  } catch {
    return undefined; // not JSON, or `null`
  }
}

/**
 * A source's durable position. Ranges it emits are tracked as their acks settle, in any
 * order; the committed position ({@link ContiguousRanges}) is saved atomically to
 * `<dir>/checkpoint.json` as `{"version":1,"position":N}`, at most every `intervalMs` (time
 * from the scheduler) and once more when the source has finished and every range settled.
 * A rejected range is never committed past: after a restart the source resumes there and
 * reads it again (at least once). Positions are numbers: a sequence, a file or Kafka offset.
 */
export class Checkpoint {
  readonly file: string;
  private ranges = new ContiguousRanges();
  private saved: number | undefined;
  private outstanding = 0;
  private finished = false;
  private rejections = 0;
  private timer: Subscription | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: CheckpointOptions) {
    this.file = join(options.dir, CHECKPOINT_FILE);
  }

  /** Everything before this position was acknowledged. */
  get committed(): number {
    return this.ranges.committed;
  }

  /** Reads the saved position and resumes from it (undefined when none was saved yet). */
  async load(): Promise<number | undefined> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const position = parsePosition(text);
    if (position === undefined) throw new CheckpointError(`${this.file} is not a version ${VERSION} checkpoint: ${JSON.stringify(text.slice(0, 80))}`);
    this.ranges = new ContiguousRanges(position);
    this.saved = position;
    return position;
  }

  /** Tracks `[start, end)` as emitted; returns the listener to hand its ack. */
  track(start: number, end: number): AckListener {
    this.outstanding++;
    return (outcome) => {
      this.outstanding--;
      if (outcome.ok) {
        if (this.ranges.resolve(start, end) && !this.timer) this.timer = this.options.scheduler.schedule(() => void this.save(), this.options.intervalMs);
      } else if (++this.rejections <= 3 || this.rejections % 1000 === 0) {
        this.options.logger.warn({ err: outcome.reason, start, end, committed: this.committed, rejections: this.rejections }, 'checkpoint: a range was rejected; it is read again after a restart');
      }
      if (this.finished && this.outstanding === 0) void this.save();
    };
  }

  /** The source emits nothing more: save once every tracked range has settled. */
  finish(): void {
    this.finished = true;
    if (this.outstanding === 0) void this.save();
  }

  /** Saves the committed position now (a no-op when already saved); never rejects, logs failures. */
  save(): Promise<void> {
    this.timer?.unsubscribe();
    this.timer = undefined;
    const write = async (): Promise<void> => {
      const position = this.committed;
      if (position === this.saved) return;
      await writeFileAtomically(this.file, `${JSON.stringify({ version: VERSION, position })}\n`);
      this.saved = position;
    };
    this.chain = this.chain.then(write).catch((error: unknown) => this.options.logger.error({ err: error, file: this.file }, 'checkpoint: saving failed; retried at the next save'));
    return this.chain;
  }
}
