import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } from '../services/coordinates';
import { PrivateServer } from '../services/private-instance';
import { bucketName, createBucket, listKeys, objectEvents, removeBucket, testClient } from '../integration/s3-sink-helpers';
import { assertBuilt, eventually, freePort, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';
import { note } from '../helpers/notes';

/**
 * An S3 outage through the CLI (issue 11, "What must show it"), on a private MinIO (the
 * shared one serves other tests): a generator at a steady rate feeds an s3 sink (its own
 * disk buffer, retry and circuit breaker) and a file sink. The MinIO is stopped for
 * SLUICE_OUTAGE_SECONDS (default 30) under that load and started again. Every event the
 * generator had acknowledged must be in the bucket (counted, duplicates counted), the breaker
 * must open and close again (its gauge), the backlog must drain (buffer bytes back to 0), and
 * the file sink must keep the generator's rate while S3 is away.
 */

const OUTAGE_SECONDS = Number(process.env.SLUICE_OUTAGE_SECONDS ?? '30');
const RATE = 1000;
const LEAD_SECONDS = 5;
/** Enough events that the generator runs through the outage and a few seconds past it. */
const COUNT = RATE * (LEAD_SECONDS + OUTAGE_SECONDS + 5);
const PORT = 29420;

let server: PrivateServer | undefined;
let client: S3Client | undefined;
let bucket = '';

beforeAll(async () => {
  assertBuilt();
  server = await PrivateServer.start('s3', { name: 'outage', port: PORT });
  client = testClient(server.url);
  bucket = bucketName('outage');
  await createBucket(client, bucket);
}, 120_000);
afterEach(killLeftovers);
afterAll(async () => {
  if (client) {
    await removeBucket(client, bucket);
    client.destroy();
  }
  await server?.destroy();
  removeTempDirs();
});

/** The value of `metric` on the series labelled `component_id="<id>"`. */
function metricValue(body: string, metric: string, id: string): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${metric}{`) || !line.includes(`component_id="${id}"`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

async function scrape(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

describe('an S3 outage through the CLI', () => {
  it(
    `loses nothing acknowledged while MinIO is down for ${OUTAGE_SECONDS}s under load, opens and closes the breaker, drains the backlog, and keeps the other sink at full rate`,
    async () => {
      if (!server || !client) throw new Error('the private MinIO did not start');
      const dir = tempDir('sluice-s3-outage-');
      const port = await freePort();
      const sideDir = join(dir, 'side');
      const config = writeConfig(
        dir,
        `data_dir: ${join(dir, 'state')}
api:
  address: 127.0.0.1:${port}
sources:
  gen:
    type: generator
    count: ${COUNT}
    rate: ${RATE}
    batch_size: 100
    format: json
  keepalive:
    type: stdin
sinks:
  archive:
    type: s3
    inputs: [gen]
    bucket: ${bucket}
    endpoint: ${server.url}
    force_path_style: true
    access_key_id: ${S3_ACCESS_KEY_ID}
    secret_access_key: ${S3_SECRET_ACCESS_KEY}
    key_prefix: outage/%F/
    request_timeout: 10s
    batch:
      max_events: 2000
      timeout: 1s
    buffer:
      mode: disk
      max_in_flight: 8
    retry:
      initial: 200ms
      max: 5s
    circuit_breaker:
      failure_threshold: 3
      reset_timeout: 5s
  side:
    type: file
    inputs: [gen]
    path: ${sideDir}/%H.ndjson
    fsync: false
  void:
    type: blackhole
    inputs: [keepalive]
`,
      );
      const running: Running = startCli(['run', '-c', config, '--log-level', 'error']);
      const failed = (why: string): Error => new Error(`${why}\n--- sluice stderr (tail) ---\n${running.stderr().slice(-4000)}`);
      const metrics = async (): Promise<string> => scrape(port);

      // Before: objects are being uploaded.
      await eventually(async () => ((metricValue(await metrics(), 'sluice_component_sent_events_total', 'archive') ?? 0) > 0 ? true : undefined), 30_000, 'the first upload').catch((error: Error) => {
        throw failed(error.message);
      });
      await sleep(LEAD_SECONDS * 1000);

      // The outage.
      // Counted once the server is down: uploads it finished while shutting down are not "during".
      await server.stop();
      const stoppedAt = Date.now();
      const before = await metrics();
      const sideBefore = metricValue(before, 'sluice_component_sent_events_total', 'side') ?? 0;
      const archiveBefore = metricValue(before, 'sluice_component_sent_events_total', 'archive') ?? 0;
      let breakerOpened = false;
      let peakBufferBytes = 0;
      while (Date.now() - stoppedAt < OUTAGE_SECONDS * 1000) {
        const body = await metrics();
        if (metricValue(body, 'sluice_circuit_breaker_state', 'archive') === 1) breakerOpened = true;
        peakBufferBytes = Math.max(peakBufferBytes, metricValue(body, 'sluice_buffer_bytes', 'archive') ?? 0);
        await sleep(250);
      }
      const during = await metrics();
      const outageMs = Date.now() - stoppedAt;
      const sideRate = ((metricValue(during, 'sluice_component_sent_events_total', 'side') ?? 0) - sideBefore) / (outageMs / 1000);
      const archiveDuring = (metricValue(during, 'sluice_component_sent_events_total', 'archive') ?? 0) - archiveBefore;
      await server.restart();
      const restartedAt = Date.now();

      // Recovery: everything uploaded, the buffer empty, the breaker closed.
      const drained = await eventually(
        async () => {
          const body = await metrics();
          const sent = metricValue(body, 'sluice_component_sent_events_total', 'archive') ?? 0;
          const buffered = metricValue(body, 'sluice_buffer_bytes', 'archive');
          const breaker = metricValue(body, 'sluice_circuit_breaker_state', 'archive');
          return sent >= COUNT && buffered === 0 && breaker === 0 ? body : undefined;
        },
        120_000,
        `all ${COUNT} events uploaded, the buffer empty and the breaker closed`,
      ).catch((error: Error) => {
        throw failed(error.message);
      });
      const drainSeconds = (Date.now() - restartedAt) / 1000;
      running.child.kill('SIGTERM');
      const exit = await running.exited;
      expect(exit.code).toBe(0);

      // Every generated (and so acknowledged) event is in the bucket at least once.
      const copies = new Uint32Array(COUNT);
      let objects = 0;
      let lines = 0;
      for (const key of await listKeys(client, bucket)) {
        objects += 1;
        for (const event of await objectEvents(client, bucket, key)) {
          const sequence = event.sequence;
          if (typeof sequence !== 'number' || sequence < 0 || sequence >= COUNT) throw failed(`unexpected sequence ${String(sequence)} in ${key}`);
          copies[sequence] += 1;
          lines += 1;
        }
      }
      const missing: number[] = [];
      for (let sequence = 0; sequence < COUNT; sequence++) if (copies[sequence] === 0) missing.push(sequence);
      const duplicates = lines - (COUNT - missing.length);
      const sideEvents = readEvents(sideDir).length;
      note(
        `s3 outage ${OUTAGE_SECONDS}s at ${RATE} ev/s: generated ${COUNT}; in the bucket ${lines} events in ${objects} objects (${COUNT - missing.length} distinct, ${duplicates} duplicates); ` +
          `uploaded during the outage ${archiveDuring}; breaker opened ${breakerOpened}, closed after recovery; peak buffer bytes ${peakBufferBytes}; ` +
          `backlog drained ${drainSeconds.toFixed(1)}s after restart; file sink during the outage ${sideRate.toFixed(0)} ev/s (${sideEvents} events written); ` +
          `retried events ${metricValue(drained, 'sluice_component_retried_events_total', 'archive') ?? 0}`,
      );
      expect(missing.slice(0, 20)).toEqual([]);
      expect(breakerOpened).toBe(true);
      expect(archiveDuring).toBe(0);
      expect(peakBufferBytes).toBeGreaterThan(0);
      expect(sideEvents).toBe(COUNT);
      // the other sink kept the generator's pace while S3 was away
      expect(sideRate).toBeGreaterThan(RATE * 0.8);
    },
    (OUTAGE_SECONDS + 240) * 1000,
  );
});
