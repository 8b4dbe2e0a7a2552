import { rm } from 'node:fs/promises';
import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import type { Logger } from '../observability/logger';
import { AckTracker } from './ack-tracker';
import { Cursor } from './cursor';
import { Journal, type Durable, type FsyncPolicy } from './journal';
import { ReadPath, type WalEntry } from './read-path';
import { recover } from './recover';
import { WalReporter, type WalHooks } from './reporter';
import type { SegmentFile } from './segments';

export type { WalEntry } from './read-path';
export type { WalHooks } from './reporter';

/** Options of {@link Wal.open}. */
export interface WalOptions {
  readonly dir: string;
  /** A segment is rolled before it would grow past this (default 64 MiB). */
  readonly maxSegmentBytes?: number;
  readonly fsync?: FsyncPolicy;
  /** `interval`: how often to sync; also how often the cursor is saved (default 1000 ms). */
  readonly fsyncIntervalMs?: number;
  readonly scheduler?: SchedulerLike;
  /** Most records (default 1024) and bytes (default 16 MiB) kept in memory for the reader. */
  readonly cacheMaxRecords?: number;
  readonly cacheMaxBytes?: number;
  readonly hooks?: WalHooks;
  readonly logger?: Logger;
}

/**
 * A disk write-ahead log of numbered records: append (durable per the fsync policy), read
 * each record once in order (replaying everything after the cursor on open), acknowledge
 * in any order. The cursor follows the contiguous acknowledged prefix and is saved every
 * interval, or at once when a whole segment is acknowledged: that segment is deleted only
 * after the save. Damage (torn tails, bad CRCs, missing files) is skipped, counted and
 * logged once per segment; it never stops the log.
 *
 * @example
 * const wal = Wal.open<string>({ dir: '/var/lib/sluice/wal', fsync: 'always' });
 * wal.append(Buffer.from('hello'), 'hello', (error) => error ?? console.log('durable'));
 * const entry = wal.next(); // { seq: 0, size: 25, value: 'hello' }
 * wal.ack(entry.seq);
 */
export class Wal<T = never> {
  private readonly segments: SegmentFile[];
  private readonly journal: Journal;
  private readonly reads: ReadPath<T>;
  private readonly tracker: AckTracker;
  private readonly cursor: Cursor;
  private readonly report: WalReporter;
  private readonly ticker: Subscription;
  private used: number;
  private closing: Promise<void> | undefined;
  /** Segment files being deleted: close() waits for them. */
  private readonly deleting = new Set<Promise<void>>();

  private constructor(options: WalOptions) {
    const report = (this.report = new WalReporter(options.dir, options.hooks, options.logger));
    const recovered = recover(options.dir, { corrupt: (file, region) => report.corrupt(file, region) });
    this.segments = recovered.segments;
    this.used = recovered.usedBytes;
    this.tracker = new AckTracker(recovered.position);
    this.cursor = new Cursor(options.dir, recovered.position, (seq) => this.deleteBelow(seq));
    this.reads = new ReadPath<T>(this.segments, recovered.position, {
      cacheMaxRecords: options.cacheMaxRecords ?? 1024,
      cacheMaxBytes: options.cacheMaxBytes ?? 16 * 1024 * 1024,
      flush: () => this.journal.flush(),
      corrupt: (file, region) => report.corrupt(file, region),
      missing: (from, to) => report.missing(from, to),
      skipped: (bytes) => (this.used -= bytes),
    });
    const period = options.fsyncIntervalMs ?? 1000;
    this.journal = new Journal(
      {
        dir: options.dir,
        maxSegmentBytes: options.maxSegmentBytes ?? 64 * 1024 * 1024,
        fsync: options.fsync ?? 'interval',
        fsyncIntervalMs: period,
        scheduler: options.scheduler,
        onSegment: (file) => this.segments.push(file),
        onError: (error) => report.ioError(error, 'write or sync'),
      },
      recovered.nextSeq,
    );
    const save = (): void => this.saveCursor();
    this.ticker = (options.scheduler ?? asyncScheduler).schedule(function (this: SchedulerAction<unknown>) {
      save();
      this.schedule(undefined, period);
    }, period);
  }

  /** Opens (creating, or recovering after a crash) the log in `options.dir`. */
  static open<T = never>(options: WalOptions): Wal<T> {
    return new Wal<T>(options);
  }

  /** Bytes of records not yet acknowledged (an upper bound until the reader passes damage). */
  get usedBytes(): number {
    return this.used;
  }

  /** Every record below this is acknowledged. */
  get position(): number {
    return this.tracker.position;
  }

  /**
   * Appends `payload` and returns its sequence number; `done` runs once it is durable.
   * `value` (the decoded form) is kept in memory for the reader while the cache allows.
   */
  append(payload: Buffer, value: T | undefined, done: Durable): number {
    const placement = this.journal.append(payload, done);
    this.used += placement.size;
    // Without a value the reader needs the bytes: keep the payload while cached.
    this.reads.appended({ ...placement, value, payload: value === undefined ? payload : undefined });
    return placement.seq;
  }

  /**
   * Syncs now what is written but waiting for the next interval sync: its producer is blocked
   * until those appends are acknowledged (out of credit), so waiting out the interval would
   * only stall it. Never rejects; a failure reaches the appends' callbacks.
   */
  syncNow(): void {
    this.journal.syncNow();
  }

  /** The next record to deliver, oldest first, or undefined when there is none yet. */
  next(): WalEntry<T> | undefined {
    const entry = this.reads.next();
    if (entry !== undefined) this.tracker.delivered(entry.seq, entry.size);
    return entry;
  }

  /** Acknowledges a delivered record (in any order); the cursor moves over the prefix. */
  ack(seq: number): void {
    const freed = this.tracker.ack(seq);
    if (freed === 0) return;
    this.used -= freed;
    if (this.segments.length > 1 && this.segments[1].firstSeq <= this.tracker.position) this.saveCursor();
  }

  /** Writes and syncs what is queued, saves the cursor, deletes acknowledged segments. Never rejects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ticker.unsubscribe();
      await this.journal.close().catch((error: Error) => this.report.ioError(error, 'close'));
      await this.cursor.save(this.tracker.position).catch((error: Error) => this.report.ioError(error, 'cursor save'));
      await Promise.all(this.deleting);
      this.reads.close();
    })();
    return this.closing;
  }

  private saveCursor(): void {
    if (this.tracker.position <= this.cursor.persisted) return;
    this.cursor.save(this.tracker.position).catch((error: Error) => this.report.ioError(error, 'cursor save'));
  }

  /**
   * After the cursor is on disk: segments whose records are all below it go. Deleted off
   * the event loop: unlinking a 64 MiB file frees its extents and blocked the loop for
   * 50-110 ms (bench disk_buffer_loop_delay). A delete a crash interrupts is finished by
   * recovery, which drops segments wholly below the cursor.
   */
  private deleteBelow(seq: number): void {
    while (this.segments.length > 1 && this.segments[1].firstSeq <= seq) {
      const file = this.segments.shift() as SegmentFile;
      this.reads.forget(file);
      const deleted = rm(file.path, { force: true })
        .catch((error: Error) => this.report.ioError(error, 'delete'))
        .finally(() => this.deleting.delete(deleted));
      this.deleting.add(deleted);
    }
  }
}
