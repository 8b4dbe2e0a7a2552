import type { Client } from '@elastic/elasticsearch';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { Batch } from '../../core/batch';
import { DeliveryError } from '../../core/errors';
import { DELIVERED, type EventFailure, type SendOptions, type SendResult, type Sink, type StartOptions } from '../../core/sink';
import { noCompression, type CompressionCodec } from '../../../operators/compress';
import { buildRequests } from '../../../operators/encode-requests';
import type { EncodedRequest } from '../../../operators/encode';
import type { BulkAction, BulkEncoding, BulkSendEncoder } from './bulk-encoder';
import { classifyBulkItems, type BulkResponseBody } from './bulk-response';
import { requestFailure } from './client';
import type { ElasticsearchMetrics } from './sink-metrics';

/** Options of {@link createElasticsearchSink}. */
export interface ElasticsearchSinkOptions {
  readonly client: Client;
  readonly encoding: BulkEncoding;
  readonly action: BulkAction;
  /** An ingest pipeline every document goes through (`?pipeline=` on each bulk request). */
  readonly pipeline?: string;
  /** Most bytes of one bulk body, before and after compression (`batch.max_bytes`). */
  readonly maxBytes: number;
  /** Compresses each body; sent with its `Content-Encoding`. Default none. */
  readonly codec?: CompressionCodec;
  readonly level?: number;
  readonly metrics?: ElasticsearchMetrics;
  /** The clock for events without a usable timestamp (their dated index). */
  readonly scheduler?: SchedulerLike;
}

/** Only what the sink reads of each response: item statuses and errors, not ids, versions or shards. */
const FILTER_PATH = 'errors,items.*.status,items.*.error';

/** A metric reason for a whole request that failed: its HTTP status, or what went wrong on the way. */
function requestReason(error: DeliveryError): string {
  const cause = error.cause as { name?: string; meta?: { statusCode?: number } } | undefined;
  const status = cause?.meta?.statusCode;
  if (cause?.name === 'ResponseError' && typeof status === 'number') return `http_${status}`;
  return cause?.name ? cause.name.replace(/Error$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase() || 'error' : 'error';
}

/**
 * The Elasticsearch sink, as a pipeline: batch → bulk-encode (action line + document per
 * event, ids, dated index names; the shared request builder splits by `max_bytes` and
 * compresses) → `POST /_bulk` per request → read every item. The send's result names each
 * event that failed: 429/5xx items retryable (the retry stage resends only those),
 * mapping and parsing errors permanent with Elasticsearch's text (the dead-letter queue);
 * everything else is delivered. A request that failed as a whole fails its events with
 * one {@link DeliveryError} (an outage is retryable; 401/403/413 are not); once one request
 * of a send failed retryably, the rest are not tried and fail the same way.
 *
 * `start()` and `healthy()` ask `GET /_cluster/health`: it exists on every distribution
 * (the test distribution has no `GET /`) and checks the credentials; a 403 (a writer
 * without the `monitor` privilege) still shows the server is there.
 */
export function createElasticsearchSink(options: ElasticsearchSinkOptions): Sink {
  const { client, encoding, action, maxBytes, level, metrics } = options;
  const codec = options.codec ?? noCompression;
  const scheduler = options.scheduler ?? asyncScheduler;
  const querystring: Record<string, string> = { filter_path: FILTER_PATH, ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }) };
  const headers = codec.contentEncoding === undefined ? undefined : { 'content-encoding': codec.contentEncoding };

  const probe = async ({ signal }: StartOptions): Promise<void> => {
    try {
      await client.transport.request({ method: 'GET', path: '/_cluster/health' }, { signal });
    } catch (thrown) {
      if ((thrown as { meta?: { statusCode?: number } }).meta?.statusCode === 403) return;
      throw requestFailure(thrown, 'GET /_cluster/health');
    }
  };

  const post = (request: EncodedRequest, signal: AbortSignal): Promise<BulkResponseBody> =>
    client.transport.request<BulkResponseBody>({ method: 'POST', path: '/_bulk', querystring, bulkBody: request.payload }, { signal, headers });

  /** Counts what one send achieved, by index and by rejection reason. */
  const count = (batch: Batch, encoder: BulkSendEncoder, delivered: readonly number[], rejections: ReadonlyMap<string, number>, alreadyIndexed: number): void => {
    if (!metrics) return;
    const byIndex = new Map<string, number>();
    for (const position of delivered) {
      const index = encoder.indexOf(batch.events[position]) ?? '_unknown';
      byIndex.set(index, (byIndex.get(index) ?? 0) + 1);
    }
    metrics.indexed(byIndex);
    metrics.rejections(rejections);
    metrics.alreadyIndexed(alreadyIndexed);
  };

  return {
    start: probe,
    healthy: probe,

    async send(batch: Batch, sendOptions: SendOptions): Promise<SendResult> {
      const events = batch.events;
      if (events.length === 0) return DELIVERED;
      let now: string | undefined;
      const encoder = encoding.forSend(() => (now ??= new Date(scheduler.now()).toISOString()));
      const { requests, failures } = await buildRequests(events, { encoder, maxBytes, codec, level });
      const { signal } = sendOptions;
      const failed: EventFailure[] = failures;
      const delivered: number[] = [];
      const rejections = new Map<string, number>();
      if (failures.length > 0) rejections.set('unencodable', failures.length);
      let alreadyIndexed = 0;
      let outage: DeliveryError | undefined;
      for (const request of requests) {
        let error = outage;
        let body: BulkResponseBody | undefined;
        if (!error) {
          try {
            signal.throwIfAborted();
            body = await post(request, signal);
          } catch (thrown) {
            error = requestFailure(thrown, 'bulk request');
            if (error.retryable) outage = error;
          }
        }
        if (!error && (typeof body !== 'object' || body === null)) error = new DeliveryError(`bulk response is not a JSON object: ${String(body).slice(0, 200)}`, true);
        if (error || !body) {
          const failure = error as DeliveryError;
          const reason = requestReason(failure);
          rejections.set(reason, (rejections.get(reason) ?? 0) + request.indices.length);
          for (const index of request.indices) failed.push({ index, error: failure, retryable: failure.retryable });
          continue;
        }
        const outcome = classifyBulkItems(body, request.indices, action);
        for (const failure of outcome.failures) failed.push(failure);
        for (const position of outcome.delivered) delivered.push(position);
        for (const [reason, n] of outcome.rejections) rejections.set(reason, (rejections.get(reason) ?? 0) + n);
        alreadyIndexed += outcome.alreadyIndexed;
      }
      count(batch, encoder, delivered, rejections, alreadyIndexed);
      if (failed.length === 0) return DELIVERED;
      failed.sort((a, b) => a.index - b.index);
      return { failures: failed };
    },

    close: () => client.close(),
  };
}
