import { Client, credentials, Metadata, type ClientDuplexStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { grpcMessageTypes, OTLP_EXPORT_PATH, PUSH_PATH, STREAM_PATH } from '../../../../src/sources/grpc/protos';

/**
 * A real @grpc/grpc-js client for the source's services, encoding with protobufjs from the
 * same .proto files (as any client generated from them would). Shared by the unit and e2e tests.
 */

const identity = (buffer: Buffer): Buffer => buffer;

export interface TestItemError {
  index: number;
  reason: string;
  retryable: boolean;
}
export interface TestPushResponse {
  accepted: number;
  rejected: TestItemError[];
}
export interface TestStreamAck extends TestPushResponse {
  sequence: number;
  retry_after_ms: number;
}
/** A unary call's outcome: the response, or the error status with its trailers. */
export type UnaryResult<T> = { ok: true; response: T; trailers: Metadata } | { ok: false; error: ServiceError };

const read = { longs: Number, defaults: true, arrays: true } as const;

export class IngestTestClient {
  readonly client: Client;
  private readonly types = grpcMessageTypes();

  constructor(
    readonly address: string,
    private readonly headers: Record<string, string> = {},
  ) {
    this.client = new Client(address, credentials.createInsecure());
  }

  metadata(): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.headers)) metadata.set(key, value);
    return metadata;
  }

  /** Sends raw bytes as one unary request to `path`, answer bytes back. */
  rawUnary(path: string, request: Buffer, options: { deadlineMs?: number } = {}): Promise<UnaryResult<Buffer>> {
    return new Promise((resolve) => {
      let trailers = new Metadata();
      const call = this.client.makeUnaryRequest(path, identity, identity, request, this.metadata(), { deadline: Date.now() + (options.deadlineMs ?? 10_000) }, (error, response) => {
        if (error) resolve({ ok: false, error });
        else resolve({ ok: true, response: response as Buffer, trailers });
      });
      call.on('status', (status: StatusObject) => void (trailers = status.metadata));
    });
  }

  async push(events: object[], options: { deadlineMs?: number } = {}): Promise<UnaryResult<TestPushResponse>> {
    const bytes = Buffer.from(this.types.pushRequest.encode({ events }).finish());
    const result = await this.rawUnary(PUSH_PATH, bytes, options);
    if (!result.ok) return result;
    return { ...result, response: this.types.pushResponse.toObject(this.types.pushResponse.decode(result.response), read) as TestPushResponse };
  }

  async export(request: object): Promise<UnaryResult<{ partial_success?: { rejected_log_records: number; error_message: string } }>> {
    const bytes = Buffer.from(this.types.exportLogsRequest.encode(request).finish());
    const result = await this.rawUnary(OTLP_EXPORT_PATH, bytes);
    if (!result.ok) return result;
    return { ...result, response: this.types.exportLogsResponse.toObject(this.types.exportLogsResponse.decode(result.response), { longs: Number }) };
  }

  /** Opens a Stream call; acks are collected in `acks`, the final status in `status`. */
  stream(): TestStream {
    return new TestStream(this.client.makeBidiStreamRequest(STREAM_PATH, identity, identity, this.metadata()), this.types);
  }

  close(): void {
    this.client.close();
  }
}

export class TestStream {
  readonly acks: TestStreamAck[] = [];
  readonly status: Promise<StatusObject>;

  constructor(
    readonly call: ClientDuplexStream<Buffer, Buffer>,
    private readonly types: ReturnType<typeof grpcMessageTypes>,
  ) {
    call.on('data', (bytes: Buffer) => this.acks.push(types.streamAck.toObject(types.streamAck.decode(bytes), read) as TestStreamAck));
    call.on('error', () => undefined);
    this.status = new Promise((resolve) => call.on('status', resolve));
  }

  send(sequence: number, events: object[]): boolean {
    return this.call.write(Buffer.from(this.types.streamRequest.encode({ sequence, events }).finish()));
  }

  sendRaw(bytes: Buffer): boolean {
    return this.call.write(bytes);
  }

  end(): void {
    this.call.end();
  }
}
