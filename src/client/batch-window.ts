import type { IngestEvent } from './event';
import type { WireEvent } from './proto';
import type { ResolvedStreamOptions } from './stream-options';

/** One written event: what the caller gave, its wire form, its size and when it was written. */
export interface Item {
  readonly event: IngestEvent;
  readonly wire: WireEvent;
  readonly bytes: number;
  readonly writtenAt: number;
}

/**
 * One StreamRequest and its state:
 * - `ready`: to be sent on the next open stream;
 * - `sent`: written on the current stream, its ack outstanding;
 * - `waiting`: refused or partly rejected, resent when its timer fires.
 */
export interface Batch {
  readonly sequence: number;
  readonly items: readonly Item[];
  /** The encoded StreamRequest: encoded once, resent as is (same sequence) after a reconnect. */
  readonly payload: Buffer;
  /** When its oldest event was written (for `maxAgeMs`). */
  readonly oldestWrittenAt: number;
  /** Times its events have been sent (a retry batch inherits its parent's count). */
  attempts: number;
  state: 'ready' | 'sent' | 'waiting';
  /** Why the last attempt did not succeed, for the give-up report. */
  lastError: string;
  timer?: NodeJS.Timeout;
}

/**
 * The bookkeeping of a stream, free of I/O: events written but not yet batched (`pending`),
 * and the bounded window of batches cut and not yet settled (`unacked`), by count and bytes.
 * A batch is cut when it is full, or when forced (linger elapsed, flush); never when the
 * window has no room, which is what holds writers back.
 */
export class BatchWindow {
  private pending: Item[] = [];
  private pendingBytes = 0;
  readonly unacked = new Map<number, Batch>();
  private unackedBytes = 0;
  private nextSequence = 1;

  constructor(
    private readonly options: ResolvedStreamOptions,
    private readonly encode: (sequence: number, events: readonly WireEvent[]) => Buffer,
  ) {}

  add(item: Item): void {
    this.pending.push(item);
    this.pendingBytes += item.bytes;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  get bytes(): number {
    return this.unackedBytes;
  }

  /** Pending holds at least one full batch: the writer should wait for room. */
  get pendingFull(): boolean {
    return this.pending.length >= this.options.batchMaxEvents || this.pendingBytes >= this.options.batchMaxBytes;
  }

  /** When the oldest pending event was written, or undefined when none is pending. */
  get pendingSince(): number | undefined {
    return this.pending[0]?.writtenAt;
  }

  /** Whether one more batch of (about) the next batch's size fits the window. */
  hasRoom(): boolean {
    if (this.unacked.size === 0) return true;
    const next = Math.min(this.pendingBytes, this.options.batchMaxBytes);
    return this.unacked.size < this.options.maxUnackedBatches && this.unackedBytes + next <= this.options.maxUnackedBytes;
  }

  /** Cuts batches from pending while the window has room: full ones only, or any when `force`. */
  cut(force: boolean): Batch[] {
    const cut: Batch[] = [];
    while (this.pending.length > 0 && (force || this.pendingFull) && this.hasRoom()) {
      let count = 0;
      let bytes = 0;
      for (const item of this.pending) {
        if (count >= this.options.batchMaxEvents || (count > 0 && bytes + item.bytes > this.options.batchMaxBytes)) break;
        count += 1;
        bytes += item.bytes;
      }
      const items = this.pending.splice(0, count);
      this.pendingBytes -= bytes;
      cut.push(this.open(items, 0));
    }
    return cut;
  }

  /** A new batch of `items` (e.g. the retryable part of a partly rejected batch), let in whatever the room. */
  open(items: readonly Item[], attempts: number): Batch {
    const sequence = this.nextSequence++;
    const payload = this.encode(
      sequence,
      items.map((item) => item.wire),
    );
    let oldest = Infinity;
    for (const item of items) oldest = Math.min(oldest, item.writtenAt);
    const batch: Batch = { sequence, items, payload, oldestWrittenAt: oldest, attempts, state: 'ready', lastError: 'not acknowledged yet' };
    this.unacked.set(sequence, batch);
    this.unackedBytes += payload.length;
    return batch;
  }

  /** Removes a settled (or abandoned) batch from the window. */
  settle(batch: Batch): void {
    if (batch.timer !== undefined) clearTimeout(batch.timer);
    batch.timer = undefined;
    if (this.unacked.delete(batch.sequence)) this.unackedBytes -= batch.payload.length;
  }

  /** Takes every pending (never batched) item out. */
  takePending(): Item[] {
    const items = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return items;
  }

  /** Nothing pending and nothing unacknowledged. */
  get empty(): boolean {
    return this.pending.length === 0 && this.unacked.size === 0;
  }
}
