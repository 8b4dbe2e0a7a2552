import type { Subscriber } from 'rxjs';
import { Ack, type AckListener } from '../src/core/ack';
import type { Batch } from '../src/core/batch';
import type { LogEvent } from '../src/core/event';

/**
 * The skeleton every stage shares that re-emits batches under its own ack and reads the
 * downstream outcome (retry, circuit breaker, dead letter, both buffers): send a batch
 * downstream under a fresh ack whose urges come from the upstream ack; never end the output
 * while a downstream `next` is still running (a downstream may settle synchronously inside
 * it); end it with a hook's error, or complete it once the input completed and the stage
 * says nothing is outstanding.
 */
export class Relay {
  private emitting = 0;
  private inputDone = false;
  private thrown: { error: unknown } | undefined;

  /**
   * @param subscriber the stage's output
   * @param idle true when the stage holds nothing more (every upstream ack settled)
   */
  constructor(
    private readonly subscriber: Subscriber<Batch>,
    private readonly idle: () => boolean,
  ) {}

  /** Whether the output has ended (or was unsubscribed). */
  get closed(): boolean {
    return this.subscriber.closed;
  }

  /**
   * Emits `events` of `upstream` under a new ack that runs `settled`; an urge on the
   * upstream ack (its producer is blocked) reaches whoever holds the new one.
   */
  send(upstream: Batch, events: LogEvent[], bytes: number, settled: AckListener): void {
    const ack = upstream.ack.linkUrge(Ack.create(settled));
    this.emitting += 1;
    try {
      this.subscriber.next(events === upstream.events ? { ...upstream, ack } : { ...upstream, events, ack, bytes });
    } finally {
      this.emitting -= 1;
    }
    this.conclude();
  }

  /** Runs a user hook; one that throws ends the output with its error (acks are settled first). */
  hook(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.thrown ??= { error };
      this.conclude();
    }
  }

  /** Notes a hook's error without ending the output yet: the next {@link conclude} ends it. */
  fail(error: unknown): void {
    this.thrown ??= { error };
  }

  /** The source completed: complete once idle. */
  inputComplete(): void {
    this.inputDone = true;
    this.conclude();
  }

  /** Ends the output if it is due: with a hook's error, or complete once the input is done and the stage idle. */
  conclude(): void {
    if (this.emitting > 0 || this.subscriber.closed) return;
    if (this.thrown) this.subscriber.error(this.thrown.error);
    else if (this.inputDone && this.idle()) this.subscriber.complete();
  }
}
