import { status, type Metadata } from '@grpc/grpc-js';
import type { Subscriber } from 'rxjs';
import type { AckOutcome } from '../../core/ack';
import type { Batch, BatchMeta } from '../../core/batch';
import type { LogEvent } from '../../core/event';
import { BatchDeliveryError, isRetryable } from '../../core/errors';
import type { SourceContext } from '../../components/context';
import type { ApiKeys } from '../ingest/api-keys';
import type { RateLimiter } from '../ingest/rate-limit';
import type { AckMode } from '../ingest/options';
import type { NormalizeLimits } from '../ingest/normalize';
import type { ItemError } from './ingest-events';

/** Why a whole request was refused, as a gRPC status and a retry hint. */
export interface Refusal {
  readonly code: status;
  readonly details: string;
  /** Set when resending later may succeed. */
  readonly retryAfterMs?: number;
  /** The `reason` label of the rejected-events counter. */
  readonly reason: string;
}

/** The caller a request was accepted for. */
export interface Caller {
  /** The API key's id, or the peer address when authentication is off (rate-limit key). */
  readonly key: string;
  readonly meta: BatchMeta;
}

/** Settings the handlers share. */
export interface IntakeOptions {
  readonly apiKeys: ApiKeys | undefined;
  readonly rateLimiter: RateLimiter | undefined;
  readonly ack: AckMode;
  readonly limits: NormalizeLimits;
  /** The hint given with RESOURCE_EXHAUSTED when credit is out. */
  readonly creditRetryMs: number;
}

const header = (metadata: Metadata, name: string): string | undefined => {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * What every handler of the source shares: the gate a request passes (draining, API key,
 * rate limit, credit), the hand-off of its events to the pipeline (credit taken through
 * `ctx.track`, answered when the ack settles or at once with `ack: received`), the counting
 * of every rejection, and the set of answers still owed, which a drain fails at its deadline.
 */
export class Intake {
  draining = false;
  private readonly owed = new Set<(refusal: Refusal) => void>();
  private readonly rejectedEvents: (reason: string) => { inc(value?: number): void };
  private subscriber: Subscriber<Batch> | undefined;
  private nextConnection = 0;
  private idle: (() => void) | undefined;

  constructor(
    readonly ctx: SourceContext,
    readonly options: IntakeOptions,
  ) {
    this.rejectedEvents = ctx.metrics.labelledCounter('sluice_source_rejected_events_total', 'Events an ingest source refused to its client, by reason.', 'reason');
  }

  /** Where batches go; unset once the source completed (a late request is refused as draining). */
  attach(subscriber: Subscriber<Batch> | undefined): void {
    this.subscriber = subscriber;
  }

  /** Answers still owed to clients (in-flight batches). */
  get owedAnswers(): number {
    return this.owed.size;
  }

  /** A fresh id for one call, unique while the process runs (batch meta `connection`). */
  connectionId(): string {
    return `grpc-${++this.nextConnection}`;
  }

  /** Counts `count` events refused for `reason` (and the request, in errors_total). */
  countRejected(reason: string, count: number): void {
    if (count > 0) this.rejectedEvents(reason).inc(count);
  }

  /** The caller, or why the request is refused before reading it (draining, no key). */
  admit(metadata: Metadata, peer: string, input: string): Caller | Refusal {
    if (this.draining || this.subscriber === undefined) return { code: status.UNAVAILABLE, details: 'sluice is draining; resend to another instance or after the restart', retryAfterMs: 1000, reason: 'draining' };
    let key = peer;
    let meta: BatchMeta = { source: this.ctx.id, input, peer };
    const apiKeys = this.options.apiKeys;
    if (apiKeys !== undefined) {
      const id = apiKeys.authenticate(header(metadata, 'authorization'), header(metadata, 'x-api-key'));
      if (id === undefined) return { code: status.UNAUTHENTICATED, details: 'a known API key is required (authorization: Bearer <key>, or x-api-key)', reason: 'unauthenticated' };
      key = id;
      meta = { ...meta, api_key: id };
    }
    return { key, meta };
  }

  /** Why a batch of `events` from `caller` cannot be taken now (rate limit, credit), if so. */
  throttle(caller: Caller, events: number): Refusal | undefined {
    if (this.draining || this.subscriber === undefined) return { code: status.UNAVAILABLE, details: 'sluice is draining', retryAfterMs: 1000, reason: 'draining' };
    const waitMs = this.options.rateLimiter?.take(caller.key, events) ?? 0;
    if (waitMs > 0) return { code: status.RESOURCE_EXHAUSTED, details: `rate limit: retry in ${waitMs} ms`, retryAfterMs: waitMs, reason: 'rate_limited' };
    if (this.ctx.credit.exhausted) return { code: status.RESOURCE_EXHAUSTED, details: 'sluice is at its in-flight limit (credit); retry shortly', retryAfterMs: this.options.creditRetryMs, reason: 'no_credit' };
    return undefined;
  }

  /**
   * Hands `events` (read as `bytes`) to the pipeline and calls `answer` once: with the
   * failures by event index (empty: all delivered) when the ack settles, at once with
   * `ack: received`, or with the refusal when a drain's deadline passes first. An empty
   * batch is answered at once without touching the pipeline.
   */
  submit(events: LogEvent[], bytes: number, meta: BatchMeta, answer: (failures: ItemError[] | Refusal) => void): void {
    if (events.length === 0 || this.subscriber === undefined) {
      answer(events.length === 0 ? [] : { code: status.UNAVAILABLE, details: 'sluice is draining', retryAfterMs: 1000, reason: 'draining' });
      return;
    }
    let answered = false;
    const once = (result: ItemError[] | Refusal): void => {
      if (answered) return;
      answered = true;
      this.owed.delete(fail);
      answer(result);
      if (this.owed.size === 0 && this.idle !== undefined) {
        const idle = this.idle;
        this.idle = undefined;
        idle();
      }
    };
    const fail = (refusal: Refusal): void => once(refusal);
    const received = this.options.ack === 'received';
    const ack = this.ctx.track(events.length, bytes, received ? undefined : (outcome) => once(failuresOf(outcome, events.length)));
    if (!received) this.owed.add(fail);
    this.subscriber.next({ events, ack, bytes, meta });
    if (received) once([]);
  }

  /** Calls `listener` once no answer is owed (at once if none is). */
  whenIdle(listener: () => void): void {
    if (this.owed.size === 0) listener();
    else this.idle = listener;
  }

  /** Fails every answer still owed (the drain deadline passed) with `refusal`. */
  failOwed(refusal: Refusal): void {
    for (const fail of [...this.owed]) fail(refusal);
  }
}

/** The failed events of a settled ack, by index in the submitted batch. */
export function failuresOf(outcome: AckOutcome, count: number): ItemError[] {
  if (outcome.ok) return [];
  const reason = outcome.reason;
  if (reason instanceof BatchDeliveryError) {
    return reason.failures.filter((failure) => failure.index >= 0 && failure.index < count).map((failure) => ({ index: failure.index, reason: failure.error.message, retryable: failure.retryable }));
  }
  const retryable = isRetryable(reason);
  const failures: ItemError[] = new Array<ItemError>(count);
  for (let index = 0; index < count; index++) failures[index] = { index, reason: reason.message, retryable };
  return failures;
}
