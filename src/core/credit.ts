/** Bounds on what one source may have in flight (read but not yet acknowledged). */
export interface CreditLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/**
 * Credit-based backpressure for one source. The source acquires credit for every batch it
 * emits and the batch's ack releases it. When either bound is reached the source stops
 * reading (pauses its stream, stops accepting, answers 429); it resumes when acks return
 * enough credit. Acquiring never fails: a source overshoots by at most the one read chunk
 * it already holds, so every RxJS buffer downstream stays bounded by the limits.
 */
export class Credit {
  private events = 0;
  private bytes = 0;
  private peak = 0;
  private waiters: Array<() => void> = [];

  /**
   * @param onBlocked runs whenever the source starts waiting for credit: the runtime urges the
   * acks it has out, so stages holding them for a timer deliver them now (see `Ack.urge`).
   */
  constructor(
    readonly limits: CreditLimits,
    private readonly onBlocked?: () => void,
  ) {
    if (!(limits.maxEvents > 0) || !(limits.maxBytes > 0)) {
      throw new RangeError('credit limits must be positive');
    }
  }

  /** Events currently in flight. */
  get inFlightEvents(): number {
    return this.events;
  }

  /** Bytes currently in flight. */
  get inFlightBytes(): number {
    return this.bytes;
  }

  /** The most events ever in flight at once. */
  get peakEvents(): number {
    return this.peak;
  }

  /** True when the source must stop reading. */
  get exhausted(): boolean {
    return this.events >= this.limits.maxEvents || this.bytes >= this.limits.maxBytes;
  }

  /** Takes credit for a batch about to be emitted. */
  acquire(events: number, bytes: number): void {
    this.events += events;
    this.bytes += bytes;
    if (this.events > this.peak) this.peak = this.events;
  }

  /** Returns credit when a batch's ack settles; wakes waiters once there is room again. */
  release(events: number, bytes: number): void {
    this.events -= events;
    this.bytes -= bytes;
    if (this.waiters.length > 0 && !this.exhausted) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Calls `wake` once when credit is available (at once if it already is). */
  whenAvailable(wake: () => void): void {
    if (!this.exhausted) return wake();
    this.waiters.push(wake);
    this.onBlocked?.();
  }

  /** Forgets a waiter registered with {@link whenAvailable} (teardown). */
  cancelWait(wake: () => void): void {
    const index = this.waiters.indexOf(wake);
    if (index >= 0) this.waiters.splice(index, 1);
  }
}
