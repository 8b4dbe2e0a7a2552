import type { Writable } from 'node:stream';
import type { Batch } from '../core/batch';
import { DeliveryError } from '../core/errors';
import { DELIVERED, type SendResult, type Sink } from '../core/sink';
import { checkEncodingOptions, defineSink, sinkEncodingOptions } from '../components/define';
import type { Logger } from '../observability/logger';
import { noCompression } from '../../operators/compress';
import { ENCODERS, encodeRequests, type EncodedBatch, type EncodingName } from '../../operators/encode';
import { buildRequests, type RequestOptions } from '../../operators/encode-requests';
import { requestOptions } from './encoding';

export const consoleSink = defineSink({
  type: 'console',
  summary: 'Writes events to standard output, one per line.',
  options: {
    ...sinkEncodingOptions({ encoding: 'ndjson', encodings: ['ndjson', 'text'] }),
  },
  batchDefaults: { maxEvents: 1000, maxBytes: 1024 * 1024, timeoutMs: 100 },
  example: {},
  check: checkEncodingOptions,
  create(config, ctx) {
    return createConsoleSink(process.stdout, { ...requestOptions(config), logger: ctx.logger });
  },
});

/** Options of {@link createConsoleSink}: the request builder's, or just an encoding. */
export type ConsoleSinkOptions = (RequestOptions | { readonly encoding: EncodingName; readonly maxBytes?: number }) & { readonly logger?: Logger };

/**
 * A sink writing each batch to `stream` through the shared request builder (encode each
 * event → split by `maxBytes` → compress), one write per request. The send resolves only
 * in the last write's callback, so a slow reader of stdout (a pipe into `less`) holds back
 * acks and, through credit, the sources. The stream belongs to the caller: `close()` does
 * not end it. A write error (EPIPE: the reader went away) fails the send without being
 * retryable; an event that cannot be encoded fails alone.
 */
export function createConsoleSink(stream: Writable, options: ConsoleSinkOptions): Sink {
  const request: RequestOptions = 'encoder' in options ? options : { encoder: ENCODERS[options.encoding], maxBytes: options.maxBytes ?? Number.POSITIVE_INFINITY };
  const uncompressed = request.codec === undefined || request.codec === noCompression;
  guardErrors(stream, options.logger);
  const write = (payload: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.write(payload, (error) => {
        if (error) reject(new DeliveryError(`writing to the console failed: ${error.message}`, false, { cause: error }));
        else resolve();
      });
    });
  const writeAll = async ({ requests, failures }: EncodedBatch): Promise<SendResult> => {
    await Promise.all(requests.map(({ payload }) => write(payload)));
    return failures.length === 0 ? DELIVERED : { failures };
  };
  return {
    send(batch: Batch): Promise<SendResult> {
      if (batch.events.length === 0) return Promise.resolve(DELIVERED);
      // Uncompressed, the writes are queued synchronously: sends reach stdout in call order.
      if (uncompressed) return writeAll(encodeRequests(batch.events, request));
      return buildRequests(batch.events, request).then(writeAll);
    },
    close: () => Promise.resolve(),
  };
}

/** The logger each guarded stream reports to (the latest sink's). */
const guarded = new WeakMap<Writable, Logger | undefined>();

/**
 * A failed write is reported through its callback (the send fails); the stream's 'error'
 * event, emitted a tick later, must not crash the process for want of a listener. One
 * listener per stream, kept for the stream's life: the event may come after `close()`.
 */
function guardErrors(stream: Writable, logger: Logger | undefined): void {
  const known = guarded.has(stream);
  guarded.set(stream, logger);
  if (!known) stream.on('error', (error) => guarded.get(stream)?.warn({ err: error }, 'console output failed'));
}
