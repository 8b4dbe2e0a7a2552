import { AckError, BatchDeliveryError, type FailedEvent } from './errors';
import { mergeFailures, rangeFailure, remapFailure } from './ack-failures';

/** How an acknowledgement ended: every part delivered (or dropped on purpose), or a failure. */
export type AckOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: Error };

/** Called once when an {@link Ack} settles. */
export type AckListener = (outcome: AckOutcome) => void;

const OK: AckOutcome = Object.freeze({ ok: true });

/**
 * One reference to a part of a combined batch ({@link Ack.all}): `count` events that sit at
 * `offset` in the combined batch and at `at` (default 0) in the batch `ack` belongs to.
 */
export interface AckPart {
  readonly ack: Ack;
  readonly offset: number;
  readonly count: number;
  readonly at?: number;
}

/**
 * Runs every listener even if one throws (a later one may be a source's credit release or
 * another part of `Ack.all`), then rethrows the first error so the bug still surfaces.
 */
function notifyAll(listeners: readonly AckListener[], outcome: AckOutcome): void {
  let failure: { error: unknown } | undefined;
  for (const listener of listeners) {
    try {
      listener(outcome);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

/**
 * A reference-counted delivery token, one per batch.
 *
 * It starts with one reference. Fan-out {@link Ack.retain}s it once per extra branch;
 * each holder then settles its reference exactly once with {@link Ack.resolve} (delivered,
 * buffered durably, dead-lettered, or dropped on purpose) or {@link Ack.reject} (permanent
 * failure). When the last reference is settled the ack settles: rejected if any holder
 * rejected, resolved otherwise. Listeners (the source: return credit, commit the offset,
 * answer the HTTP request) run exactly once. Settling more references than were held
 * throws {@link AckError}: it is always a bug and must surface in tests.
 */
export class Ack {
  private refs = 1;
  /** A failure of every event (a rejection that names none). */
  private failure: Error | undefined;
  /** Rejections that named their failed events; merged when the ack settles. */
  private partial: BatchDeliveryError[] | undefined;
  private urged: (() => void) | Array<() => void> | undefined;
  private outcome: AckOutcome | undefined;
  private listeners: AckListener[] | AckListener | undefined;
  private abandoned = false;

  /** A fresh ack holding one reference; `onSettled` runs once when it settles. */
  static create(onSettled?: AckListener): Ack {
    const ack = new Ack();
    if (onSettled) ack.listeners = onSettled;
    return ack;
  }

  /**
   * One ack standing for several (re-batching). Each part holds one reference of its ack
   * for `count` events; when the combined ack settles, each part learns exactly what
   * happened to *its* events: resolved when none of them failed, else rejected with a
   * {@link BatchDeliveryError} naming them by their index in the part's own batch (`at` +
   * position). A combined failure without indices fails every event of every part. An urge
   * on any part's ack reaches the combined ack's holder.
   */
  static all(parts: readonly AckPart[]): Ack {
    const combined = Ack.create((outcome) =>
      notifyAll(
        parts.map((part) => () => settlePart(part, outcome)),
        outcome,
      ),
    );
    for (const part of parts) part.ack.onUrge(() => combined.urge());
    return combined;
  }

  /** True once the last reference has been settled. */
  get settled(): boolean {
    return this.outcome !== undefined;
  }

  /** References still unsettled. */
  get pending(): number {
    return this.refs;
  }

  /** The final outcome, once settled. */
  get result(): AckOutcome | undefined {
    return this.outcome;
  }

  /** Adds `count` references (fan-out to `count` more branches, splitting a batch). */
  retain(count = 1): this {
    if (this.abandoned) return this;
    if (this.outcome) throw new AckError('retain() on an ack that has already settled');
    this.refs += count;
    return this;
  }

  /** Settles one reference as delivered (or dropped on purpose). */
  resolve(): void {
    this.release();
  }

  /**
   * Settles one reference as failed; the ack will settle rejected. A
   * {@link BatchDeliveryError} says which events failed: the failures of every reference
   * are merged (each event once; a permanent failure wins over a retryable one), so the
   * source learns exactly which of its events were not delivered. Any other error fails
   * every event of the batch.
   */
  reject(reason: Error): void {
    if (reason instanceof BatchDeliveryError) (this.partial ??= []).push(reason);
    else this.failure ??= reason;
    this.release();
  }

  /**
   * Hands `count` events of this batch, starting at `offset`, to another holder: retains
   * one reference and returns a child ack for them. The child's outcome settles that
   * reference with its failures renumbered into this batch (a failure without indices
   * fails exactly those `count` events); urges on this ack reach the child's holder.
   */
  slice(offset: number, count: number): Ack {
    this.retain();
    const child = Ack.create((outcome) => {
      if (outcome.ok) this.resolve();
      else this.reject(remapFailure(outcome.reason, count, (index) => offset + index));
    });
    return this.linkUrge(child);
  }

  /**
   * Like {@link slice} for events picked out of this batch (a filter's survivors): event
   * `i` of the child is event `indices[i]` of this batch.
   */
  pick(indices: readonly number[]): Ack {
    this.retain();
    const child = Ack.create((outcome) => {
      if (outcome.ok) this.resolve();
      else this.reject(remapFailure(outcome.reason, indices.length, (index) => indices[index]));
    });
    return this.linkUrge(child);
  }

  /**
   * Asks whoever holds this ack to finish with it soon: its producer cannot send more
   * until it settles (a source out of credit, a buffer whose window is full). A stage
   * holding events for a timer (a batch waiting to fill, an interval fsync) flushes now.
   */
  urge(): void {
    const listeners = this.urged;
    if (listeners === undefined || this.outcome) return;
    if (typeof listeners === 'function') listeners();
    else for (const listener of listeners.slice()) listener();
  }

  /** Runs `listener` on every {@link urge} until the ack settles. */
  onUrge(listener: () => void): void {
    if (this.outcome) return;
    if (this.urged === undefined) this.urged = listener;
    else if (typeof this.urged === 'function') this.urged = [this.urged, listener];
    else this.urged.push(listener);
  }

  /** Passes urges on this ack to `downstream` (a stage re-emitting under its own ack); returns it. */
  linkUrge(downstream: Ack): Ack {
    if (downstream !== this) this.onUrge(() => downstream.urge());
    return downstream;
  }

  /**
   * Settles the ack now as rejected, whatever references are still out, because whoever
   * held them is gone (a graph branch that died mid-batch). Work still in flight for it may
   * settle later; those late settles are ignored rather than thrown, which is the one
   * relaxation of the exactly-once rule and the reason only fan-out uses this.
   */
  abandon(reason: Error): void {
    if (this.outcome) return;
    this.abandoned = true;
    this.failure ??= reason;
    this.refs = 1;
    this.release();
  }

  /** Runs `listener` once the ack settles (at once if it already has). */
  onSettled(listener: AckListener): void {
    if (this.outcome) {
      listener(this.outcome);
    } else if (this.listeners === undefined) {
      this.listeners = listener;
    } else if (typeof this.listeners === 'function') {
      this.listeners = [this.listeners, listener];
    } else {
      this.listeners.push(listener);
    }
  }

  /** A promise of the outcome; it never rejects (the outcome says whether delivery failed). */
  settledPromise(): Promise<AckOutcome> {
    return new Promise((done) => this.onSettled(done));
  }

  private release(): void {
    if (this.refs <= 0) {
      if (this.abandoned) return;
      throw new AckError('ack settled more times than it was retained');
    }
    this.refs -= 1;
    if (this.refs > 0) return;
    const reason = this.failure ?? (this.partial && mergeFailures(this.partial));
    const outcome: AckOutcome = reason ? { ok: false, reason } : OK;
    this.outcome = outcome;
    this.urged = undefined;
    this.partial = undefined;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners(outcome);
    else if (listeners) notifyAll(listeners, outcome);
  }
}

/** Settles a part's reference from the combined outcome: only its own events' failures. */
function settlePart(part: AckPart, outcome: AckOutcome): void {
  if (outcome.ok) return part.ack.resolve();
  const { offset, count } = part;
  const at = part.at ?? 0;
  const reason = outcome.reason;
  // A part that carries no events (an empty batch's ack) just hears the outcome.
  if (count === 0) return part.ack.reject(reason);
  if (!(reason instanceof BatchDeliveryError)) return part.ack.reject(rangeFailure(reason, at, count));
  const mine: FailedEvent[] = [];
  for (const failure of reason.failures) {
    const index = failure.index - offset;
    if (index >= 0 && index < count) mine.push({ ...failure, index: at + index });
  }
  if (mine.length === 0) part.ack.resolve();
  else part.ack.reject(new BatchDeliveryError(mine, at + count));
}
