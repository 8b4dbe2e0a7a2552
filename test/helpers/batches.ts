import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import { Ack, type AckOutcome } from '../../src/core/ack';
import { createBatch, type Batch } from '../../src/core/batch';
import { BatchDeliveryError } from '../../src/core/errors';
import type { LogEvent } from '../../src/core/event';
import { DELIVERED, type EventFailure, type SendResult, type Sink } from '../../src/core/sink';
import { deferred, type Deferred } from './async';

/** Events `{ message }`, one per message. */
export function eventsOf(...messages: string[]): LogEvent[] {
  return messages.map((message) => ({ message }));
}

/** A batch of events `{ message }` with a fresh ack, sized by their encoding. */
export function batchOf(...messages: string[]): Batch {
  return createBatch(eventsOf(...messages));
}

/** The messages of a batch joined with commas (`'a,b,c'`): the readable form for marble values. */
export function messagesOf(batch: Batch): string {
  return batch.events.map((event) => event.message).join(',');
}

/** Resolves every batch's ack as it passes: a downstream that delivers at once. */
export function acknowledge(): MonoTypeOperatorFunction<Batch> {
  return tap((batch) => batch.ack.resolve());
}

/** Where a watched ack stands. */
export type AckState = 'pending' | 'resolved' | 'rejected';

/**
 * Records how acks settle, by label: the fake "source" end of a pipeline. Every listener call
 * is kept, so a test can assert an ack settled exactly once.
 */
export class AckRecorder {
  private readonly outcomes = new Map<string, AckOutcome[]>();
  /** Labels in the order their acks settled (a label twice means it settled twice: a bug). */
  readonly order: string[] = [];

  /** Records the settlement of `ack` under `label`; returns the ack. */
  watch(ack: Ack, label: string): Ack {
    if (this.outcomes.has(label)) throw new Error(`label "${label}" is already watched`);
    this.outcomes.set(label, []);
    ack.onSettled((outcome) => {
      this.outcomes.get(label)?.push(outcome);
      this.order.push(label);
    });
    return ack;
  }

  /** A fresh ack recorded under `label`. */
  ack(label: string): Ack {
    return this.watch(Ack.create(), label);
  }

  /** A batch of `{ message }` events whose fresh ack is recorded under `label`. */
  batch(label: string, ...messages: string[]): Batch {
    return createBatch(eventsOf(...messages), this.ack(label));
  }

  /** How the ack recorded under `label` stands. */
  state(label: string): AckState {
    const [first] = this.settlements(label);
    if (first === undefined) return 'pending';
    return first.ok ? 'resolved' : 'rejected';
  }

  /** The states of several labels, for one readable assertion. */
  states(...labels: string[]): Record<string, AckState> {
    return Object.fromEntries(labels.map((label) => [label, this.state(label)]));
  }

  /** The error the ack recorded under `label` was rejected with, if it was. */
  reason(label: string): Error | undefined {
    const [first] = this.settlements(label);
    return first !== undefined && !first.ok ? first.reason : undefined;
  }

  /**
   * What the events of `label` failed with: the rejection's own error, or, when it names the
   * failed events (a `BatchDeliveryError`, as every re-batched or split ack does), the error
   * of its first failed event.
   */
  cause(label: string): Error | undefined {
    const reason = this.reason(label);
    return reason instanceof BatchDeliveryError ? reason.failures[0]?.error : reason;
  }

  /** The indices of the events of `label` its rejection names, or `all` when it names none. */
  failedIndices(label: string): number[] | 'all' | undefined {
    const reason = this.reason(label);
    if (reason === undefined) return undefined;
    return reason instanceof BatchDeliveryError ? reason.failures.map((failure) => failure.index) : 'all';
  }

  /** How many times the ack recorded under `label` settled (exactly once is the contract). */
  count(label: string): number {
    return this.settlements(label).length;
  }

  /** Every watched label whose ack has not settled. */
  pending(): string[] {
    return [...this.outcomes].filter(([, outcomes]) => outcomes.length === 0).map(([label]) => label);
  }

  private settlements(label: string): AckOutcome[] {
    const outcomes = this.outcomes.get(label);
    if (outcomes === undefined) throw new Error(`label "${label}" is not watched`);
    return outcomes;
  }
}

/** A send result in which the events at `indices` failed with `error`. */
export function failedAt(error: Error, indices: readonly number[], retryable = false): SendResult {
  const failures: EventFailure[] = indices.map((index) => ({ index, error, retryable }));
  return { failures };
}

/** How a {@link FakeSink} answers its `call`-th send (0-based); it may throw or reject. */
export type SendBehaviour = (batch: Batch, call: number) => SendResult | Promise<SendResult>;

/**
 * A sink whose answers the test decides: by default every send is delivered; pass a
 * {@link SendBehaviour}, or use {@link FakeSink.controlled} to answer each send by hand.
 * It counts sends in flight, so a test can check a concurrency bound.
 */
export class FakeSink implements Sink {
  /** Every batch passed to `send`, in call order. */
  readonly sent: Batch[] = [];
  /** The pending answers of a {@link FakeSink.controlled} sink, in call order. */
  readonly replies: Array<Deferred<SendResult>> = [];
  inFlight = 0;
  peakInFlight = 0;
  flushes = 0;
  closed = false;

  constructor(private readonly behaviour: SendBehaviour = () => DELIVERED) {}

  /** A sink whose every send waits until the test settles `sink.replies[call]`. */
  static controlled(): FakeSink {
    const sink: FakeSink = new FakeSink(() => {
      const reply = deferred<SendResult>();
      sink.replies.push(reply);
      return reply.promise;
    });
    return sink;
  }

  /** The messages of every batch sent, in call order. */
  get messages(): string[] {
    return this.sent.flatMap((batch) => batch.events.map((event) => String(event.message)));
  }

  send(batch: Batch): Promise<SendResult> {
    const call = this.sent.length;
    this.sent.push(batch);
    // A synchronous throw escapes as one, like a buggy sink's would.
    const answer = this.behaviour(batch, call);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    return Promise.resolve(answer).finally(() => {
      this.inFlight -= 1;
    });
  }

  async flush(): Promise<void> {
    this.flushes += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** What a scripted downstream does with a batch: deliver it, hold its ack, or reject it. */
export type Verdict = 'deliver' | 'hold' | Error;

/**
 * A downstream that settles each batch's ack at once as `script` says (`call` counts from
 * 0): the stand-in for "the rest of the sink" behind a reliability stage.
 */
export function scripted(script: (batch: Batch, call: number) => Verdict, held: Batch[] = []): MonoTypeOperatorFunction<Batch> {
  let call = 0;
  return tap((batch) => {
    const verdict = script(batch, call++);
    if (verdict === 'deliver') batch.ack.resolve();
    else if (verdict === 'hold') held.push(batch);
    else batch.ack.reject(verdict);
  });
}
