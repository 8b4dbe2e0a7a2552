import { EventEmitter } from 'node:events';
import { status as Status, type Client, type ClientDuplexStream, type StatusObject } from '@grpc/grpc-js';
import { backoffDelay } from '../../operators/reliability/backoff';
import { interpretAck } from './ack-outcome';
import { BatchWindow, type Batch } from './batch-window';
import { openStreamCall, whenReady } from './connection';
import { encodeEvent, type IngestEvent } from './event';
import type { ResolvedClientOptions } from './options';
import { ingestCodec, type IngestCodec } from './proto';
import { resolveStreamOptions, type AckInfo, type FailedEvent, type GiveUp, type GiveUpCause, type IngestStreamOptions, type ResolvedStreamOptions } from './stream-options';

/** The events an {@link IngestStream} emits. */
export interface IngestStreamEvents {
  /** The window has room again after `write` returned false. */
  drain: [];
  /** A batch was settled by sluice (fully or partly accepted). */
  ack: [AckInfo];
  /** Events the stream will not deliver, with the reason for each. */
  'give-up': [GiveUp];
  /** A stream to sluice is open (again). */
  connect: [];
  /** The stream to sluice ended or failed; unacknowledged batches are resent after a reconnect. */
  disconnect: [Error];
  /** Something unexpected that is not fatal (an ack for an unknown batch, an undecodable ack). */
  warning: [Error];
}

/** Counters of one stream, for logs and health checks. */
export interface StreamStats {
  readonly connected: boolean;
  readonly pendingEvents: number;
  readonly unackedBatches: number;
  readonly unackedBytes: number;
  readonly written: number;
  readonly accepted: number;
  readonly retried: number;
  readonly gaveUp: number;
  readonly batchesSent: number;
  readonly disconnects: number;
}

/** Outcome of {@link IngestStream.close}. */
export interface CloseResult {
  /** Events sluice acknowledged over the stream's life. */
  readonly accepted: number;
  /** Events given up on over the stream's life (including at the close deadline). */
  readonly gaveUp: number;
}

/**
 * A bidirectional `Stream` call to sluice with a bounded window of unacknowledged batches.
 *
 * `write` batches events (by count, bytes and linger time) and returns false once a full
 * batch is waiting for room in the window (`send` is the promise form). Each batch keeps its
 * sequence number and encoded bytes until sluice answers it: after a disconnect every
 * unanswered batch is resent on the next stream (at least once delivery), after a capped
 * exponential backoff with jitter. A partial ack resends only the items marked retryable;
 * the rest, and whatever exceeds `maxAttempts` / `maxAgeMs`, is reported by `give-up`.
 */
export class IngestStream extends EventEmitter<IngestStreamEvents> {
  private readonly options: ResolvedStreamOptions;
  private readonly codec: IngestCodec = ingestCodec();
  private readonly window: BatchWindow;
  private call: ClientDuplexStream<Buffer, Buffer> | undefined;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  /** The `pendingSince` the linger timer was armed for. */
  private lingerFor: number | undefined;
  private ageTimer: NodeJS.Timeout | undefined;
  /** The oldest unsent batch's write time the age timer was armed for (Infinity: none). */
  private ageFor = Infinity;
  private failures = 0;
  /** Why the last connection attempt or stream failed; cleared by an ack. */
  private connectionProblem: string | undefined;
  /** `write` returned false since the last `drain`. */
  private needsDrain = false;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private drainWaiters: Array<() => void> = [];
  private settleWaiters: Array<() => void> = [];
  private closing: Promise<CloseResult> | undefined;
  private counts = { written: 0, accepted: 0, retried: 0, gaveUp: 0, batchesSent: 0, disconnects: 0 };

  constructor(
    private readonly channel: Client,
    private readonly client: ResolvedClientOptions,
    options: IngestStreamOptions = {},
  ) {
    super();
    this.options = resolveStreamOptions(options);
    this.window = new BatchWindow(this.options, this.codec.encodeStream);
  }

