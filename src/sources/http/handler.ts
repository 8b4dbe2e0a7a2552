import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Subscription } from 'rxjs';
import type { SourceContext } from '../../components/context';
import type { AckOutcome } from '../../core/ack';
import type { Batch, BatchMeta } from '../../core/batch';
import { BatchDeliveryError } from '../../core/errors';
import type { ApiKeys } from '../ingest/api-keys';
import type { NormalizeLimits } from '../ingest/normalize';
import type { AckMode } from '../ingest/options';
import type { RateLimiter } from '../ingest/rate-limit';
import { contentCodingOf, readBody } from './body';
import { ACCEPTED_MEDIA_TYPES, decodeBody, formatOf } from './formats';
import { normalizeItems, type Accepted } from './items';
import { answerWith, refusal, send, type ItemError } from './responses';

/** What the request handler needs to know, resolved from the source's config. */
export interface HandlerSettings {
  readonly paths: ReadonlySet<string>;
  readonly maxBodyBytes: number;
  readonly bodyIdleTimeoutMs: number;
  readonly ackTimeoutMs: number;
  readonly ack: AckMode;
  readonly limits: NormalizeLimits;
  readonly keys?: ApiKeys;
  readonly rateLimiter?: RateLimiter;
}

/** Rejection reasons, the `error_type` of `sluice_component_errors_total` for this source. */
export type RejectionReason =
  | 'not_found' | 'method_not_allowed' | 'draining' | 'unauthorized' | 'unsupported_media_type' | 'unsupported_encoding'
  | 'too_large' | 'no_credit' | 'rate_limited' | 'body_timeout' | 'aborted' | 'bad_encoding' | 'bad_body'
  | 'invalid_event' | 'ack_timeout' | 'delivery_failed' | 'internal';

/** Seconds a client is asked to wait when credit is exhausted: acks usually return it sooner. */
const CREDIT_RETRY_AFTER_S = 1;
const DRAINING_RETRY_AFTER_S = 5;

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Answers ingest requests. Everything that can be decided from the headers is decided
 * before the body is read (route, draining, auth, content type and coding, declared length,
 * credit), and with `Expect: 100-continue` before the client sends it. The body is then read
 * with bounds, split into items, and each item normalised; the good ones go downstream as
 * one batch whose ack answers the request.
 */
export class IngestHandler {
  private connectionIds = new WeakMap<object, string>();
  private nextConnection = 0;
  /** Set when the source stops: new requests get 503 and every answer closes its connection. */
  draining = false;
  /** Batches emitted whose ack has not settled yet. */
  private unsettled = 0;
  private onSettledAll: (() => void) | undefined;

  constructor(
    private readonly ctx: SourceContext,
    private readonly settings: HandlerSettings,
    private readonly emit: (batch: Batch) => void,
  ) {}

  /**
   * Stops taking requests: from now on they get 503 with `Connection: close`. `whenSettled`
   * runs once no emitted batch is waiting for its ack (at once if none is).
   */
  drain(whenSettled: () => void): void {
    this.draining = true;
    if (this.unsettled === 0) return whenSettled();
    this.onSettledAll = whenSettled;
  }

  /** Handles one request; never throws (a bug answers 500 and is logged). */
  handle(request: IncomingMessage, response: ServerResponse, expectsContinue = false): void {
    this.serve(request, response, expectsContinue).catch((error: unknown) => {
      this.ctx.logger.error({ err: error }, 'http source: request failed unexpectedly');
      this.reject(response, 'internal', 500, 'internal error', { close: true });
    });
  }

  private reject(response: ServerResponse, reason: RejectionReason, status: number, message: string, options: Parameters<typeof send>[3] = {}): void {
    this.ctx.metrics.error(reason);
    send(response, status, refusal(message), { ...options, close: options.close === true || this.draining });
  }

