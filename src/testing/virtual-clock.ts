import { TestScheduler } from 'rxjs/testing';

/**
 * Where virtual time starts unless told: 2026-01-01T00:00:00.000Z, so the timestamps a
 * stage stamps read like real ones (and stay the same from run to run).
 */
export const DEFAULT_EPOCH_MS = Date.UTC(2026, 0, 1);

/** File operations and compression on libuv's thread pool: real work a virtual timer must not overtake. */
const THREAD_POOL_WORK = /^(FSReq|FileHandle|Zlib|ZLIB)/;

/** Longest real time to wait for thread-pool work before moving virtual time anyway. */
const MAX_IO_WAIT_MS = 5_000;

function threadPoolBusy(): boolean {
  return process.getActiveResourcesInfo().some((resource) => THREAD_POOL_WORK.test(resource));
}

/**
 * Lets real work finish before virtual time moves: promise callbacks (a few macrotask turns)
 * and file writes, fsyncs and compression in flight (a disk buffer, a dead-letter queue). So
 * a 1 s fsync-interval timer does not fire ten times while one real write is on its way, and
 * a run's virtual timeline does not depend on how fast the disk is.
 */
async function settleRealWork(turns = 3): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  const deadline = Date.now() + MAX_IO_WAIT_MS;
  while (threadPoolBusy() && Date.now() < deadline) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let turn = 0; turn < turns; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Virtual time for a whole pipeline: a {@link TestScheduler} that the graph takes as its
 * scheduler (every batch timeout, retry backoff, breaker reset and window close is scheduled
 * on it), advanced one due action at a time with real promises and I/O settled in between.
 * `TestScheduler.run()` cannot do this: it flushes synchronously, while sinks answer with
 * promises and a disk buffer writes files. `now()` is `epochMs` plus the elapsed frames.
 */
export class VirtualClock {
  readonly scheduler: TestScheduler;

  constructor(readonly epochMs: number = DEFAULT_EPOCH_MS) {
    this.scheduler = new TestScheduler((actual, expected) => {
      if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marble assertion failed');
    });
    const scheduler = this.scheduler;
    scheduler.now = () => epochMs + scheduler.frame;
  }

  /** Virtual milliseconds since the clock started. */
  get elapsedMs(): number {
    return this.scheduler.frame;
  }

  /** The virtual time now, in epoch milliseconds. */
  now(): number {
    return this.scheduler.now();
  }

  /** True when some scheduled work is due at or before `elapsedMs` (virtual, since the start). */
  hasWorkDue(elapsedMs: number): boolean {
    const next = this.scheduler.actions[0];
    return next !== undefined && next.delay <= elapsedMs;
  }

  /** Runs the next scheduled action (moving time to it); false when there is none. */
  step(): boolean {
    const { scheduler } = this;
    const action = scheduler.actions.shift();
    if (!action) return false;
    scheduler.frame = Math.max(scheduler.frame, action.delay);
    const error: unknown = action.execute(action.state, action.delay);
    if (error) throw error;
    return true;
  }

  /**
   * Moves time forward by `ms`, running everything that falls due on the way in order, with
   * real promises settled before each action (a send's answer arrives before its timeout).
   */
  async advance(ms: number): Promise<void> {
    const target = this.scheduler.frame + ms;
    for (;;) {
      await settleRealWork();
      if (!this.hasWorkDue(target)) break;
      this.step();
    }
    this.scheduler.frame = Math.max(this.scheduler.frame, target);
    await settleRealWork();
  }

  /**
   * Runs until `done` settles: real work first, then the next virtual action, and so on.
   * Stops when what is scheduled lies past `horizonMs` of virtual time, or once nothing is
   * scheduled and no real work has made progress for `idleRealMs`; resolves with whether
   * `done` settled.
   */
  async runUntil(done: Promise<unknown>, options: { horizonMs: number; idleRealMs?: number }): Promise<boolean> {
    let finished = false;
    done.then(
      () => (finished = true),
      () => (finished = true),
    );
    const horizon = this.scheduler.frame + options.horizonMs;
    const idleRealMs = options.idleRealMs ?? 2000;
    let idleSince: number | undefined;
    while (!finished) {
      await settleRealWork();
      if (finished) break;
      if (this.hasWorkDue(horizon)) {
        idleSince = undefined;
        this.step();
        continue;
      }
      // Work is scheduled, only past the horizon: the run is stuck in virtual time.
      if (this.scheduler.actions.length > 0) break;
      // Nothing virtual is scheduled at all: a file write or fsync may still be on its way.
      // Wait for it in real time, briefly; stalled for idleRealMs means stuck for good.
      idleSince ??= Date.now();
      if (Date.now() - idleSince > idleRealMs) break;
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
    return finished;
  }
}
