import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, PipelineMetrics, pipeline } from '../../../src/index';
import { componentCount } from '../sluice';
import { HTTP_LOAD, measureHttpLoad } from '../http-bench';
import { freePort } from './baseline_http_decode';
import { expectEvents, type Scenario } from '../scenario';

/**
 * The HTTP ingest API under load: 4 keep-alive connections (a forked load generator) POST
 * ~1 MiB NDJSON bodies of 200-byte events to a real Pipeline (`http` source, `ack:
 * delivered`) → blackhole; each request is answered once the blackhole acknowledged it.
 * Throughput is the peak run; p50/p99 are send → answer at half the peak request rate. The
 * server's CPU and RSS are this process's; the load generator's are not.
 */
export const scenario: Scenario = {
  name: 'http_to_blackhole',
  description: `http source (${HTTP_LOAD.connections} keep-alive connections, ~1 MiB NDJSON bodies of 200-byte events) → blackhole, ack: delivered; latency at 50 % of peak`,
  bytesBasis: 'request body bytes (NDJSON)',
  async run() {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
    const metrics = new PipelineMetrics();
    const spec = pipeline({
      sources: { ingest: { type: 'http', address: `127.0.0.1:${port}`, max_in_flight_events: 60_000, max_in_flight_bytes: '64MiB' } },
      sinks: { out: { type: 'blackhole', inputs: ['ingest'], batch: { max_events: 10_000 } } },
    });
    const running = Pipeline.create({ ...spec, data_dir: dataDir, api: { enabled: false } }, { metrics });
    const finished = running.run();
    try {
      const measured = await measureHttpLoad(`http://127.0.0.1:${port}/logs`);
      await running.stop();
      await finished;
      const delivered = await componentCount(metrics.sentEvents, 'out');
      expectEvents('http_to_blackhole', delivered, measured.delivered);
      const { delivered: _total, ...measurement } = measured;
      return measurement;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
