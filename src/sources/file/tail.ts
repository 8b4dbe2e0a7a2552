import { dirname } from 'node:path';
import { Observable, type Subscriber, type Subscription } from 'rxjs';
import type { SourceContext } from '../../components/context';
import type { Batch } from '../../core/batch';
import { KeyedCheckpoint } from '../checkpoint';
import { startSource } from '../startup';
import { DescriptorPool } from './descriptors';
import { FileReader, type FileFramerFactory } from './file-reader';
import { identityKey, parseIdentityKey, type FileIdentity } from './identity';
import { ReadLoop, type TailHost } from './read-loop';
import { patternBase, scanFiles, type FoundFile } from './scan';
import { ownsFile } from './shard';
import { shardOf } from '../../core/shard';
import { WakeUps } from './wake-ups';

/** What {@link tailFiles} needs, in milliseconds and bytes. */
export interface TailOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly scanIntervalMs: number;
  readonly readFrom: 'beginning' | 'end';
  readonly ignoreOlderThanMs?: number;
  readonly eofTimeoutMs: number;
  /** Multi-line groups held this long without a new line are emitted (when `frame` groups lines). */
  readonly flushTimeoutMs: number;
  readonly fingerprintBytes: number;
  readonly maxOpenFiles: number;
  readonly readBytes: number;
  readonly checkpointIntervalMs: number;
  readonly pathField?: string;
  readonly watch: boolean;
  /** Makes each file's framer (line policy and multi-line grouping). */
  readonly frame: FileFramerFactory;
}

/**
 * Tails the files `include` matches as one stream of batches, one batch per read chunk of
 * one file, with `meta: { source, input: 'file', path, inode }` and per-event metadata
 * `{ path, offset, inode }`. See {@link FileTail} for how files are followed.
 */
export function tailFiles(ctx: SourceContext, options: TailOptions): Observable<Batch> {
  return new Observable<Batch>((subscriber) => {
    const tail = new FileTail(ctx, options, subscriber);
    tail.start();
    return () => tail.close();
  });
}

/**
 * The file tail of one subscription. Files are found by scanning (every `scanIntervalMs`,
 * and sooner when fs.watch reports a change) and held by their place on disk, so a renamed
 * file keeps its reader. Readers with work take turns in the {@link ReadLoop}, one chunk per
 * turn (fair round-robin), within the {@link DescriptorPool}'s `maxOpenFiles`. A file no longer found (deleted,
 * or rotated out of `include`) is read to its end and released once it has been quiet for
 * `eofTimeoutMs`. Each emitted batch's range goes to the keyed checkpoint, which commits
 * the contiguous acknowledged prefix per file identity.
 */
class FileTail implements TailHost {
  readonly readers = new Map<string, FileReader>();
  private readonly byPath = new Map<string, FileReader>();
  readonly checkpoint: KeyedCheckpoint;
  readonly descriptors: DescriptorPool;
  private readonly loop: ReadLoop;
  private readonly wakeUps: WakeUps;
  private readonly timers = new Set<Subscription>();
  /** Identities saved by an earlier run, by place, until their file is read again. */
  readonly saved = new Map<string, FileIdentity[]>();
  stopping = false;
  private finished = false;
  private firstScan = true;
  private scanning = false;
  private scanAgain = false;
  private scanSoon = false;
  private stopSubscription: Subscription | undefined;

  constructor(
    readonly ctx: SourceContext,
    readonly options: TailOptions,
    readonly subscriber: Subscriber<Batch>,
  ) {
    this.checkpoint = new KeyedCheckpoint({ dir: ctx.dataDir, intervalMs: options.checkpointIntervalMs, scheduler: ctx.scheduler, logger: ctx.logger });
    this.wakeUps = new WakeUps((path, kind) => this.wokenBy(path, kind));
    this.descriptors = new DescriptorPool(options.maxOpenFiles);
    this.loop = new ReadLoop(this);
  }

  start(): void {
    this.stopSubscription = this.ctx.stopping.subscribe(() => this.stop());
    // Ready once the checkpoint is read and the first scan has found (and placed) the files.
    startSource(this.ctx, `read its checkpoint in ${this.ctx.dataDir}`, async () => {
      const positions = await this.checkpoint.load();
      for (const key of positions.keys()) {
        const identity = parseIdentityKey(key);
        if (identity === undefined) continue;
        const list = this.saved.get(identity.place) ?? [];
        list.push(identity);
        this.saved.set(identity.place, list);
      }
      if (this.options.watch) for (const pattern of this.options.include) this.wakeUps.add(patternBase(pattern));
      await this.scan();
    }).then(
      () => this.after(this.options.scanIntervalMs, () => this.scanLoop()),
      (error: unknown) => this.subscriber.error(error),
    );
  }

  /** Unsubscribed: releases everything at once. */
  close(): void {
    this.stopping = true;
    this.finish(false);
  }

  private stop(): void {
    this.stopping = true;
    if (this.loop.idle) this.finish(true);
  }

