import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { syncDirectory, type SegmentWriter } from './segment-writer';

/** When appended records are made durable before their callbacks run. */
export type FsyncPolicy = 'always' | 'interval' | 'never';

/** Told once a record is durable per the policy (`error` when its write or sync failed). */
export type Durable = (error?: Error) => void;

/** Options of {@link Durability}. */
export interface DurabilityOptions {
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  readonly scheduler?: SchedulerLike;
  /** A sync failed (the callbacks it covered get the error too), or closing a synced segment did. */
  readonly onError: (error: Error) => void;
}

const ignore = (): void => undefined;

/**
 * `interval`: a sync also starts once this many written bytes wait for one. The callbacks
 * are upstream acks, so without it a source whose credit covers less than one interval of
 * data waits for the timer: throughput capped at credit / `fsyncIntervalMs`.
 */
export const INTERVAL_SYNC_BYTES = 1024 * 1024;

/**
 * The fsync policy of a journal. `always`: a sync starts after every write, and writes
 * that land while it runs share the next one (group commit). `interval`: a sync runs every
 * `fsyncIntervalMs` on the scheduler, or sooner once {@link INTERVAL_SYNC_BYTES} wait for one. `never`: callbacks run once written. A sync covers
 * the active segment, segments retired since the last one, and the directory when a
 * segment was created; a retired segment's descriptor is closed only after that.
 */
export class Durability {
  private unsynced: Durable[] = [];
  private unsyncedBytes = 0;
  private retired: SegmentWriter[] = [];
  private directoryDirty = false;
  private running: Promise<void> | undefined;
  private readonly ticker: Subscription | undefined;

  constructor(
    private readonly options: DurabilityOptions,
    /** The segment being written, and a write of what is queued before a sync. */
    private readonly active: () => SegmentWriter,
    private readonly flush: () => void,
  ) {
    if (options.fsync === 'interval') {
      const period = options.fsyncIntervalMs;
      const tick = (): void => void this.sync().catch(ignore);
      this.ticker = (options.scheduler ?? asyncScheduler).schedule(function (this: SchedulerAction<unknown>) {
        tick();
        this.schedule(undefined, period);
      }, period);
    }
  }

  /** `bytes` of records were written: their callbacks run now (`never`) or after a sync. */
  written(callbacks: readonly Durable[], bytes: number): void {
    if (this.options.fsync === 'never') {
      for (const callback of callbacks) callback();
      return;
    }
    for (const callback of callbacks) this.unsynced.push(callback);
    this.unsyncedBytes += bytes;
    if (this.options.fsync === 'always' || this.unsyncedBytes >= INTERVAL_SYNC_BYTES) this.sync().catch(ignore);
  }

  /** The active segment was replaced: it is synced once more, then closed. */
  retire(writer: SegmentWriter): void {
    if (this.options.fsync === 'never') writer.close();
    else this.retired.push(writer);
  }

  /** A segment file was created: the next sync includes the directory. */
  directoryChanged(): void {
    this.directoryDirty = this.options.fsync !== 'never';
  }

  /** Syncs what is written, then runs the callbacks it covered; one sync at a time. */
  async sync(): Promise<void> {
    this.flush();
    while (this.running) await this.running.catch(ignore);
    if (this.unsynced.length === 0 && this.retired.length === 0 && !this.directoryDirty) return;
    const callbacks = this.unsynced;
    const retired = this.retired;
    const directory = this.directoryDirty;
    [this.unsynced, this.retired, this.directoryDirty, this.unsyncedBytes] = [[], [], false, 0];
    const syncs = [this.active().sync(), ...retired.map((writer) => writer.sync())];
    if (directory) syncs.push(syncDirectory(this.options.dir));
    const run = async (): Promise<void> => {
      // allSettled: no descriptor is closed while a sync on it is still running.
      const failed = (await Promise.allSettled(syncs)).find((result) => result.status === 'rejected');
      for (const writer of retired) writer.closeInBackground(this.options.onError);
      if (failed === undefined) {
        for (const callback of callbacks) callback();
        return;
      }
      const error = failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
      this.options.onError(error);
      for (const callback of callbacks) callback(error);
      throw error;
    };
    this.running = run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and runs a last sync (unless `never`); never rejects. */
  async close(): Promise<void> {
    this.ticker?.unsubscribe();
    if (this.options.fsync === 'never') this.flush();
    else await this.sync().catch(ignore);
    while (this.running) await this.running.catch(ignore);
    for (const writer of this.retired.splice(0)) writer.close();
  }
}
