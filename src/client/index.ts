/**
 * `sluice/client`: push logs from a Node service to a sluice `grpc` source
 * (`sluice.ingest.v1.Ingest`), one batch at a time (`push`) or over a stream with a bounded
 * window of unacknowledged batches (`send`, `stream()`). The pino transport is `sluice/pino`.
 */
export { encodeEvent, timestampFromMillis, type EncodedEvent, type IngestEvent } from './event';
export { IngestClient, PushError, type PushOptions, type PushRejection, type PushResult } from './ingest-client';
export { IngestStream, type CloseResult, type IngestStreamEvents, type StreamStats } from './ingest-stream';
export { CLIENT_BACKOFF, type ClientTlsOptions, type IngestClientOptions } from './options';
export { eventFromPino, type PinoConfig, type PinoMappingOptions } from './pino-mapping';
export type { PinoTransportOptions } from './pino-transport';
export { INGEST_PROTO, PROTO_ROOT } from './proto';
export type { AckInfo, FailedEvent, GiveUp, GiveUpCause, IngestStreamOptions } from './stream-options';