  /** Stops reading: what is held (a partial line, a multi-line group) is not emitted, so the checkpoint stays before it and a restart reads it again. */
  finish(complete: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.stopSubscription?.unsubscribe();
    this.loop.cancel();
    for (const timer of this.timers) timer.unsubscribe();
    this.timers.clear();
    this.wakeUps.close();
    for (const reader of this.readers.values()) this.closeReader(reader);
    this.checkpoint.finish();
    if (complete) this.subscriber.complete();
  }

  after(delayMs: number, work: () => void): void {
    if (this.stopping) return;
    const timer = this.ctx.scheduler.schedule(() => {
      this.timers.delete(timer);
      work();
    }, delayMs);
    this.timers.add(timer);
  }

  // --- finding files ---------------------------------------------------------------------

  private scanLoop(): void {
    void this.scan().then(() => this.after(this.options.scanIntervalMs, () => this.scanLoop()));
  }

  private wokenBy(path: string | undefined, kind: 'change' | 'rename'): void {
    const reader = path === undefined ? undefined : this.byPath.get(path);
    if (kind === 'change' && reader !== undefined) return this.loop.enqueue(reader);
    if (this.scanSoon) return;
    this.scanSoon = true;
    // Coalesces a burst of events (a rotation is several) into one scan.
    this.after(20, () => {
      this.scanSoon = false;
      void this.scan();
    });
  }

  private async scan(): Promise<void> {
    if (this.scanning) {
      this.scanAgain = true;
      return;
    }
    this.scanning = true;
    try {
      const shard = shardOf(this.ctx);
      // Files another worker owns are not seen at all here (see shard.ts).
      const found = (await scanFiles(this.options.include, this.options.exclude)).filter((file) => ownsFile(file.place, shard));
      if (this.stopping) return;
      const now = this.ctx.scheduler.now();
      const seen = new Set<string>();
      for (const file of found) {
        seen.add(file.place);
        if (this.options.watch) this.wakeUps.add(dirname(file.path));
        const reader = this.readers.get(file.place);
        if (reader !== undefined) this.observe(reader, file);
        else if (this.options.ignoreOlderThanMs === undefined || now - file.mtimeMs <= this.options.ignoreOlderThanMs || this.saved.has(file.place)) this.discover(file, now);
      }
      for (const reader of [...this.readers.values()]) if (!seen.has(reader.place) && !reader.orphaned) this.orphan(reader);
      if (this.firstScan) {
        this.firstScan = false;
        // Files saved by an earlier run that are gone: their positions are of no more use.
        for (const [place, identities] of this.saved) {
          if (seen.has(place)) continue;
          for (const identity of identities) this.checkpoint.forget(identityKey(identity));
          this.saved.delete(place);
        }
      }
    } catch (error) {
      this.ctx.metrics.error('scan_failed');
      this.ctx.logger.warn({ err: error }, 'file: scanning for files failed; retried at the next scan');
    } finally {
      this.scanning = false;
      if (this.scanAgain) {
        this.scanAgain = false;
        void this.scan();
      }
    }
  }

  private discover(file: FoundFile, now: number): void {
    const gzip = file.path.endsWith('.gz');
    const startAt = this.firstScan && this.options.readFrom === 'end' && !gzip ? file.size : 0;
    const reader = new FileReader(file.path, file.place, file.ino, gzip, startAt, now, this.ctx.id);
    this.readers.set(file.place, reader);
    this.byPath.set(file.path, reader);
    if (file.size > 0) this.loop.enqueue(reader);
  }

  /** A known file seen again by a scan: follow a rename, queue it when its size changed. */
  private observe(reader: FileReader, file: FoundFile): void {
    reader.orphaned = false;
    if (reader.path !== file.path) {
      if (this.byPath.get(reader.path) === reader) this.byPath.delete(reader.path);
      reader.setPath(file.path);
      this.byPath.set(file.path, reader);
    }
    if (reader.gzip) {
      if (!reader.done && reader.inflated === undefined && file.size !== reader.failedSize) this.loop.enqueue(reader);
      return;
    }
    if (reader.identity === undefined) {
      if (file.size > 0) this.loop.enqueue(reader);
      return;
    }
    if (file.size !== reader.read) {
      // Grown after an idle spell, or shrunk: check it is still the same content before reading on.
      if (reader.atEof) reader.verify = true;
      this.loop.enqueue(reader);
    }
  }

  /** No longer found: read what is left (while a descriptor is held), then release. */
  private orphan(reader: FileReader): void {
    if (reader.fd === undefined || reader.done) return this.release(reader);
    reader.orphaned = true;
    this.loop.enqueue(reader);
  }

  release(reader: FileReader): void {
    this.closeReader(reader);
    this.readers.delete(reader.place);
    if (this.byPath.get(reader.path) === reader) this.byPath.delete(reader.path);
    if (reader.key !== undefined) this.checkpoint.forget(reader.key);
  }

  closeReader(reader: FileReader): void {
    const waiting = this.descriptors.close(reader);
    if (!this.finished) for (const waiter of waiting) this.loop.enqueue(waiter);
  }

}
