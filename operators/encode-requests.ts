import type { LogEvent } from '../src/core/event';
import { DeliveryError, type FailedEvent } from '../src/core/errors';
import { noCompression, type CompressionCodec } from './compress';
import { encodeRequests, type EncodedBatch, type EncodedRequest, type EncodeOptions } from './encode';

/** Options of {@link buildRequests}: the encoding, the byte bound, the compression. */
export interface RequestOptions extends EncodeOptions {
  /** Default: none. */
  readonly codec?: CompressionCodec;
  /** The codec's level; its default when absent. */
  readonly level?: number;
}

/**
 * The one shared step between a batch and a sink's I/O (Vector's request builder): encode
 * each event → join into bodies of at most `maxBytes` encoded bytes → compress each body.
 * Every request keeps the positions of the events it carries, so a sink reports a failed
 * request as failures of exactly those events. An event that cannot be encoded, or that
 * alone is larger than `maxBytes`, is a permanent failure of that event only; the others
 * are sent.
 *
 * `maxBytes` bounds the body both before and after compression: a compressed body larger
 * than the bound (incompressible data plus the codec's framing) is split in two and
 * compressed again. Compression runs on libuv's thread pool (one task per request).
 *
 * ```
 * events:    [a  b  c  D  e]          (D: a BigInt, cannot be encoded; maxBytes fits 2 events)
 * requests:  [a b] → gzip  [c e] → gzip
 * failures:  D (permanent)
 * ```
 *
 * @example
 * import { ENCODERS, buildRequests, gzipCodec } from 'sluice';
 * const { requests, failures } = await buildRequests(batch.events, { encoder: ENCODERS.ndjson, maxBytes: 10 << 20, codec: gzipCodec });
 * for (const request of requests) await post(request.payload);
 *
 * @see encodeRequests
 */
export async function buildRequests(events: readonly LogEvent[], options: RequestOptions, select?: readonly number[]): Promise<EncodedBatch> {
  const encoded = encodeRequests(events, options, select);
  const codec = options.codec ?? noCompression;
  if (codec === noCompression || encoded.requests.length === 0) return encoded;
  const failures = encoded.failures;
  const parts = await Promise.all(encoded.requests.map((request) => compressWithin(events, request, options, codec, failures)));
  if (failures.length > encoded.failures.length) failures.sort((a, b) => a.index - b.index);
  return { requests: parts.flat(), failures };
}

/** Compresses one request; halves it while its compressed body is over the bound. */
async function compressWithin(events: readonly LogEvent[], request: EncodedRequest, options: RequestOptions, codec: CompressionCodec, failures: FailedEvent[]): Promise<EncodedRequest[]> {
  const payload = await codec.compress(request.payload, options.level);
  if (payload.length <= options.maxBytes) return [{ payload, indices: request.indices, encodedBytes: request.encodedBytes }];
  if (request.indices.length === 1) {
    const message = `event is ${payload.length} bytes compressed with ${codec.name}, more than batch.max_bytes (${options.maxBytes})`;
    failures.push({ index: request.indices[0], error: new DeliveryError(message, false), retryable: false });
    return [];
  }
  const middle = request.indices.length >> 1;
  // Each half is a subset of a body that fitted encoded, so encoding it again cannot fail.
  const halves = [request.indices.slice(0, middle), request.indices.slice(middle)].flatMap((half) => encodeRequests(events, options, half).requests);
  const parts = await Promise.all(halves.map((half) => compressWithin(events, half, options, codec, failures)));
  return parts.flat();
}
