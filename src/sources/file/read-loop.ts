import type { Subscriber } from 'rxjs';
import type { SourceContext } from '../../components/context';
import type { AckListener } from '../../core/ack';
import type { Batch } from '../../core/batch';
import { setEventMeta, type LogEvent } from '../../core/event';
import type { KeyedCheckpoint } from '../checkpoint';
import type { DescriptorPool } from './descriptors';
import { readAt, statOpen, type FileReader } from './file-reader';
import { nextInflated, startInflating } from './gzip-file';
import { identityKey, type FileIdentity } from './identity';
import { resolveIdentity, stillSame } from './resolve-identity';
import type { TailOptions } from './tail';

/** What the read loop shares with the tail that finds the files. */
export interface TailHost {
  readonly ctx: SourceContext;
  readonly options: TailOptions;
  readonly subscriber: Subscriber<Batch>;
  readonly checkpoint: KeyedCheckpoint;
  readonly descriptors: DescriptorPool;
  /** Known files by place. */
  readonly readers: ReadonlyMap<string, FileReader>;
  /** Identities saved by an earlier run, by place, until their file is read again. */
  readonly saved: Map<string, FileIdentity[]>;
  readonly stopping: boolean;
  after(delayMs: number, work: () => void): void;
  release(reader: FileReader): void;
  closeReader(reader: FileReader): void;
  /** The loop went idle while stopping: complete. */
  finish(complete: boolean): void;
}

/**
 * Reads the files that have work, one turn at a time and one chunk per turn, in queue order
 * (fair round-robin), while credit lasts. A turn opens the file if needed (within
 * `max_open_files`), identifies it on its first read, checks an idle file's fingerprint
 * before reading on (truncated or rewritten: read again from 0), frames the chunk and emits
 * it as one batch whose range goes to the checkpoint. At the end of a file it arms the quiet
 * timers: a held multi-line group after `flushTimeoutMs`, a last line without a newline
 * after `eofTimeoutMs`, and the release of an orphan (deleted, or rotated away).
 */
export class ReadLoop {
  private readonly queue: FileReader[] = [];
  private busy = false;
  private waitingForCredit = false;

  constructor(private readonly host: TailHost) {}

  /** Nothing is being read: stopping may complete at once. */
  get idle(): boolean {
    return !this.busy;
  }

  /** Stops waiting for credit (the tail is finishing). */
  cancel(): void {
    if (this.waitingForCredit) this.host.ctx.credit.cancelWait(this.wake);
  }

  enqueue(reader: FileReader): void {
    if (reader.queued || this.host.stopping || this.host.readers.get(reader.place) !== reader) return;
    reader.queued = true;
    this.queue.push(reader);
    this.pump();
  }

  private readonly wake = (): void => {
    this.waitingForCredit = false;
    this.pump();
  };

  /** Runs one reader's turn at a time, while credit lasts. */
  private pump(): void {
    if (this.busy || this.host.stopping || this.queue.length === 0) return;
    if (this.host.ctx.credit.exhausted) {
      if (!this.waitingForCredit) {
        this.waitingForCredit = true;
        this.host.ctx.credit.whenAvailable(this.wake);
      }
      return;
    }
    const reader = this.queue.shift() as FileReader;
    reader.queued = false;
    this.busy = true;
    this.turn(reader)
      .catch((error: unknown) => this.failed(reader, error))
      .finally(() => {
        this.busy = false;
        if (this.host.stopping) this.host.finish(true);
        else this.pump();
      });
  }

  private failed(reader: FileReader, error: unknown): void {
    if (this.host.stopping) return;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return this.host.release(reader);
    this.host.ctx.metrics.error('read_failed');
    this.host.ctx.logger.warn({ err: error, path: reader.path }, 'file: reading failed; the file is found again by the next scan and resumed from its checkpoint');
    this.host.release(reader);
  }

  private async turn(reader: FileReader): Promise<void> {
    if (this.host.readers.get(reader.place) !== reader) return; // released while queued
    if (reader.fd === undefined) {
      const acquired = await this.host.descriptors.acquire(reader, this.host.readers.values());
      if (acquired === 'waiting') return;
      // Stopping, or released while it was being opened (a scan found it gone): give the descriptor back.
      if (this.host.stopping || (acquired === 'opened' && this.host.readers.get(reader.place) !== reader)) return this.host.closeReader(reader);
      if (acquired === 'moved') return this.host.release(reader);
      if (reader.identity !== undefined) reader.verify = true; // reopened: it may have been rewritten while closed
    }
    const fd = reader.fd as number;
    if (reader.identity === undefined) {
      const resolved = await resolveIdentity(reader, fd, this.host.saved.get(reader.place) ?? [], this.host.checkpoint, this.host.options.fingerprintBytes);
      if (resolved === undefined) {
        reader.atEof = true; // empty: identified once it grows
        return;
      }
      this.host.saved.delete(reader.place);
      reader.identity = resolved.identity;
      reader.key = identityKey(resolved.identity);
      reader.restart(resolved.start, this.host.options.frame);
    } else if ((reader.verify || reader.atEof) && !reader.gzip) {
      // Woken after an idle spell (a scan or a change event): rewritten since? Checked once per burst, not per chunk.
      reader.verify = false;
      if (!(await stillSame(fd, reader.identity))) return this.rewritten(reader);
    }
    if (reader.gzip) {
      // A .gz file is complete when found (rotated, then compressed): decompressed once, from the start, skipping what was acknowledged.
      if (reader.inflated === undefined) startInflating(reader, fd, () => this.enqueue(reader));
      return this.inflateTurn(reader);
    }
    const buffer = Buffer.allocUnsafe(this.host.options.readBytes);
    const bytes = await readAt(fd, buffer, reader.read);
    const now = this.host.ctx.scheduler.now();
    reader.lastRead = now;
    if (bytes === 0) {
      if ((await statOpen(fd)).size < reader.read) return this.rewritten(reader);
      return this.atEnd(reader, now);
    }
    reader.atEof = false;
    reader.lastGrowth = now;
    reader.read += bytes;
    this.frame(reader, buffer.subarray(0, bytes), now);
    // A short read reached the end: the next scan or change event queues the file again.
    if (bytes < buffer.length) {
      reader.atEof = true;
      this.armIdle(reader, now);
    } else this.enqueue(reader);
  }

