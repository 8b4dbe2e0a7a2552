import { status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { decodeOtlpLogs, type OtlpExportRequest } from './otlp-events';
import type { Intake } from './intake';
import { decodeOrUndefined, refusalError } from './ingest-service';
import { grpcMessageTypes, OTLP_EXPORT_PATH } from './protos';
import { grpcError, retryLaterError } from './status';

const identity = (buffer: Buffer): Buffer => buffer;

/** opentelemetry.proto.collector.logs.v1.LogsService with raw-bytes (de)serialisers. */
export const otlpLogsServiceDefinition: ServiceDefinition = {
  Export: { path: OTLP_EXPORT_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
};

/** How long an exporter is asked to wait before resending a batch whose delivery failed retryably. */
const DELIVERY_RETRY_MS = 1000;

/**
 * The OTLP logs Export handler. OTLP has no per-record acknowledgement, so the answer is
 * per request: records that can never be taken (invalid, refused permanently by a sink) are
 * counted in `partial_success` (an exporter does not resend those); if any record failed
 * retryably the whole request is answered UNAVAILABLE with a RetryInfo, and the exporter
 * resends it (records already delivered arrive twice: at least once).
 */
export function otlpLogsService(intake: Intake): UntypedServiceImplementation {
  const types = grpcMessageTypes();
  const { ctx, options } = intake;

  function Export(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void {
    const caller = intake.admit(call.metadata, call.getPeer(), 'otlp');
    if ('code' in caller) return callback(refusalError(caller));
    const request = decodeOrUndefined<OtlpExportRequest>(types.exportLogsRequest, call.request);
    if (request === undefined) return callback(grpcError(status.INVALID_ARGUMENT, 'not an opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'));
    const decoded = decodeOtlpLogs(request, ctx.scheduler.now(), options.limits);
    const total = decoded.events.length + decoded.rejected;
    const refused = intake.throttle(caller, total);
    if (refused !== undefined) {
      intake.countRejected(refused.reason, total);
      return callback(refusalError(refused));
    }
    intake.countRejected('invalid', decoded.rejected);
    intake.submit(decoded.events, call.request.length, caller.meta, (result) => {
      if ('code' in result) {
        intake.countRejected(result.reason, decoded.events.length);
        return callback(refusalError(result));
      }
      if (result.some((failure) => failure.retryable)) {
        intake.countRejected('delivery_failed', result.length);
        return callback(retryLaterError(status.UNAVAILABLE, `${result.length} log record(s) not delivered yet: ${result[0]?.reason ?? ''}`, DELIVERY_RETRY_MS));
      }
      intake.countRejected('delivery_failed', result.length);
      const rejected = decoded.rejected + result.length;
      const reasons = [...decoded.reasons, ...result.slice(0, 3).map((failure) => `delivery: ${failure.reason}`)];
      const partialSuccess = rejected === 0 ? undefined : { rejected_log_records: rejected, error_message: reasons.join('; ') };
      callback(null, Buffer.from(types.exportLogsResponse.encode(partialSuccess === undefined ? {} : { partial_success: partialSuccess }).finish()));
    });
  }

  return { Export };
}
