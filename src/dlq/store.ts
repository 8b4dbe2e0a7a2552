import { enforceCaps, type DlqDiscardReason } from './caps';
import { comparePositions, encodeEntry, type DeadLetterEntry, type DlqPosition, type StoredEntry } from './entry';
import { iterateEntries, queueStats, readFrom, type DlqReadResult, type DlqStats } from './reader';
import { listSegments, readCursor, removeCursor, removeFile, writeCursor } from './segments';
import { SegmentWriter } from './writer';

/** Where and how big a dead-letter queue is. */
export interface DeadLetterStoreOptions {
  readonly dir: string;
  /** Most bytes on disk; the oldest segments are dropped beyond it. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Entries older than this (ms) are dropped, a whole segment at a time. Default 7 days. */
  readonly maxAgeMs?: number;
  /** A segment is rolled once it holds this many bytes (at most half of `maxBytes`). Default 16 MiB. */
  readonly maxSegmentBytes?: number;
  /** The clock the age cap is measured with. */
  readonly now?: () => number;
  /** Told how many entries a cap dropped, and why (the component counts them as discarded). */
  readonly onDiscard?: (reason: DlqDiscardReason, count: number) => void;
  /** Told when enforcing the caps after an append failed (the append itself succeeded). */
  readonly onPruneError?: (error: unknown) => void;
}

/** The appendable surface the dead-letter stage needs (unit tests fake it). */
export interface DeadLetterSink {
  append(entries: readonly DeadLetterEntry[]): Promise<void>;
}

export const DLQ_DEFAULTS = { maxBytes: 256 * 1024 * 1024, maxAgeMs: 7 * 24 * 3600 * 1000, maxSegmentBytes: 16 * 1024 * 1024 } as const;

/**
 * A dead-letter queue on disk: a directory of append-only NDJSON segments (one
 * {@link DeadLetterEntry} per line) and a consumed cursor. Appends are fsynced before they
 * resolve; each writer starts a fresh segment, so a line torn by a crash is never glued to.
 * Writes (append, prune, commit, purge) are serialized; reads run alongside. One writer
 * process per directory; a replay (consumer) may run while the writer does.
 */
export class DeadLetterStore implements DeadLetterSink {
  readonly dir: string;
  private readonly caps: { maxBytes: number; maxAgeMs: number };
  private readonly writer: SegmentWriter;
  private readonly now: () => number;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeadLetterStoreOptions) {
    this.dir = options.dir;
    this.caps = { maxBytes: options.maxBytes ?? DLQ_DEFAULTS.maxBytes, maxAgeMs: options.maxAgeMs ?? DLQ_DEFAULTS.maxAgeMs };
    const segmentBytes = Math.min(options.maxSegmentBytes ?? DLQ_DEFAULTS.maxSegmentBytes, Math.max(1, Math.floor(this.caps.maxBytes / 2)));
    this.writer = new SegmentWriter(this.dir, segmentBytes);
    this.now = options.now ?? Date.now;
  }

  /** Appends entries durably (fsynced), then enforces the caps. Encoding happens at once. */
  append(entries: readonly DeadLetterEntry[]): Promise<void> {
    let lines: Buffer[];
    try {
      lines = entries.map((entry) => Buffer.from(encodeEntry(entry), 'utf8'));
    } catch (error) {
      return Promise.reject(error);
    }
    if (lines.length === 0) return Promise.resolve();
    return this.serialized(async () => {
      await this.writer.write(lines);
      await this.enforce().catch((error: unknown) => this.options.onPruneError?.(error));
    });
  }

  /** Drops what the caps no longer allow (also done after every append). */
  prune(): Promise<void> {
    return this.serialized(() => this.enforce());
  }

  /** The consumed cursor: where unconsumed entries start. */
  cursor(): Promise<DlqPosition> {
    return readCursor(this.dir);
  }

  /** Reads up to `limit` entries from `from`, ignoring segments after `untilSegment` (see {@link readFrom}). */
  readFrom(from: DlqPosition, limit: number, untilSegment?: number): Promise<DlqReadResult> {
    return readFrom(this.dir, from, limit, untilSegment);
  }

  /** The number of the newest segment (0 when there is none): the end of a snapshot. */
  async newestSegment(): Promise<number> {
    return (await listSegments(this.dir)).at(-1)?.id ?? 0;
  }

  /** Unconsumed entries, skipping `offset` of them and returning at most `limit`. */
  async read(options: { limit?: number; offset?: number } = {}): Promise<StoredEntry[]> {
    const { limit = Number.POSITIVE_INFINITY, offset = 0 } = options;
    const page: StoredEntry[] = [];
    let index = 0;
    for await (const stored of this.entries()) {
      if (page.length >= limit) break;
      if (index++ >= offset) page.push(stored);
    }
    return page;
  }

  /** Every unconsumed entry, in order, with its position. */
  async *entries(): AsyncGenerator<StoredEntry> {
    yield* iterateEntries(this.dir, await this.cursor());
  }

  /** Counts, bytes, oldest and newest time, and errors of the unconsumed entries. */
  async stats(): Promise<DlqStats> {
    return queueStats(this.dir, await this.cursor());
  }

  /**
   * Marks everything before `position` consumed (a replay delivered it): saves the cursor
   * atomically, then deletes the segments wholly before it. A position behind the saved
   * cursor is ignored.
   */
  commit(position: DlqPosition): Promise<void> {
    return this.serialized(async () => {
      if (comparePositions(position, await readCursor(this.dir)) <= 0) return;
      await writeCursor(this.dir, position);
      for (const segment of await listSegments(this.dir)) if (segment.id < position.segment) await removeFile(segment.path);
    });
  }

  /** Deletes every entry and the cursor; returns how many unconsumed entries were removed. */
  purge(): Promise<number> {
    return this.serialized(async () => {
      const { entries } = await this.stats();
      for (const segment of await listSegments(this.dir)) await removeFile(segment.path);
      await removeCursor(this.dir);
      this.writer.reset();
      return entries;
    });
  }

  private async enforce(): Promise<void> {
    const onDiscard = this.options.onDiscard ?? (() => undefined);
    const kept = await enforceCaps(await listSegments(this.dir), this.caps, this.now(), await readCursor(this.dir), onDiscard);
    const active = this.writer.activeId;
    if (active !== undefined && !kept.some((segment) => segment.id === active)) this.writer.reset();
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