  /** Queues one event. False means the window is full: wait for `drain` (or use {@link send}). */
  write(event: IngestEvent): boolean {
    if (this.state !== 'open') throw new Error('sluice client: write after close()');
    this.counts.written += 1;
    const encoded = encodeEvent(event);
    if ('error' in encoded) this.giveUp('invalid', [{ event, reason: encoded.error }]);
    else if (encoded.bytes > this.options.maxEventBytes) {
      this.giveUp('invalid', [{ event, reason: `event of about ${encoded.bytes} bytes is over maxEventBytes (${this.options.maxEventBytes})` }]);
    } else {
      this.window.add({ event, wire: encoded.wire, bytes: encoded.bytes, writtenAt: Date.now() });
      this.pump();
    }
    if (!this.window.pendingFull) return true;
    this.needsDrain = true;
    return false;
  }

  /** Queues one event; resolves at once while the window has room, else once it has. */
  send(event: IngestEvent): Promise<void> {
    if (this.write(event)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Resolves once every event written so far is acknowledged or given up. */
  flush(): Promise<void> {
    if (this.window.empty) return Promise.resolve();
    const settled = new Promise<void>((resolve) => this.settleWaiters.push(resolve));
    this.pump();
    return settled;
  }

  /**
   * Sends what is pending and waits up to `timeoutMs` (default 10 s) for sluice to acknowledge
   * everything; what is still unacknowledged then is given up (cause `closed`). Idempotent.
   */
  close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closing ??= this.shutDown(options.timeoutMs ?? 10_000);
    return this.closing;
  }

  stats(): StreamStats {
    return { ...this.counts, connected: this.call !== undefined, pendingEvents: this.window.pendingCount, unackedBatches: this.window.unacked.size, unackedBytes: this.window.bytes };
  }

  private async shutDown(timeoutMs: number): Promise<CloseResult> {
    this.state = 'closing';
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([this.flush().then(() => false), new Promise<boolean>((resolve) => (deadline = setTimeout(resolve, timeoutMs, true)))]);
    clearTimeout(deadline);
    this.state = 'closed';
    if (timedOut) {
      const failures: FailedEvent[] = [];
      for (const batch of this.window.unacked.values()) {
        this.window.settle(batch);
        for (const item of batch.items) failures.push({ event: item.event, reason: `close() deadline of ${timeoutMs} ms passed: ${batch.lastError}` });
      }
      for (const item of this.window.takePending()) failures.push({ event: item.event, reason: `close() deadline of ${timeoutMs} ms passed before it was sent` });
      if (failures.length > 0) this.giveUp('closed', failures);
    }
    clearTimeout(this.lingerTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.ageTimer);
    const call = this.call;
    this.call = undefined;
    if (call !== undefined) {
      call.end();
      if (timedOut) call.cancel();
    }
    for (const resolve of this.drainWaiters.splice(0).concat(this.settleWaiters.splice(0))) resolve();
    return { accepted: this.counts.accepted, gaveUp: this.counts.gaveUp };
  }

  /** Cuts what can be cut, sends it, and wakes writers and flushers. Called after every change. */
  private pump(): void {
    if (this.state === 'closed') return;
    const since = this.window.pendingSince;
    const overdue = since !== undefined && Date.now() - since >= this.options.lingerMs;
    const force = overdue || this.state === 'closing' || this.settleWaiters.length > 0;
    // Dispatching may give a batch up (too old), which frees room for the next cut.
    for (let batches = this.window.cut(force); batches.length > 0; batches = this.window.cut(force)) {
      for (const batch of batches) this.dispatch(batch);
    }
    // One linger timer per oldest pending event: re-arming it on every write costs more than the write.
    const next = this.window.pendingSince;
    if (next !== this.lingerFor || overdue) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
      this.lingerFor = undefined;
      if (next !== undefined && !overdue) {
        this.lingerFor = next;
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.lingerFor = undefined;
          this.pump();
        }, Math.max(0, next + this.options.lingerMs - Date.now()));
      }
    }
    this.scheduleAgeCheck();
    if (this.needsDrain && !this.window.pendingFull) {
      this.needsDrain = false;
      for (const resolve of this.drainWaiters.splice(0)) resolve();
      this.emit('drain');
    }
    if (this.window.empty) for (const resolve of this.settleWaiters.splice(0)) resolve();
  }

  /**
   * With `maxAgeMs`, wakes up when the oldest unsent batch comes of age, so events waiting for
   * a connection (or a retry) are given up on time and their room in the window is freed.
   */
  private scheduleAgeCheck(): void {
    if (!Number.isFinite(this.options.maxAgeMs)) return;
    let oldest = Infinity;
    for (const batch of this.window.unacked.values()) if (batch.state !== 'sent') oldest = Math.min(oldest, batch.oldestWrittenAt);
    if (oldest === this.ageFor) return;
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
    this.ageFor = oldest;
    if (oldest === Infinity) return;
    this.ageTimer = setTimeout(() => {
      this.ageTimer = undefined;
      this.ageFor = Infinity;
      for (const batch of this.window.unacked.values()) if (batch.state !== 'sent') this.expired(batch);
      this.pump();
    }, Math.max(0, oldest + this.options.maxAgeMs + 1 - Date.now()));
  }

  /** Sends `batch` now if a stream is open (else on the next one), unless it is due to be given up. */
  private dispatch(batch: Batch): void {
    if (this.expired(batch)) return;
    if (this.call === undefined) {
      batch.state = 'ready';
      if (batch.attempts === 0) batch.lastError = this.connectionProblem ?? `no connection to ${this.client.address} yet`;
      this.connect();
      return;
    }
    batch.attempts += 1;
    batch.state = 'sent';
    this.counts.batchesSent += 1;
    this.call.write(batch.payload);
  }

  /** Gives `batch` up when it was sent `maxAttempts` times or is older than `maxAgeMs`. */
  private expired(batch: Batch): boolean {
    let cause: GiveUpCause | undefined;
    let reason = '';
    if (batch.attempts >= this.options.maxAttempts) {
      cause = 'attempts';
      reason = `not acknowledged after ${batch.attempts} attempts (last: ${batch.lastError})`;
    } else if (Date.now() - batch.oldestWrittenAt > this.options.maxAgeMs) {
      cause = 'max_age';
      reason = `not acknowledged within maxAgeMs (${this.options.maxAgeMs} ms; last: ${batch.lastError})`;
    }
    if (cause === undefined) return false;
    this.window.settle(batch);
    this.giveUp(cause, batch.items.map((item) => ({ event: item.event, reason })));
    return true;
  }

  private connect(): void {
    if (this.call !== undefined || this.connecting || this.reconnectTimer !== undefined || this.state === 'closed') return;
    this.connecting = true;
    // whenReady never calls back synchronously: connect() is reached from inside pump(), which must finish its cut first.
    whenReady(this.channel, Date.now() + this.client.connectTimeoutMs, () => this.state === 'closed', (readiness) => {
      this.connecting = false;
      if (readiness.ready) this.openCall();
      else this.retryLater(`cannot connect to ${this.client.address}: ${readiness.problem}`);
    });
  }

  /** Marks unsent batches with `reason`, gives up the expired ones, and reconnects after a backoff. */
  private retryLater(reason: string): void {
    this.failures += 1;
    this.connectionProblem = reason;
    for (const batch of this.window.unacked.values()) {
      if (batch.state === 'sent') batch.state = 'ready';
      if (batch.state !== 'ready') continue;
      batch.lastError = reason;
      this.expired(batch);
    }
    const work = [...this.window.unacked.values()].some((batch) => batch.state === 'ready');
    if (work && this.reconnectTimer === undefined) {
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if ([...this.window.unacked.values()].some((batch) => batch.state === 'ready')) this.connect();
      }, backoffDelay(this.failures, this.client.backoff, this.options.random));
    }
    this.pump();
  }

  private openCall(): void {
    const call = openStreamCall(this.channel, this.client.metadata, {
      onAck: (bytes) => this.onAck(call, bytes),
      onEnd: (status) => this.onStatus(call, status),
    });
    this.call = call;
    this.emit('connect');
    for (const batch of this.window.unacked.values()) if (batch.state === 'ready') this.dispatch(batch);
    this.pump();
  }

  private onStatus(call: ClientDuplexStream<Buffer, Buffer>, status: StatusObject): void {
    if (call !== this.call) return;
    this.call = undefined;
    this.counts.disconnects += 1;
    const reason = status.code === Status.OK ? 'stream ended by sluice' : `${Status[status.code] ?? status.code}: ${status.details}`;
    this.emit('disconnect', new Error(reason));
    this.retryLater(reason);
  }

  private onAck(call: ClientDuplexStream<Buffer, Buffer>, bytes: Buffer): void {
    if (call !== this.call) return;
    let ack;
    try {
      ack = this.codec.decodeStreamAck(bytes);
    } catch (error) {
      this.emit('warning', new Error(`undecodable StreamAck: ${(error as Error).message}`));
      return;
    }
    this.failures = 0;
    this.connectionProblem = undefined;
    const batch = this.window.unacked.get(ack.sequence);
    if (batch === undefined || batch.state !== 'sent') {
      this.emit('warning', new Error(`StreamAck for sequence ${ack.sequence}, which has no batch awaiting an ack`));
      return;
    }
    const outcome = interpretAck(batch.items, ack);
    if (outcome.refused) {
      batch.lastError = `refused by sluice, retry after ${outcome.retryAfterMs} ms`;
      this.resendLater(batch, outcome.retryAfterMs);
      this.emit('ack', { sequence: ack.sequence, accepted: 0, retrying: batch.items.length, rejected: 0 });
      return;
    }
    const { accepted, retry, failed } = outcome;
    this.window.settle(batch);
    this.counts.accepted += accepted;
    if (failed.length > 0) this.giveUp('rejected', failed);
    if (retry.length > 0) {
      this.counts.retried += retry.length;
      const again = this.window.open(retry, batch.attempts);
      again.lastError = outcome.lastRetryReason;
      this.resendLater(again, Math.max(ack.retry_after_ms, backoffDelay(batch.attempts, this.client.backoff, this.options.random)));
    }
    this.emit('ack', { sequence: ack.sequence, accepted, retrying: retry.length, rejected: failed.length });
    this.pump();
  }

  private resendLater(batch: Batch, delayMs: number): void {
    batch.state = 'waiting';
    batch.timer = setTimeout(() => {
      batch.timer = undefined;
      if (this.state === 'closed' || !this.window.unacked.has(batch.sequence)) return;
      batch.state = 'ready';
      this.dispatch(batch);
      this.pump();
    }, delayMs);
  }

  private giveUp(cause: GiveUpCause, failures: readonly FailedEvent[]): void {
    this.counts.gaveUp += failures.length;
    const report: GiveUp = { cause, failures };
    try {
      this.options.onGiveUp?.(report);
    } catch (error) {
      process.emitWarning(`sluice client: onGiveUp threw: ${(error as Error).message}`, 'SluiceClientWarning');
    }
    if (this.listenerCount('give-up') > 0) this.emit('give-up', report);
    else if (this.options.onGiveUp === undefined) {
      process.emitWarning(`sluice client gave up on ${failures.length} event(s) (${cause}): ${failures[0]?.reason ?? ''}`, 'SluiceClientWarning');
    }
  }
}
