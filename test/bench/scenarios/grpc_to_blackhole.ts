import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { Pipeline, PipelineMetrics, pipeline } from '../../../src/index';
import { componentCount } from '../sluice';
import { LOAD, measureGrpcLoad } from '../grpc-bench';
import { expectEvents, type Scenario } from '../scenario';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The gRPC ingest endpoint under streaming load: 4 client connections (a forked load
 * generator) stream sluice.ingest.v1 batches of 500 ~200-byte events into a real Pipeline
 * (`grpc` source, `ack: delivered`) → blackhole. Every batch is answered once the
 * blackhole acknowledged it. Throughput is the peak run; p50/p99 are send → ack at half
 * the peak rate. The server's CPU and RSS are this process's; the load generator's are not.
 */
export const scenario: Scenario = {
  name: 'grpc_to_blackhole',
  description: `grpc source (Stream, ${LOAD.connections} connections, ${LOAD.batchEvents}-event batches, window ${LOAD.window}) → blackhole, ack: delivered; latency at 50 % of peak`,
  bytesBasis: 'encoded sluice.ingest.v1.Event bytes (~200 per event)',
  async run() {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
    const metrics = new PipelineMetrics();
    const spec = pipeline({
      sources: { ingest: { type: 'grpc', address, max_in_flight_events: 40_000, max_in_flight_bytes: '64MiB' } },
      sinks: { out: { type: 'blackhole', inputs: ['ingest'], batch: { max_events: 2000 } } },
    });
    const running = Pipeline.create({ ...spec, data_dir: dataDir, api: { enabled: false } }, { metrics });
    const finished = running.run();
    try {
      const measured = await measureGrpcLoad(address);
      await running.stop();
      await finished;
      const delivered = await componentCount(metrics.sentEvents, 'out');
      expectEvents('grpc_to_blackhole', delivered, measured.delivered);
      const { delivered: _total, ...measurement } = measured;
      return measurement;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
