import { workerData } from 'node:worker_threads';
import build from 'pino-abstract-transport';
import type { Transform } from 'node:stream';
import { IngestClient } from './ingest-client';
import type { IngestClientOptions } from './options';
import { eventFromPino, type PinoConfig, type PinoMappingOptions } from './pino-mapping';
import type { GiveUp, IngestStreamOptions } from './stream-options';

/** `options` of a `{ target: 'sluice/pino', options }` transport. Everything must be plain data (it crosses into a worker thread). */
export interface PinoTransportOptions extends IngestClientOptions, PinoMappingOptions {
  /** Batching, window and give-up policy of the stream (see IngestStreamOptions). */
  readonly stream?: Omit<IngestStreamOptions, 'onGiveUp' | 'random'>;
  /**
   * How long the transport waits at shutdown for sluice to acknowledge what was logged.
   * Default 8 s: pino's worker gives a transport 10 s to finish when the process exits.
   */
  readonly closeTimeoutMs?: number;
}

/** Given-up events are written to stderr (one JSON line each batch): a logger must not lose lines silently. */
function reportGiveUp(giveUp: GiveUp): void {
  const sample = giveUp.failures.slice(0, 3).map((failure) => ({ reason: failure.reason, message: failure.event.message }));
  process.stderr.write(`${JSON.stringify({ level: 50, msg: 'sluice/pino gave up on log lines', cause: giveUp.cause, count: giveUp.failures.length, sample })}\n`);
}

/**
 * The pino transport: every line the logger writes is sent to sluice over one ingest stream,
 * with the stream's window as backpressure, resends after reconnects, and a final flush (up to
 * `closeTimeoutMs`) when the logger ends.
 *
 * ```js
 * const logger = pino({ transport: { target: 'sluice/pino', options: { address: '127.0.0.1:4317' } } });
 * ```
 */
export default async function sluiceTransport(options: PinoTransportOptions): Promise<Transform> {
  const client = new IngestClient(options);
  const stream = client.stream({ ...options.stream, onGiveUp: reportGiveUp });
  // A transport may ask pino for its level table and messageKey; only pino ≥ 9.7 sends them,
  // and asking an older pino is an error, so ask only when this pino said it will answer.
  const pinoSendsConfig = (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig === true;
  let consumed: Promise<void> = Promise.resolve();
  const transform = await build(
    (source) => {
      const config = source as unknown as PinoConfig;
      // Lines that are not JSON (someone wrote to the destination directly) are kept as messages.
      source.on('unknown', (line) => {
        if (!client.isClosed) stream.write({ message: line });
      });
      consumed = (async () => {
        for await (const line of source as AsyncIterable<Record<string, unknown>>) {
          await stream.send(eventFromPino(line, { levels: config.levels, messageKey: config.messageKey }, options));
        }
      })();
      return consumed;
    },
    {
      expectPinoConfig: pinoSendsConfig,
      close: async () => {
        await consumed.catch(() => undefined);
        await client.close({ timeoutMs: options.closeTimeoutMs ?? 8_000 });
      },
    },
  );
  return transform;
}
