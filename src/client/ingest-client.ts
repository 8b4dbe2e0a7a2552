import { Client, Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { encodeEvent, type IngestEvent } from './event';
import { IngestStream, type CloseResult } from './ingest-stream';
import { resolveClientOptions, type IngestClientOptions, type ResolvedClientOptions } from './options';
import { ingestCodec, PUSH_PATH, type WireEvent, type WirePushResponse } from './proto';
import type { IngestStreamOptions } from './stream-options';

/** One event of a `push` that sluice (or the client, before sending) did not accept. */
export interface PushRejection {
  /** Index of the event in the array given to `push`. */
  readonly index: number;
  readonly reason: string;
  /** True when pushing the same event again may succeed. */
  readonly retryable: boolean;
  readonly event: IngestEvent;
}

/** The answer to a `push`: every event is either accepted or named in `rejected`. */
export interface PushResult {
  readonly accepted: number;
  readonly rejected: readonly PushRejection[];
}

/** Per-call options of {@link IngestClient.push}. */
export interface PushOptions {
  /** Deadline of the call. Default 30 s. */
  readonly timeoutMs?: number;
  /** Wait for sluice to be reachable (until the deadline) instead of failing at once with UNAVAILABLE. */
  readonly waitForReady?: boolean;
}

/** A failed `push` call: nothing of it was acknowledged. `retryAfterMs` is sluice's hint when it was busy. */
export class PushError extends Error {
  constructor(
    message: string,
    /** The gRPC status code (`status.UNAVAILABLE`, `status.RESOURCE_EXHAUSTED`, ...). */
    readonly code: number,
    readonly retryAfterMs: number | undefined,
    readonly metadata: Metadata | undefined,
  ) {
    super(message);
    this.name = 'PushError';
  }

  /** Whether pushing the same batch again may succeed. */
  get retryable(): boolean {
    return [Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, Status.DEADLINE_EXCEEDED, Status.ABORTED, Status.INTERNAL, Status.UNKNOWN].includes(this.code);
  }
}

const identity = (bytes: Buffer): Buffer => bytes;

/** sluice's retry hint on a refused call, from the trailers (gRPC's standard key first). */
function retryAfterMs(metadata: Metadata | undefined): number | undefined {
  for (const key of ['grpc-retry-pushback-ms', 'retry-after-ms']) {
    const value = Number(metadata?.get(key)[0]);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return undefined;
}

/**
 * A client of sluice's gRPC ingest API (`sluice.ingest.v1.Ingest`, a `grpc` source).
 *
 * ```ts
 * const client = new IngestClient({ address: '127.0.0.1:4317', apiKey: process.env.SLUICE_API_KEY });
 * const { accepted, rejected } = await client.push([{ message: 'hello', level: 'info', fields: { user: 42 } }]);
 * ```
 *
 * `push` is one unary call per batch; `send`/`stream()` keep a bidirectional stream with a
 * bounded window of unacknowledged batches, resent after reconnects (see {@link IngestStream}).
 */
export class IngestClient {
  private readonly resolved: ResolvedClientOptions;
  private readonly channel: Client;
  private readonly streams = new Set<IngestStream>();
  private readonly streamOptions: IngestStreamOptions;
  private sendStream: IngestStream | undefined;
  private closed = false;

  constructor(options: IngestClientOptions & { readonly stream?: IngestStreamOptions }) {
    this.resolved = resolveClientOptions(options);
    this.streamOptions = options.stream ?? {};
    this.channel = new Client(this.resolved.address, this.resolved.credentials, this.resolved.channelOptions);
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one batch and resolves with sluice's answer; rejects with a {@link PushError} when the call fails. */
  push(events: readonly IngestEvent[], options: PushOptions = {}): Promise<PushResult> {
    if (this.closed) return Promise.reject(new Error('sluice client: push after close()'));
    const rejected: PushRejection[] = [];
    const wire: WireEvent[] = [];
    const sentIndex: number[] = [];
    events.forEach((event, index) => {
      const encoded = encodeEvent(event);
      if ('error' in encoded) rejected.push({ index, reason: encoded.error, retryable: false, event });
      else {
        wire.push(encoded.wire);
        sentIndex.push(index);
      }
    });
    if (wire.length === 0) return Promise.resolve({ accepted: 0, rejected });
    const codec = ingestCodec();
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const metadata = this.resolved.metadata.clone();
    if (options.waitForReady === true) metadata.setOptions({ waitForReady: true });
    return new Promise((resolve, reject) => {
      this.channel.makeUnaryRequest<Buffer, WirePushResponse>(
        PUSH_PATH,
        identity,
        codec.decodePushResponse,
        codec.encodePush(wire),
        metadata,
        { deadline },
        (error: ServiceError | null, response?: WirePushResponse) => {
          if (error !== null || response === undefined) {
            const code = error?.code ?? Status.INTERNAL;
            reject(new PushError(`sluice push failed: ${Status[code] ?? code}: ${error?.details ?? 'no response'}`, code, retryAfterMs(error?.metadata), error?.metadata));
            return;
          }
          for (const item of response.rejected) {
            const index = sentIndex[item.index];
            if (index !== undefined) rejected.push({ index, reason: item.reason, retryable: item.retryable, event: events[index] as IngestEvent });
          }
          rejected.sort((a, b) => a.index - b.index);
          resolve({ accepted: events.length - rejected.length, rejected });
        },
      );
    });
  }

  /** A new stream over this client's connection (several may run side by side). */
  stream(options: IngestStreamOptions = {}): IngestStream {
    if (this.closed) throw new Error('sluice client: stream() after close()');
    const stream = new IngestStream(this.channel, this.resolved, options);
    this.streams.add(stream);
    return stream;
  }

  /**
   * The stream {@link send} uses, made on first use with the `stream` client option. Listen
   * to its `give-up` event (or set `stream.onGiveUp`) to learn what could not be delivered.
   */
  get defaultStream(): IngestStream {
    this.sendStream ??= this.stream(this.streamOptions);
    return this.sendStream;
  }

  /** Queues one event on {@link defaultStream}; resolves at once while its window has room, else once it has. */
  send(event: IngestEvent): Promise<void> {
    return this.defaultStream.send(event);
  }

  /** Closes every stream (each flushes and waits for acks up to `timeoutMs`), then the connection. */
  async close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closed = true;
    const results = await Promise.all([...this.streams].map((stream) => stream.close(options)));
    this.channel.close();
    return results.reduce((sum, result) => ({ accepted: sum.accepted + result.accepted, gaveUp: sum.gaveUp + result.gaveUp }), { accepted: 0, gaveUp: 0 });
  }
}
