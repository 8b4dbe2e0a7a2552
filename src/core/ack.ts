import { AckError } from './errors';

/** How an acknowledgement ended: every part delivered (or dropped on purpose), or a failure. */
export type AckOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: Error };

/** Called once when an {@link Ack} settles. */
export type AckListener = (outcome: AckOutcome) => void;

const OK: AckOutcome = Object.freeze({ ok: true });

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
  private failure: Error | undefined;
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
   * One ack standing for several (re-batching): settling it settles every part with the
   * same outcome. Each part must be owned by the caller (one reference each).
   */
  static all(parts: readonly Ack[]): Ack {
    if (parts.length === 1) return parts[0];
    return Ack.create((outcome) =>
      notifyAll(
        parts.map((part) => () => (outcome.ok ? part.resolve() : part.reject(outcome.reason))),
        outcome,
      ),
    );
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

  /** Settles one reference as permanently failed; the whole ack will settle rejected. */
  reject(reason: Error): void {
    if (this.failure === undefined) this.failure = reason;
    this.release();
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
    const outcome: AckOutcome = this.failure ? { ok: false, reason: this.failure } : OK;
    this.outcome = outcome;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (typeof listeners === 'function') listeners(outcome);
    else if (listeners) notifyAll(listeners, outcome);
  }
}
