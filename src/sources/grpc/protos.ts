import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Root, type Type } from 'protobufjs';

/** The ingest API's `.proto`, relative to the proto root. */
export const INGEST_PROTO = 'sluice/ingest/v1/ingest.proto';
/** The OTLP logs collector service, relative to the proto root. */
export const OTLP_LOGS_PROTO = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';

/** gRPC method paths served by the source. */
export const PUSH_PATH = '/sluice.ingest.v1.Ingest/Push';
export const STREAM_PATH = '/sluice.ingest.v1.Ingest/Stream';
export const OTLP_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/**
 * The directory holding `sluice/` and `opentelemetry/`. The `.proto` files live beside this
 * module in `src/sources/grpc/proto`; a build that copies them into `dist` finds them beside
 * the compiled module, and one that does not still finds the sources from
 * `dist/src/sources/grpc` (the package ships `src/**\/*.proto`).
 */
export function protoRoot(): string {
  const candidates = [resolve(__dirname, 'proto'), resolve(__dirname, '../../../../src/sources/grpc/proto')];
  const found = candidates.find((dir) => existsSync(join(dir, INGEST_PROTO)));
  if (found === undefined) throw new Error(`grpc source: ${INGEST_PROTO} not found in ${candidates.join(' or ')}`);
  return found;
}

/** The protobufjs message types the source decodes and encodes. */
export interface GrpcMessageTypes {
  readonly pushRequest: Type;
  readonly pushResponse: Type;
  readonly streamRequest: Type;
  readonly streamAck: Type;
  readonly exportLogsRequest: Type;
  readonly exportLogsResponse: Type;
}

let types: GrpcMessageTypes | undefined;

/**
 * The message types, loaded once per process. Decoding uses protobufjs's generated
 * decoders straight into message objects (no `toObject` pass): `keepCase` keeps the
 * .proto's snake_case names, bytes fields are Buffers sliced from the request (no copy),
 * and 64-bit integers are `Long`s, converted where they are read.
 */
export function grpcMessageTypes(): GrpcMessageTypes {
  if (types !== undefined) return types;
  const root = new Root();
  const dir = protoRoot();
  // Imports (google/protobuf/timestamp.proto is bundled with protobufjs) resolve from `dir`.
  root.resolvePath = (_origin, target) => (isAbsolute(target) || target.startsWith('google/protobuf/') ? target : join(dir, target));
  root.loadSync([INGEST_PROTO, OTLP_LOGS_PROTO].map((file) => join(dir, file)), { keepCase: true });
  root.resolveAll();
  types = {
    pushRequest: root.lookupType('sluice.ingest.v1.PushRequest'),
    pushResponse: root.lookupType('sluice.ingest.v1.PushResponse'),
    streamRequest: root.lookupType('sluice.ingest.v1.StreamRequest'),
    streamAck: root.lookupType('sluice.ingest.v1.StreamAck'),
    exportLogsRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    exportLogsResponse: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
  };
  return types;
}

/**
 * Every service the source serves (ingest, OTLP logs, health, reflection itself) as a proto-loader package
 * definition: what server reflection describes to `grpcurl` and other tools. Loaded once,
 * at start-up; the hot path never uses proto-loader's object conversion.
 */
export function reflectionPackageDefinition(): PackageDefinition {
  const dir = protoRoot();
  const reflectionProto = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  return loadSync([join(dir, INGEST_PROTO), join(dir, OTLP_LOGS_PROTO), healthProtoPath, reflectionProto], {
    includeDirs: [dir],
    keepCase: true,
  });
}
