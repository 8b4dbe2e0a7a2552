import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Root } from 'protobufjs';

/** Trailer naming how long to wait before resending, in milliseconds (any gRPC client can read it). */
export const RETRY_AFTER_MS = 'retry-after-ms';

/**
 * google.rpc.Status with a google.rpc.RetryInfo detail, as the gRPC richer error model
 * carries it in the `grpc-status-details-bin` trailer: what OpenTelemetry exporters (and
 * Google's client libraries) read to decide that RESOURCE_EXHAUSTED may be retried, and when.
 */
const rpc = Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 } } },
            RetryInfo: { fields: { retry_delay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const StatusType = rpc.lookupType('google.rpc.Status');
const RetryInfoType = rpc.lookupType('google.rpc.RetryInfo');

/** The `grpc-status-details-bin` value: a google.rpc.Status holding one RetryInfo. */
export function retryStatusDetails(code: status, message: string, retryAfterMs: number): Buffer {
  const retryInfo = RetryInfoType.encode({ retry_delay: { seconds: Math.floor(retryAfterMs / 1000), nanos: (retryAfterMs % 1000) * 1_000_000 } }).finish();
  const details = [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }];
  return Buffer.from(StatusType.encode({ code, message, details }).finish());
}

/** Decodes what {@link retryStatusDetails} wrote: the retry delay in ms, if any (tests, clients). */
export function retryDelayFromDetails(bytes: Buffer): number | undefined {
  const decoded = StatusType.toObject(StatusType.decode(bytes), { longs: Number }) as { details?: Array<{ type_url: string; value: Uint8Array }> };
  const info = decoded.details?.find((detail) => detail.type_url.endsWith('/google.rpc.RetryInfo'));
  if (info === undefined) return undefined;
  const delay = (RetryInfoType.toObject(RetryInfoType.decode(info.value), { longs: Number }) as { retry_delay?: { seconds?: number; nanos?: number } }).retry_delay;
  return (delay?.seconds ?? 0) * 1000 + Math.round((delay?.nanos ?? 0) / 1_000_000);
}

/** A gRPC error status, for a unary callback or a stream's `destroy`/`emit('error')`. */
export function grpcError(code: status, details: string, metadata = new Metadata()): Partial<StatusObject> & ServiceError {
  const error = new Error(details) as Partial<StatusObject> & ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = metadata;
  return error;
}

/**
 * A refusal the client should retry later (RESOURCE_EXHAUSTED: no credit or over the rate
 * limit; UNAVAILABLE: draining), with the hint twice: the plain `retry-after-ms` trailer and
 * a google.rpc.RetryInfo in `grpc-status-details-bin`.
 */
export function retryLaterError(code: status, details: string, retryAfterMs: number): ServiceError {
  const metadata = new Metadata();
  const delay = Math.max(1, Math.ceil(retryAfterMs));
  metadata.set(RETRY_AFTER_MS, String(delay));
  metadata.set('grpc-status-details-bin', retryStatusDetails(code, details, delay));
  return grpcError(code, details, metadata);
}
