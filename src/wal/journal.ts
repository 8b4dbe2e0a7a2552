import type { SchedulerLike } from 'rxjs';
import { Durability, type Durable, type FsyncPolicy } from './durability';
import { encodeRecordHeader, RECORD_HEADER_SIZE, SEGMENT_HEADER_SIZE } from './record';
import { segmentFile, type SegmentFile } from './segments';
import { SegmentWriter } from './segment-writer';

export type { Durable, FsyncPolicy } from './durability';

/** Where a record was placed. */
export interface Placement {
  readonly seq: number;
  readonly segment: number;
  readonly offset: number;
  readonly size: number;
}

/** Options of a {@link Journal}. */
export interface JournalOptions {
  readonly dir: string;
  readonly maxSegmentBytes: number;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  readonly scheduler?: SchedulerLike;
  /** A segment file was created (the log lists it for its reader). */
  readonly onSegment: (file: SegmentFile) => void;
  /** A write or sync failed (the records' callbacks get the error too). */
  readonly onError: (error: Error) => void;
}

const FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * The append side of the log. Records are numbered and placed at once, queued, and written
 * together with one `writev` at the end of the turn (or once 4 MiB are queued), so several
 * batches share a system call; {@link Durability} then runs their callbacks per the fsync
 * policy. A segment is rolled before a record would take it past `maxSegmentBytes`, and
 * after a failed write or sync, so nothing is appended after data of unknown state.
 */
export class Journal {
  private writer: SegmentWriter;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private queuedDone: Durable[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private broken = false;
  private readonly durability: Durability;

  constructor(
    private readonly options: JournalOptions,
    private seq: number,
  ) {
    const onError = (error: Error): void => {
      this.broken = true;
      options.onError(error);
    };
    this.durability = new Durability({ ...options, onError }, () => this.writer, () => this.flush());
    this.writer = this.create(seq);
  }

  /** The sequence number the next append gets. */
  get nextSeq(): number {
    return this.seq;
  }

  /** Numbers and places a record; it is written this turn and `done` runs once durable. */
  append(payload: Buffer, done: Durable): Placement {
    const size = RECORD_HEADER_SIZE + payload.length;
    const end = this.writer.size + this.queuedBytes;
    if (this.broken || (end > SEGMENT_HEADER_SIZE && end + size > this.options.maxSegmentBytes)) this.roll();
    const seq = this.seq++;
    const placement = { seq, segment: this.writer.file.firstSeq, offset: this.writer.size + this.queuedBytes, size };
    this.queued.push(encodeRecordHeader(seq, payload), payload);
    this.queuedBytes += size;
    this.queuedDone.push(done);
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
    else this.flushTimer ??= setImmediate(() => this.flush());
    return placement;
  }

  /** Writes every queued record now (the reader calls this before reading the files). */
  flush(): void {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    if (this.queued.length === 0) return;
    const [buffers, done, bytes] = [this.queued, this.queuedDone, this.queuedBytes];
    [this.queued, this.queuedDone, this.queuedBytes] = [[], [], 0];
    try {
      this.writer.write(buffers);
    } catch (error) {
      this.broken = true;
      this.options.onError(error as Error);
      for (const callback of done) callback(error as Error);
      return;
    }
    this.durability.written(done, bytes);
  }

  /** Syncs now what waits for the next interval sync (a producer is blocked on it); never rejects. */
  syncNow(): void {
    this.durability.sync().catch(() => undefined);
  }

  /** Writes and syncs what is left (unless `never`), then closes the files. */
  async close(): Promise<void> {
    await this.durability.close();
    this.writer.close();
  }

  private roll(): void {
    this.flush();
    this.durability.retire(this.writer);
    this.writer = this.create(this.seq);
    this.broken = false;
  }

  private create(firstSeq: number): SegmentWriter {
    const file = segmentFile(this.options.dir, firstSeq);
    const writer = SegmentWriter.create(file);
    this.durability.directoryChanged();
    this.options.onSegment(file);
    return writer;
  }
}
