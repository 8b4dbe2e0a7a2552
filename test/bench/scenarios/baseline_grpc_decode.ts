import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { grpcMessageTypes, STREAM_PATH } from '../../../src/sources/grpc/protos';
import { LOAD, measureGrpcLoad } from '../grpc-bench';
import { expectEvents, type Scenario } from '../scenario';
import { freePort } from './grpc_to_blackhole';

const identity = (buffer: Buffer): Buffer => buffer;

/**
 * Plain @grpc/grpc-js without sluice, under the load of grpc_to_blackhole: a Stream handler
 * that decodes each request with protobufjs, counts its events and answers at once. The gap
 * to grpc_to_blackhole is what sluice costs (event building and validation, credit, acks,
 * the pipeline).
 */
export const scenario: Scenario = {
  name: 'baseline_grpc_decode',
  description: `plain @grpc/grpc-js Stream server (protobufjs decode + count, answer at once), load as grpc_to_blackhole (${LOAD.connections} connections)`,
  bytesBasis: 'encoded sluice.ingest.v1.Event bytes (~200 per event)',
  async run() {
    const types = grpcMessageTypes();
    let counted = 0;
    const server = new Server();
    server.addService(
      { Stream: { path: STREAM_PATH, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
      {
        Stream(call: ServerDuplexStream<Buffer, Buffer>) {
          call.on('data', (bytes: Buffer) => {
            const request = types.streamRequest.decode(bytes) as unknown as { sequence: number; events: unknown[] };
            counted += request.events.length;
            call.write(Buffer.from(types.streamAck.encode({ sequence: request.sequence, accepted: request.events.length }).finish()));
          });
          call.on('end', () => call.end());
        },
      },
    );
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
    try {
      const measured = await measureGrpcLoad(address);
      expectEvents('baseline_grpc_decode', counted, measured.delivered);
      const { delivered: _total, ...measurement } = measured;
      return measurement;
    } finally {
      server.forceShutdown();
    }
  },
};
