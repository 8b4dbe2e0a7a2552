import type { Writable } from 'node:stream';
import type { Batch } from '../core/batch';
import { DeliveryError } from '../core/errors';
import { DELIVERED, type SendResult, type Sink } from '../core/sink';
import { oneOf } from '../config/schema';
import { defineSink } from '../components/define';
import type { Logger } from '../observability/logger';
import { LINE_ENCODINGS, encodeLines, type LineEncoding } from './ndjson';

export const consoleSink = defineSink({
  type: 'console',
  summary: 'Writes events to standard output, one per line.',
  options: {
    encoding: oneOf(LINE_ENCODINGS, { description: '`ndjson`: each event as a JSON object; `text`: the message only.', default: 'ndjson', example: 'text' }),
  },
  batchDefaults: { maxEvents: 1000, maxBytes: 1024 * 1024, timeoutMs: 100 },
  example: {},
  create(config, ctx) {
    return createConsoleSink(process.stdout, { encoding: config.encoding, logger: ctx.logger });
  },
});

/**
 * A sink writing each batch as lines to `stream` in one write. The send resolves only in the
 * write's callback, so a slow reader of stdout (a pipe into `less`) holds back acks and,
 * through credit, the sources. The stream belongs to the caller: `close()` does not end it.
 * A write error (EPIPE: the reader went away) fails the send without being retryable.
 */
export function createConsoleSink(stream: Writable, options: { encoding: LineEncoding; logger?: Logger }): Sink {
  const { encoding } = options;
  guardErrors(stream, options.logger);
  return {
    send(batch: Batch): Promise<SendResult> {
      if (batch.events.length === 0) return Promise.resolve(DELIVERED);
      const text = encodeLines(batch.events, encoding);
      return new Promise((resolve, reject) => {
        stream.write(text, (error) => {
          if (error) reject(new DeliveryError(`writing to the console failed: ${error.message}`, false, { cause: error }));
          else resolve(DELIVERED);
        });
      });
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
