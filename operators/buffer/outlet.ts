import { Ack, type AckOutcome } from '../../src/core/ack';
import type { Batch } from '../../src/core/batch';
import { BatchDeliveryError } from '../../src/core/errors';
import { LinkedSet } from '../../src/core/linked-set';
import type { LogEvent } from '../../src/core/event';

/** What a buffer hands its outlet: events to emit, and a token naming them for the settle. */
export interface Outgoing<T> {
  readonly events: LogEvent[];
  readonly bytes: number;
  readonly shared?: boolean;
  readonly token: T;
}

/** How an {@link Outlet} reaches its buffer. */
export interface OutletOptions<T> {
  /** Most batches emitted downstream whose acks have not settled. */
  readonly maxInFlight: number;
  /** The next batch to emit, or undefined when nothing is ready. */
  take(): Outgoing<T> | undefined;
  /** Whether the buffer holds something to emit (so a full window is holding it back). */
  ready(): boolean;
  /** Whether the buffer's input has ended: it waits only for the batches out before it can finish. */
  draining(): boolean;
  /** Sends a batch downstream (`subscriber.next`). */
  emit(batch: Batch): void;
  /** A downstream ack settled; `failed` counts the events it reports as not delivered. */
  settled(token: T, outcome: AckOutcome, failed: number): void;
}

/** Events a rejected downstream ack reports as failed: the listed ones, or all of them. */
export function failedEvents(outcome: AckOutcome, events: number): number {
  if (outcome.ok) return 0;
  return outcome.reason instanceof BatchDeliveryError ? outcome.reason.failures.length : events;
}

/**
 * The downstream side of a buffer, its ack boundary: emits batches under the buffer's own
 * acks, at most `maxInFlight` unsettled at a time, and emits the next one when an ack
 * settles. A slow sink therefore fills the buffer, never the RxJS queues behind it.
 * `pump` is re-entrant: a downstream that settles synchronously inside `emit` is fine.
 */
export class Outlet<T> {
  private unsettled = 0;
  /** The acks of the batches out, to urge while the window is full. */
  private readonly out = new LinkedSet<Ack>();
  private pumping = false;
  private stopped = false;

  constructor(private readonly options: OutletOptions<T>) {
    if (!(options.maxInFlight >= 1)) throw new RangeError('buffer: maxInFlight must be at least 1');
  }

  /** Batches emitted whose acks have not settled. */
  get inFlight(): number {
    return this.unsettled;
  }

  /**
   * Emits while the window has room and the buffer has something ready. When the window is
   * full and more is waiting, or the input has ended and only the batches out are left, it
   * urges the acks out: a stage holding them for a timer (a sink's batch waiting to fill)
   * sends them now instead of stalling the buffer.
   */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.unsettled < this.options.maxInFlight) {
        const next = this.options.take();
        if (next === undefined) break;
        this.unsettled += 1;
        const count = next.events.length;
        const ack = Ack.create((outcome) => {
          this.unsettled -= 1;
          this.out.remove(node);
          this.options.settled(next.token, outcome, failedEvents(outcome, count));
        });
        const node = this.out.add(ack);
        this.options.emit({ events: next.events, ack, bytes: next.bytes, shared: next.shared });
      }
    } finally {
      this.pumping = false;
    }
    const blocked = this.unsettled >= this.options.maxInFlight && this.options.ready();
    if (!this.stopped && this.out.size > 0 && (blocked || this.options.draining())) {
      for (const ack of this.out.values()) ack.urge();
    }
  }

  /** Emits nothing more (teardown); acks still out settle through `settled` as usual. */
  stop(): void {
    this.stopped = true;
  }
}