  private async serve(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const { settings } = this;
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    // Unread bodies close the connection: discarding an unknown amount would hold it for nothing.
    if (!settings.paths.has(path)) return this.reject(response, 'not_found', 404, `no such endpoint; POST to ${[...settings.paths].join(' or ')}`, { close: true });
    if (request.method !== 'POST') return this.reject(response, 'method_not_allowed', 405, 'only POST is allowed', { close: true, headers: { allow: 'POST' } });
    if (this.draining) return this.reject(response, 'draining', 503, 'sluice is shutting down; send again shortly', { close: true, retryAfterSeconds: DRAINING_RETRY_AFTER_S });
    const keyId = settings.keys?.authenticate(header(request, 'authorization'), header(request, 'x-api-key'));
    if (settings.keys && keyId === undefined) {
      return this.reject(response, 'unauthorized', 401, 'a valid API key is required (Authorization: Bearer <key> or x-api-key)', { close: true, headers: { 'www-authenticate': 'Bearer' } });
    }
    const format = formatOf(header(request, 'content-type'));
    if (format === undefined) {
      return this.reject(response, 'unsupported_media_type', 415, `Content-Type must be one of ${ACCEPTED_MEDIA_TYPES.join(', ')} (UTF-8)`, { close: true });
    }
    const coding = contentCodingOf(header(request, 'content-encoding'));
    if (coding === undefined) return this.reject(response, 'unsupported_encoding', 415, 'Content-Encoding must be gzip, deflate, zstd or identity', { close: true, headers: { 'accept-encoding': 'gzip, deflate, zstd' } });
    const declared = Number(header(request, 'content-length') ?? 0);
    if (declared > settings.maxBodyBytes) return this.reject(response, 'too_large', 413, `body is over max_body_bytes (${settings.maxBodyBytes} bytes)`, { close: true });
    if (this.ctx.credit.exhausted) {
      return this.reject(response, 'no_credit', 429, 'sluice is at its in-flight limit; send again shortly', { close: true, retryAfterSeconds: CREDIT_RETRY_AFTER_S });
    }
    if (expectsContinue) response.writeContinue();

    const body = await readBody(request, { coding, maxBytes: settings.maxBodyBytes, idleTimeoutMs: settings.bodyIdleTimeoutMs, scheduler: this.ctx.scheduler });
    if (!body.ok) {
      if (body.reason === 'aborted') return void this.ctx.metrics.error('aborted');
      const status = body.reason === 'too_large' ? 413 : body.reason === 'body_timeout' ? 408 : 400;
      return this.reject(response, body.reason, status, body.message, { close: true });
    }
    const decoded = decodeBody(format, body.body);
    if ('error' in decoded) return this.reject(response, 'bad_body', 400, decoded.error);

    const accepted = normalizeItems(decoded.items, this.ctx.scheduler.now(), settings.limits);
    const { events, errors } = accepted;
    if (events.length === 0) {
      if (errors.length > 0) this.ctx.metrics.error('invalid_event', errors.length);
      if (errors.length > 0) return send(response, 400, { ...answerWith(0, errors), error: 'no item of the body is a valid event' }, { close: this.draining });
      return send(response, 200, answerWith(0, []), { close: this.draining });
    }
    const peer = request.socket.remoteAddress ?? 'unknown';
    const wait = settings.rateLimiter?.take(keyId ?? peer, events.length) ?? 0;
    if (wait > 0) return this.reject(response, 'rate_limited', 429, `rate limit of this ${keyId ? 'API key' : 'client'} exceeded`, { retryAfterSeconds: wait / 1000 });
    if (errors.length > 0) this.ctx.metrics.error('invalid_event', errors.length);
    this.deliver(response, accepted, body.body.length, this.metaOf(request, peer, keyId));
  }

  private metaOf(request: IncomingMessage, peer: string, keyId: string | undefined): BatchMeta {
    const socket = request.socket;
    let connection = this.connectionIds.get(socket);
    if (connection === undefined) {
      connection = `http-${++this.nextConnection}`;
      this.connectionIds.set(socket, connection);
    }
    const meta: Record<string, string> = { source: this.ctx.id, input: 'http', peer: `${peer}:${socket.remotePort ?? 0}`, connection };
    if (keyId !== undefined) meta.api_key = keyId;
    return meta;
  }

  /** Emits the batch and answers once its ack settles (or at once with `ack: received`). */
  private deliver(response: ServerResponse, accepted: Accepted, bytes: number, meta: BatchMeta): void {
    const { events, errors } = accepted;
    const pending: { timer?: Subscription } = {};
    const answer = (outcome: AckOutcome): void => {
      pending.timer?.unsubscribe();
      if (--this.unsettled === 0 && this.onSettledAll) {
        const settledAll = this.onSettledAll;
        this.onSettledAll = undefined;
        settledAll();
      }
      if (this.settings.ack === 'received') return;
      if (outcome.ok) return send(response, errors.length > 0 ? 207 : 200, answerWith(events.length, errors), { close: this.draining });
      this.answerFailure(response, outcome.reason, accepted);
    };
    this.unsettled++;
    const ack = this.ctx.track(events.length, bytes, answer);
    this.emit({ events, ack, bytes, meta });
    if (this.settings.ack === 'received') return send(response, errors.length > 0 ? 207 : 200, answerWith(events.length, errors), { close: this.draining });
    if (ack.settled) return;
    pending.timer = this.ctx.scheduler.schedule(() => {
      this.reject(response, 'ack_timeout', 503, `delivery not confirmed within ack_timeout (${this.settings.ackTimeoutMs} ms); the events may still arrive: send them again (at least once)`, { retryAfterSeconds: 1 });
    }, this.settings.ackTimeoutMs);
    // The client going away does not recall the events: the ack still settles and returns credit.
    response.once('close', () => pending.timer?.unsubscribe());
  }

  /** A failed ack: the undelivered items are listed; 207 when others were delivered. */
  private answerFailure(response: ServerResponse, reason: Error, accepted: Accepted): void {
    const { events, errors, itemIndex } = accepted;
    const failures = reason instanceof BatchDeliveryError ? reason.failures : events.map((_, index) => ({ index, error: reason, retryable: true }));
    const undelivered: ItemError[] = failures.map((failure) => ({ index: itemIndex[failure.index] ?? failure.index, error: `not delivered: ${failure.error.message}`, retryable: failure.retryable }));
    const all = [...errors, ...undelivered].sort((a, b) => a.index - b.index);
    const delivered = events.length - undelivered.length;
    this.ctx.metrics.error('delivery_failed');
    if (delivered > 0) return send(response, 207, answerWith(delivered, all), { close: this.draining });
    const retryable = failures.every((failure) => failure.retryable);
    send(response, retryable ? 503 : 500, { ...answerWith(0, all), error: 'no event was delivered' }, { close: this.draining, ...(retryable ? { retryAfterSeconds: 1 } : {}) });
  }
}
