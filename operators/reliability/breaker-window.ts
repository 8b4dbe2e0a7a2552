/**
 * Batch outcomes of about the last `windowMs`, counted in `slots` time slots so that memory
 * stays bounded at any batch rate. The window slides one slot at a time: it covers between
 * `(slots − 1)/slots` and all of `windowMs`.
 *
 * ```
 * slots:    [t0 ][t1 ][t2 ]...[t9 ]     (window 60s → 10 slots of 6s)
 * rate:     failed / total over the slots younger than the window
 * ```
 *
 * @see circuitBreaker
 */
export class BreakerWindow {
  private readonly slotMs: number;
  private readonly keys: number[];
  private readonly totals: number[];
  private readonly failures: number[];

  constructor(
    windowMs: number,
    private readonly slots = 10,
  ) {
    if (!(windowMs > 0)) throw new RangeError('circuit breaker window must be longer than 0ms');
    this.slotMs = windowMs / slots;
    this.keys = new Array<number>(slots).fill(Number.NEGATIVE_INFINITY);
    this.totals = new Array<number>(slots).fill(0);
    this.failures = new Array<number>(slots).fill(0);
  }

  /** Counts one batch outcome at time `now` (ms). */
  add(now: number, failed: boolean): void {
    const key = Math.floor(now / this.slotMs);
    const slot = ((key % this.slots) + this.slots) % this.slots;
    if (this.keys[slot] !== key) {
      this.keys[slot] = key;
      this.totals[slot] = 0;
      this.failures[slot] = 0;
    }
    this.totals[slot] += 1;
    if (failed) this.failures[slot] += 1;
  }

  /**
   * True when, at time `now`, the window holds at least `minimum` outcomes, at least one of
   * them failed, and the failed share is `threshold` or more.
   */
  tripped(now: number, threshold: number, minimum: number): boolean {
    const oldest = Math.floor(now / this.slotMs) - this.slots;
    let total = 0;
    let failed = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.keys[slot] <= oldest) continue;
      total += this.totals[slot];
      failed += this.failures[slot];
    }
    return total >= minimum && failed > 0 && failed >= threshold * total;
  }

  /** Forgets every outcome (the circuit changed state). */
  clear(): void {
    this.keys.fill(Number.NEGATIVE_INFINITY);
  }
}
