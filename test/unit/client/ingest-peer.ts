import { Metadata, Server, ServerCredentials, status as Status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import type { Type } from 'protobufjs';
import { ingestCodec, PUSH_PATH, STREAM_PATH } from '../../../src/client/proto';

/** An event as the peer decoded it (protobufjs `toObject`, longs as numbers, bytes as Buffers). */
export interface PeerEvent {
  message?: string;
  timestamp?: { seconds: number; nanos: number };
  level?: string;
  host?: string;
  source?: string;
  fields_json?: Buffer;
}

/** One StreamRequest or PushRequest the peer received. */
export interface Received {
  readonly sequence: number;
  readonly events: PeerEvent[];
  readonly metadata: Metadata;
  readonly at: number;
}

/** How the peer answers one batch. */
export type Answer =
  | { kind: 'ack'; rejected?: Array<{ index: number; reason: string; retryable: boolean }>; retryAfterMs?: number }
  | { kind: 'hold' };

/** A held stream batch, answered later with {@link IngestPeer.release}. */
interface Held {
  readonly call: ServerDuplexStream<Buffer, Buffer>;
  readonly sequence: number;
  readonly count: number;
}

const identity = (bytes: Buffer): Buffer => bytes;

/**
 * A real @grpc/grpc-js server serving sluice.ingest.v1.Ingest from the same .proto the client
 * loads: the test peer of the client's state machine. `answer` decides per batch (ack with
 * rejections, refuse with retry_after, or hold until `release`); `crash()` drops every
 * connection at once as a killed process would, and `start()` binds the same port again.
 */
export class IngestPeer {
  readonly streamed: Received[] = [];
  readonly pushed: Received[] = [];
  answer: (request: Received) => Answer = () => ({ kind: 'ack' });
  /** Set to fail every Stream call at once with this status (e.g. UNAUTHENTICATED). */
  refuseStreams: { code: Status; details: string } | undefined;
  /** End each stream (status OK) right after its first ack, as an idle timeout or a drain would. */
  endAfterAck = false;
  private held: Held[] = [];
  private server: Server | undefined;
  port = 0;
  streamsOpened = 0;

  constructor(private readonly credentials: ServerCredentials = ServerCredentials.createInsecure()) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Every event received over streams, in arrival order. */
  streamedEvents(): PeerEvent[] {
    return this.streamed.flatMap((request) => request.events);
  }

  async start(): Promise<number> {
    const { root } = ingestCodec();
    const type = (name: string): Type => root.lookupType(`sluice.ingest.v1.${name}`);
    const [pushRequest, pushResponse, streamRequest, streamAck] = ['PushRequest', 'PushResponse', 'StreamRequest', 'StreamAck'].map(type) as [Type, Type, Type, Type];
    const decode = (t: Type, bytes: Buffer): { sequence?: number; events: PeerEvent[] } => t.toObject(t.decode(bytes), { longs: Number, defaults: false, arrays: true }) as { sequence?: number; events: PeerEvent[] };
    const service: ServiceDefinition = {
      Push: { path: PUSH_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'push' },
      Stream: { path: STREAM_PATH, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity, originalName: 'stream' },
    };
    const server = new Server();
    server.addService(service, {
      Push: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        const request = decode(pushRequest, call.request);
        const received: Received = { sequence: 0, events: request.events, metadata: call.metadata, at: Date.now() };
        this.pushed.push(received);
        const answer = this.answer(received);
        const rejected = answer.kind === 'ack' ? (answer.rejected ?? []) : [];
        callback(null, Buffer.from(pushResponse.encode({ accepted: received.events.length - rejected.length, rejected }).finish()));
      },
      Stream: (call: ServerDuplexStream<Buffer, Buffer>) => {
        this.streamsOpened += 1;
        if (this.refuseStreams !== undefined) {
          call.emit('error', { code: this.refuseStreams.code, details: this.refuseStreams.details });
          return;
        }
        call.on('error', () => undefined);
        call.on('data', (bytes: Buffer) => {
          const request = decode(streamRequest, bytes);
          const received: Received = { sequence: request.sequence ?? 0, events: request.events, metadata: call.metadata, at: Date.now() };
          this.streamed.push(received);
          const answer = this.answer(received);
          if (answer.kind === 'hold') {
            this.held.push({ call, sequence: received.sequence, count: received.events.length });
            return;
          }
          const rejected = answer.rejected ?? [];
          const refused = answer.retryAfterMs !== undefined && rejected.length === 0;
          call.write(
            Buffer.from(
              streamAck.encode({ sequence: received.sequence, accepted: refused ? 0 : received.events.length - rejected.length, rejected, retry_after_ms: answer.retryAfterMs ?? 0 }).finish(),
            ),
          );
          if (this.endAfterAck) call.end();
        });
        call.on('end', () => call.end());
      },
    });
    this.server = server;
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, this.credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
    return this.port;
  }

  /** Acknowledges every held batch (fully accepted), in arrival order. */
  release(): number {
    const { root } = ingestCodec();
    const streamAck = root.lookupType('sluice.ingest.v1.StreamAck');
    const held = this.held.splice(0);
    for (const batch of held) {
      if (batch.call.cancelled || batch.call.destroyed) continue;
      batch.call.write(Buffer.from(streamAck.encode({ sequence: batch.sequence, accepted: batch.count }).finish()));
    }
    return held.length;
  }

  /** Drops every connection at once (what a `kill -9` of sluice looks like to a client). */
  crash(): void {
    this.held = [];
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Closes gracefully: waits for calls to end (the client ends its streams on close). */
  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.held = [];
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
