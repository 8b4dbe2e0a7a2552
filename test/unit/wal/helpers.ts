import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { Wal, type WalOptions } from '../../../src/wal/wal';
import type { WalEntry } from '../../../src/wal/read-path';

/** A fresh temporary directory for one log. */
export function tempDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sluice-wal-')), 'wal');
}

/** What a log reported, by kind. */
export interface Reports {
  corrupt: number;
  missing: number;
  ioErrors: Error[];
}

const opened: Array<Wal<string>> = [];

/** Closes every log {@link openWal} opened (call in `afterEach`: a failed test leaves none running). */
export async function closeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((wal) => wal.close()));
}

/** Opens a log in `dir` whose reports are counted in the returned `reports`. */
export function openWal(dir: string, options: Partial<WalOptions> = {}): { wal: Wal<string>; reports: Reports } {
  const reports: Reports = { corrupt: 0, missing: 0, ioErrors: [] };
  const wal = Wal.open<string>({
    dir,
    fsync: 'never',
    hooks: {
      onCorrupt: (count) => (reports.corrupt += count),
      onMissing: (count) => (reports.missing += count),
      onIoError: (error) => reports.ioErrors.push(error),
    },
    ...options,
  });
  opened.push(wal);
  return { wal, reports };
}

/** Appends each text as one record (no cached value: reads come back from disk). */
export function appendAll(wal: Wal<string>, texts: readonly string[]): number[] {
  return texts.map((text) => wal.append(Buffer.from(text), undefined, () => undefined));
}

/** The text of an entry, from its cached value or its payload read from disk. */
export function textOf(entry: WalEntry<string>): string {
  return entry.value ?? entry.payload?.toString('utf8') ?? '';
}

/** Reads every record available now: `[seq, text]` pairs. */
export function readAll(wal: Wal<string>): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (let entry = wal.next(); entry !== undefined; entry = wal.next()) out.push([entry.seq, textOf(entry)]);
  return out;
}

/** Texts `prefix-0` .. `prefix-(count-1)`, each padded to about `size` bytes. */
export function texts(prefix: string, count: number, size = 100): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}-`.padEnd(size, 'x'));
}

interface Pending {
  readonly due: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * A scheduler a test advances by hand: `advance(ms)` runs what falls due, in order. Enough
 * of `SchedulerLike` for periodic work (an action rescheduling itself).
 */
export class ManualScheduler implements SchedulerLike {
  private time = 0;
  private queue: Pending[] = [];

  now(): number {
    return this.time;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const subscription = new Subscription();
    const enqueue = (at: number, value: T | undefined): void => {
      const pending: Pending = { due: at, cancelled: false, run: () => work.call(action, value) };
      subscription.add(() => (pending.cancelled = true));
      this.queue.push(pending);
    };
    const action = Object.assign(subscription, {
      schedule: (next?: T, again = 0): Subscription => {
        enqueue(this.time + again, next);
        return subscription;
      },
    }) as unknown as SchedulerAction<T>;
    enqueue(this.time + delay, state);
    return subscription;
  }

  /** Moves time forward by `ms`, running every action that falls due. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.queue.filter((p) => !p.cancelled && p.due <= until).sort((a, b) => a.due - b.due)[0];
      if (due === undefined) break;
      this.queue = this.queue.filter((p) => p !== due);
      this.time = due.due;
      due.run();
    }
    this.time = until;
  }
}

/**
 * Resolves once `condition()` holds, polling every few milliseconds for up to `ms`. Real
 * disk I/O (fdatasync, rename) can take far longer than a number of event-loop turns on a
 * loaded machine, so tests waiting on it wait by time.
 */
export async function eventually(condition: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
