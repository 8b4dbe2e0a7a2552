import { Ring } from '../core/ring';
import type { CorruptRegion } from './segment-reader';
import type { SegmentFile } from './segments';
import { SegmentWalker } from './segment-walker';

/** A record handed to the reader of the log: from memory (`value`) or from disk (`payload`). */
export interface WalEntry<T> {
  readonly seq: number;
  /** Bytes it takes on disk, header included. */
  readonly size: number;
  /** What the appender kept in memory with it, when it was still cached. */
  readonly value?: T;
  /** The payload: read back from disk, or kept in memory when no value was given. */
  readonly payload?: Buffer;
}

/** A freshly appended record, with where it lies on disk. */
export interface CachedEntry<T> extends WalEntry<T> {
  readonly segment: number;
  readonly offset: number;
}

/** Bounds and reports of a {@link ReadPath}. */
export interface ReadPathOptions {
  readonly cacheMaxRecords: number;
  readonly cacheMaxBytes: number;
  /** Writes queued records, so that the files hold everything numbered so far. */
  flush(): void;
  corrupt(file: SegmentFile, region: CorruptRegion): void;
  /** Records `from`..`to` are in no segment (a missing file). */
  missing(from: number, to: number): void;
  /** Bytes the reader passed without delivering (acked before the cursor, or damaged). */
  skipped(bytes: number): void;
}

/**
 * The reading side of the log: every record from the cursor on, once, in order. Recently
 * appended records are served from memory while the reader keeps up; when that cache
 * overflows (a slow consumer) its oldest entries are dropped and read back from disk
 * later, from the location noted at append. Replay after a restart is the same disk path.
 * Damage is skipped and reported; a jump in sequence numbers with no damage before it is
 * reported as missing.
 */
export class ReadPath<T> {
  private readonly cache = new Ring<CachedEntry<T>>();
  private readonly disk: SegmentWalker;
  private cacheBytes = 0;
  private expected: number;
  private damaged = false;

  constructor(segments: readonly SegmentFile[], position: number, private readonly options: ReadPathOptions) {
    this.expected = position;
    const corrupt = (file: SegmentFile, region: CorruptRegion): void => {
      this.damaged = true;
      options.skipped(region.length);
      options.corrupt(file, region);
    };
    this.disk = new SegmentWalker(segments, { corrupt }, () => options.flush());
    if (segments.length > 0) this.disk.moveTo(segments[0].firstSeq);
  }

  /** A record was appended: it stays in memory while the bounds allow. */
  appended(entry: CachedEntry<T>): void {
    this.cache.push(entry);
    this.cacheBytes += entry.size;
    const { cacheMaxRecords, cacheMaxBytes } = this.options;
    while (this.cache.length > cacheMaxRecords || (this.cacheBytes > cacheMaxBytes && this.cache.length > 0)) {
      const evicted = this.cache.shift() as CachedEntry<T>;
      this.cacheBytes -= evicted.size;
      if (!this.disk.active) this.disk.moveTo(evicted.segment, evicted.offset);
    }
  }

  /** The next record to deliver, or undefined when the reader has caught up. */
  next(): WalEntry<T> | undefined {
    while (this.disk.active) {
      const record = this.disk.read();
      if (record === undefined) break;
      if (record.seq < this.expected) {
        this.options.skipped(record.size); // acknowledged before the cursor was saved
        continue;
      }
      const front = this.cache.peek();
      if (front !== undefined && record.seq >= front.seq) {
        this.disk.stop(); // caught up with what is still in memory
        break;
      }
      this.advance(record.seq);
      return { seq: record.seq, size: record.size, payload: record.payload };
    }
    const entry = this.cache.shift();
    if (entry === undefined) return undefined;
    this.cacheBytes -= entry.size;
    this.advance(entry.seq);
    return entry;
  }

  /** Stops reading `file` (it is being deleted). */
  forget(file: SegmentFile): void {
    this.disk.forget(file);
  }

  close(): void {
    this.disk.close();
  }

  private advance(seq: number): void {
    if (seq > this.expected && !this.damaged) this.options.missing(this.expected, seq - 1);
    this.expected = seq + 1;
    this.damaged = false;
  }
}