  private async inflateTurn(reader: FileReader): Promise<void> {
    const step = nextInflated(reader);
    const now = this.host.ctx.scheduler.now();
    if (step.kind === 'wait') return;
    if (step.kind === 'data') {
      reader.read += step.chunk.length;
      this.frame(reader, step.chunk, now);
      return this.enqueue(reader);
    }
    if (step.kind === 'end') {
      const events: LogEvent[] = [];
      const starts: number[] = [];
      reader.framer.end(new Date(now).toISOString(), events, starts);
      this.emit(reader, events, starts);
      reader.done = true;
      this.host.closeReader(reader);
      return;
    }
    // Truncated or corrupt: keep what was framed, and decompress again once the file changes (gzip may still be writing it).
    this.host.ctx.metrics.error('gzip_failed');
    this.host.ctx.logger.warn({ err: step.error, path: reader.path }, 'file: a .gz file could not be decompressed to its end; retried when it changes');
    reader.failedSize = (await statOpen(reader.fd as number).catch(() => ({ size: -1 }))).size;
    this.host.closeReader(reader);
    reader.restart(reader.consumed, this.host.options.frame);
  }

  /** Truncated, or rewritten with other content: a new file at the same place, read from 0. */
  private rewritten(reader: FileReader): void {
    this.host.ctx.logger.info({ path: reader.path, offset: reader.read }, 'file: truncated or rewritten; reading it again from the start');
    if (reader.key !== undefined) this.host.checkpoint.forget(reader.key);
    reader.identity = undefined;
    reader.key = undefined;
    reader.startAt = 0;
    reader.atEof = false;
    this.enqueue(reader);
  }

  /** No new data: after the quiet timeouts, emit what is held and release an orphan. */
  private atEnd(reader: FileReader, now: number): void {
    reader.atEof = true;
    if (reader.idleDue) {
      reader.idleDue = false;
      const quiet = now - reader.lastGrowth;
      const events: LogEvent[] = [];
      const starts: number[] = [];
      const timestamp = new Date(now).toISOString();
      if (reader.multiline?.holding === true && quiet >= this.host.options.flushTimeoutMs) reader.multiline.flush(events, starts);
      if (quiet >= this.host.options.eofTimeoutMs && reader.holding) reader.framer.end(timestamp, events, starts);
      this.emit(reader, events, starts);
      if (reader.orphaned && quiet >= this.host.options.eofTimeoutMs && !reader.holding) return this.host.release(reader);
    }
    this.armIdle(reader, now);
  }

  private armIdle(reader: FileReader, now: number): void {
    if (reader.idleTimer || !(reader.holding || reader.orphaned)) return;
    const wait = reader.multiline?.holding === true ? Math.min(this.host.options.flushTimeoutMs, this.host.options.eofTimeoutMs) : this.host.options.eofTimeoutMs;
    reader.idleTimer = true;
    this.host.after(Math.max(0, reader.lastGrowth + wait - now), () => {
      reader.idleTimer = false;
      reader.idleDue = true;
      this.enqueue(reader);
    });
  }

  private frame(reader: FileReader, chunk: Buffer, now: number): void {
    const events: LogEvent[] = [];
    const starts: number[] = [];
    reader.framer.push(chunk, new Date(now).toISOString(), events, starts);
    this.emit(reader, events, starts);
  }

  /** Emits the events framed from `[tracked, consumed)` and hands that range to the checkpoint. */
  private emit(reader: FileReader, events: LogEvent[], starts: number[]): void {
    const start = reader.tracked;
    const end = reader.consumed;
    if (end <= start) return;
    reader.tracked = end;
    const settled: AckListener = this.host.checkpoint.track(reader.key as string, start, end);
    if (events.length === 0) return settled({ ok: true }); // only blank or dropped lines: nothing to deliver
    const { path, inode, base } = reader;
    const field = this.host.options.pathField;
    for (let i = 0; i < events.length; i++) {
      setEventMeta(events[i], { path, offset: base + starts[i], inode });
      if (field !== undefined) events[i][field] = path;
    }
    this.host.subscriber.next({ events, ack: this.host.ctx.track(events.length, end - start, settled), bytes: end - start, meta: reader.meta });
  }
}
