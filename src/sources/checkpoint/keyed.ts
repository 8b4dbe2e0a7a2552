import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { AckListener } from '../../core/ack';
import { writeFileAtomically } from '../../core/durable-fs';
import type { Logger } from '../../observability/logger';
import type { Committer } from './committer';
import { ContiguousRanges } from './contiguous-ranges';
import { CHECKPOINT_FILE, formatCheckpoint, parseCheckpoint } from './format';

/** Options of {@link KeyedCheckpoint}. */
export interface CheckpointOptions {
  /** The component's data directory; the file is `<dir>/checkpoint.json`. */
  readonly dir: string;
  /** Saves happen at most this often while ranges resolve (plus once when finished). */
  readonly intervalMs: number;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
}

/**
 * A source's durable positions, by key: the {@link Committer} that file and Kafka sources use.
 * Each key's ranges resolve in any order into its {@link ContiguousRanges}; all committed
 * positions are saved together, atomically (temporary file, fsync, rename, fsync of the
 * directory), as one JSON file `{"version":2,"positions":{...}}`, at most every `intervalMs`
 * (time from the scheduler) and once more when the source has finished and every range has
 * settled. A crash leaves either the previous file or the new one, never a mix.
 */
export class KeyedCheckpoint implements Committer {
  readonly file: string;
  private readonly ranges = new Map<string, ContiguousRanges>();
  private dirty = false;
  private outstanding = 0;
  private finished = false;
  private rejections = 0;
  private timer: Subscription | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: CheckpointOptions) {
    this.file = join(options.dir, CHECKPOINT_FILE);
  }

  /**
   * Reads the saved positions and resumes every key from its own (an empty map when nothing
   * was saved yet). Throws {@link CheckpointError} naming the file when it cannot be read as
   * a checkpoint: a source must not silently start over, or skip, on a damaged file.
   */
  async load(): Promise<ReadonlyMap<string, number>> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text === undefined) return new Map();
    const positions = parseCheckpoint(text, this.file);
    for (const [key, position] of positions) this.ranges.set(key, new ContiguousRanges(position));
    return positions;
  }

  /**
   * Sets where `key` starts when it is not known yet (a file first read from its end, a
   * partition's first offset); a known key is left alone. Without it, a new key starts at
   * its first tracked range.
   */
  begin(key: string, position: number): void {
    if (!this.ranges.has(key)) this.ranges.set(key, new ContiguousRanges(position));
  }

  committed(key: string): number | undefined {
    return this.ranges.get(key)?.committed;
  }

  keys(): string[] {
    return [...this.ranges.keys()];
  }

  track(key: string, start: number, end: number): AckListener {
    let ranges = this.ranges.get(key);
    if (ranges === undefined) {
      ranges = new ContiguousRanges(start);
      this.ranges.set(key, ranges);
      this.dirty = true; // where a new key starts is worth keeping too
    }
    const tracked = ranges;
    this.outstanding++;
    return (outcome) => {
      this.outstanding--;
      if (outcome.ok) {
        // A key forgotten (or restarted) since: its late settles say nothing about the new one.
        if (this.ranges.get(key) === tracked && tracked.resolve(start, end)) this.changed();
      } else if (++this.rejections <= 3 || this.rejections % 1000 === 0) {
        this.options.logger.warn({ err: outcome.reason, key, start, end, committed: tracked.committed, rejections: this.rejections }, 'checkpoint: a range was rejected; it is read again after a restart');
      }
      if (this.finished && this.outstanding === 0) void this.flush();
    };
  }

  forget(key: string): void {
    if (this.ranges.delete(key)) this.changed();
  }

  /** The source emits nothing more: save once every tracked range has settled. */
  finish(): void {
    this.finished = true;
    if (this.outstanding === 0) void this.flush();
  }

  flush(): Promise<void> {
    this.timer?.unsubscribe();
    this.timer = undefined;
    const write = async (): Promise<void> => {
      if (!this.dirty) return;
      this.dirty = false;
      const text = formatCheckpoint([...this.ranges].map(([key, ranges]) => [key, ranges.committed] as const));
      try {
        await writeFileAtomically(this.file, text);
      } catch (error) {
        this.dirty = true;
        throw error;
      }
    };
    this.chain = this.chain.then(write).catch((error: unknown) => this.options.logger.error({ err: error, file: this.file }, 'checkpoint: saving failed; retried at the next save'));
    return this.chain;
  }

  /** A committed position moved: save within the interval. */
  private changed(): void {
    this.dirty = true;
    if (!this.timer) this.timer = this.options.scheduler.schedule(() => void this.flush(), this.options.intervalMs);
  }
}
