import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Type } from 'protobufjs';
import { decodeIngestEvents, type ItemError, type WireEvent, type WireInt64 } from './ingest-events';
import type { Intake, Refusal } from './intake';
import type { StreamGate } from './stream-gate';
import { grpcMessageTypes, PUSH_PATH, STREAM_PATH } from './protos';
import { grpcError, retryLaterError } from './status';

/** Requests and answers stay Buffers in grpc-js: the handlers decode, so a malformed message is INVALID_ARGUMENT (grpc-js would say INTERNAL) and counted. */
const identity = (buffer: Buffer): Buffer => buffer;

/** sluice.ingest.v1.Ingest with raw-bytes (de)serialisers. */
export const ingestServiceDefinition: ServiceDefinition = {
  Push: { path: PUSH_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  Stream: { path: STREAM_PATH, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
};

/** The gRPC error of a refusal: with a retry hint when one helps, plain otherwise. */
export const refusalError = (refusal: Refusal) => (refusal.retryAfterMs === undefined ? grpcError(refusal.code, refusal.details) : retryLaterError(refusal.code, refusal.details, refusal.retryAfterMs));

const isRefusal = (value: object): value is Refusal => 'code' in value;

/** Decodes `bytes` as `type`, or undefined when they are not such a message. */
export function decodeOrUndefined<T>(type: Type, bytes: Buffer): T | undefined {
  try {
    return type.decode(bytes) as unknown as T;
  } catch {
    return undefined;
  }
}

/** Validation failures and the ack's failures (indices into the valid events) as one list by request index. */
function mergeRejected(validation: readonly ItemError[], delivery: readonly ItemError[], indices: readonly number[]): ItemError[] {
  if (delivery.length === 0) return validation as ItemError[];
  const mapped = delivery.map((failure) => ({ ...failure, index: indices[failure.index] as number }));
  return validation.length === 0 ? mapped : [...validation, ...mapped].sort((a, b) => a.index - b.index);
}

/**
 * The handlers of sluice.ingest.v1.Ingest. `Push` answers once; `Stream` answers each
 * sequence number once, when its batch settles. Both refuse a whole batch with a retry hint
 * (rate limit, credit, draining) and name invalid or undelivered events by index.
 */
export function ingestService(intake: Intake, gate: StreamGate): UntypedServiceImplementation {
  const types = grpcMessageTypes();
  const { ctx, options } = intake;

  function Push(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
    const caller = intake.admit(call.metadata, call.getPeer(), 'grpc');
    if (isRefusal(caller)) return callback(refusalError(caller));
    const request = decodeOrUndefined<{ events: WireEvent[] }>(types.pushRequest, call.request);
    if (request === undefined) return callback(grpcError(status.INVALID_ARGUMENT, 'not a sluice.ingest.v1.PushRequest'));
    const total = request.events.length;
    const refused = intake.throttle(caller, total);
    if (refused !== undefined) {
      intake.countRejected(refused.reason, total);
      return callback(refusalError(refused));
    }
    const decoded = decodeIngestEvents(request.events, ctx.scheduler.now(), options.limits);
    intake.countRejected('invalid', decoded.rejected.length);
    intake.submit(decoded.events, call.request.length, caller.meta, (result) => {
      if (isRefusal(result)) {
        intake.countRejected(result.reason, decoded.events.length);
        return callback(refusalError(result));
      }
      intake.countRejected('delivery_failed', result.length);
      const rejected = mergeRejected(decoded.rejected, result, decoded.indices);
      callback(null, Buffer.from(types.pushResponse.encode({ accepted: total - rejected.length, rejected }).finish()));
    });
  }

  function Stream(call: ServerDuplexStream<Buffer, Buffer>): void {
    const caller = intake.admit(call.metadata, call.getPeer(), 'grpc');
    if (isRefusal(caller)) {
      call.emit('error', refusalError(caller));
      return;
    }
    const meta = { ...caller.meta, connection: intake.connectionId() };
    const stream = gate.add(call);
    const answer = (sequence: WireInt64, accepted: number, rejected: ItemError[], retryAfterMs = 0): void => {
      if (!stream.open) return;
      call.write(Buffer.from(types.streamAck.encode({ sequence, accepted, rejected, retry_after_ms: retryAfterMs }).finish()));
    };
    call.on('data', (bytes: Buffer) => {
      // Read ahead before the call failed: nothing more is taken from it.
      if (!stream.open) return;
      const request = decodeOrUndefined<{ sequence: WireInt64; events: WireEvent[] }>(types.streamRequest, bytes);
      if (request === undefined) return stream.fail(grpcError(status.INVALID_ARGUMENT, 'not a sluice.ingest.v1.StreamRequest; batches not yet answered were not accepted'));
      const { sequence, events } = request;
      const refused = intake.throttle(caller, events.length);
      if (refused !== undefined) {
        intake.countRejected(refused.reason, events.length);
        // The whole batch: nothing accepted, nothing named, resend after the hint.
        return answer(sequence, 0, [], refused.retryAfterMs ?? 1000);
      }
      const decoded = decodeIngestEvents(events, ctx.scheduler.now(), options.limits);
      intake.countRejected('invalid', decoded.rejected.length);
      stream.owe();
      intake.submit(decoded.events, bytes.length, meta, (result) => {
        if (isRefusal(result)) {
          intake.countRejected(result.reason, decoded.events.length);
          answer(sequence, 0, [], result.retryAfterMs ?? 1000);
        } else {
          intake.countRejected('delivery_failed', result.length);
          const rejected = mergeRejected(decoded.rejected, result, decoded.indices);
          answer(sequence, events.length - rejected.length, rejected);
        }
        stream.settle();
      });
      gate.afterBatch();
    });
  }

  return { Push, Stream };
}
