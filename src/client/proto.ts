import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Root, type Type } from 'protobufjs';

/**
 * The wire side of the client: the sluice.ingest.v1 messages, encoded with protobufjs
 * straight from plain objects. The `.proto` is the contract the `grpc` source serves; it
 * lives in src/sources/grpc/proto and the build copies it into dist beside the compiled
 * code, so the same relative path works from `src/client` (tests, ts-node) and
 * `dist/src/client` (the published package).
 */

/** Where `sluice/ingest/v1/ingest.proto` is found (import root of the package's protos). */
export const PROTO_ROOT = resolve(__dirname, '../sources/grpc/proto');
/** The ingest API's `.proto`, relative to {@link PROTO_ROOT}. */
export const INGEST_PROTO = 'sluice/ingest/v1/ingest.proto';

/** google.protobuf.Timestamp. */
export interface WireTimestamp {
  seconds: number;
  nanos: number;
}

/** sluice.ingest.v1.Event as protobufjs encodes it (snake_case, as in the .proto). */
export interface WireEvent {
  message?: string;
  timestamp?: WireTimestamp;
  level?: string;
  host?: string;
  source?: string;
  fields_json?: Uint8Array;
}

/** sluice.ingest.v1.ItemError. */
export interface WireItemError {
  index: number;
  reason: string;
  retryable: boolean;
}

/** sluice.ingest.v1.PushResponse. */
export interface WirePushResponse {
  accepted: number;
  rejected: WireItemError[];
}

/** sluice.ingest.v1.StreamAck. */
export interface WireStreamAck extends WirePushResponse {
  sequence: number;
  retry_after_ms: number;
}

/** The gRPC method paths of sluice.ingest.v1.Ingest. */
export const PUSH_PATH = '/sluice.ingest.v1.Ingest/Push';
export const STREAM_PATH = '/sluice.ingest.v1.Ingest/Stream';

/** Encoders and decoders for the messages the client sends and receives. */
export interface IngestCodec {
  encodePush(events: readonly WireEvent[]): Buffer;
  encodeStream(sequence: number, events: readonly WireEvent[]): Buffer;
  decodePushResponse(bytes: Buffer): WirePushResponse;
  decodeStreamAck(bytes: Buffer): WireStreamAck;
  /** The protobufjs root, for test peers that serve the same contract. */
  readonly root: Root;
}

let codec: IngestCodec | undefined;

/** protobufjs already writes Buffers under Node; wrap (never copy) anything else. */
const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** Loads the .proto once per process (synchronously: it is a few kilobytes, read at first use). */
export function ingestCodec(): IngestCodec {
  if (codec !== undefined) return codec;
  const file = join(PROTO_ROOT, INGEST_PROTO);
  if (!existsSync(file)) throw new Error(`sluice client: ${file} is missing (a build that did not copy the .proto files into dist?)`);
  // google/protobuf/timestamp.proto resolves to the copy bundled with protobufjs.
  const root = new Root().loadSync(file, { keepCase: true });
  root.resolveAll();
  const type = (name: string): Type => root.lookupType(`sluice.ingest.v1.${name}`);
  const pushRequest = type('PushRequest');
  const streamRequest = type('StreamRequest');
  const pushResponse = type('PushResponse');
  const streamAck = type('StreamAck');
  // `defaults` fills absent scalars (accepted 0, retry_after_ms 0) and empty repeated fields;
  // `longs: Number` turns the uint64 sequence into a number (the client never uses more than 2^53).
  const read = { longs: Number, defaults: true } as const;
  codec = {
    root,
    encodePush: (events) => asBuffer(pushRequest.encode({ events }).finish()),
    encodeStream: (sequence, events) => asBuffer(streamRequest.encode({ sequence, events }).finish()),
    decodePushResponse: (bytes) => pushResponse.toObject(pushResponse.decode(bytes), read) as WirePushResponse,
    decodeStreamAck: (bytes) => streamAck.toObject(streamAck.decode(bytes), read) as WireStreamAck,
  };
  return codec;
}
