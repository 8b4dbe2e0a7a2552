import { defineSource } from '../../components/define';
import { lazyModule } from '../../components/lazy';
import { checkIngestOptions } from '../ingest/options';
import { grpcOptions } from './options';
import type * as ServeModule from './serve';

/** @grpc/grpc-js loads only when a pipeline has a grpc source (`create` is synchronous, hence `require`). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const serve = lazyModule(() => require('./serve') as typeof ServeModule);

/**
 * The gRPC ingest endpoint: `sluice.ingest.v1.Ingest` (Push, Stream), OTLP logs
 * (`LogsService/Export`), `grpc.health.v1.Health` and server reflection on one port.
 * Every batch is answered when its ack settles (`ack: delivered`), naming the events that
 * were invalid or not delivered. Out of credit, streams stop being read (HTTP/2 flow control
 * holds the client) and unary calls get RESOURCE_EXHAUSTED with a retry hint. On stop it
 * reports NOT_SERVING, refuses new batches with UNAVAILABLE, answers what is in flight as
 * it settles (or UNAVAILABLE at `drain_timeout`), then closes.
 */
export const grpcSource = defineSource({
  type: 'grpc',
  summary: 'A gRPC ingest endpoint: sluice.ingest.v1 (unary and streaming, per-batch acks), OTLP logs, health and reflection on one port.',
  options: grpcOptions,
  example: { address: '127.0.0.1:4317' },
  check: (config) => checkIngestOptions(config),
  create: (config, ctx) => serve().serveGrpc(config, ctx),
});
