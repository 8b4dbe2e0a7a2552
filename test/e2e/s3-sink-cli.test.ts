import type { S3Client } from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_SECRET_ACCESS_KEY } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { bucketName, createBucket, listKeys, objectEvents, removeBucket, testClient } from '../integration/s3-sink-helpers';
import { assertBuilt, eventually, freePort, killLeftovers, removeTempDirs, runCli, sequenceProblem, startCli, tempDir, writeConfig } from './cli-harness';

/**
 * The s3 sink through the built CLI (`sluice run`), on the shared MinIO: a generator behind a
 * disk buffer, as config/examples/s3-archive.yaml sets it up, with a partitioned key prefix.
 * When the run ends every generated event is in exactly one object, under the expected keys.
 */

const COUNT = 20_000;
let client: S3Client;
let bucket: string;

beforeAll(async () => {
  assertBuilt();
  await assertReachable('The S3 server', S3_ENDPOINT);
  client = testClient();
  bucket = bucketName('cli');
  await createBucket(client, bucket);
});
afterEach(killLeftovers);
afterAll(async () => {
  await removeBucket(client, bucket);
  client.destroy();
  removeTempDirs();
});

describe('sluice run with an s3 sink', () => {
  it('uploads every generated event exactly once, as gzipped NDJSON objects under level={{ level }}/date=%F/', async () => {
    const dir = tempDir('sluice-s3-cli-');
    const config = writeConfig(
      dir,
      `data_dir: ${dir}/state
api:
  enabled: false
sources:
  gen:
    type: generator
    count: ${COUNT}
    batch_size: 500
    format: json
transforms:
  parsed:
    type: json
    inputs: [gen]
  durable:
    type: buffer
    inputs: [parsed]
    mode: disk
    max_in_flight: 64
sinks:
  archive:
    type: s3
    inputs: [durable]
    bucket: ${bucket}
    endpoint: \${S3_ENDPOINT}
    force_path_style: true
    access_key_id: \${S3_KEY}
    secret_access_key: \${S3_SECRET}
    key_prefix: level={{ level }}/date=%F/
    batch:
      max_events: 5000
      timeout: 2s
`,
    );
    const exit = await runCli(['run', '-c', config, '--log-level', 'warn'], { env: { S3_ENDPOINT, S3_KEY: S3_ACCESS_KEY_ID, S3_SECRET: S3_SECRET_ACCESS_KEY } });
    expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: '' });

    const keys = await listKeys(client, bucket);
    expect(keys.length).toBeGreaterThan(0);
    const sequences: unknown[] = [];
    for (const key of keys) {
      expect(key).toMatch(/^level=[a-z_]+\/date=\d{4}-\d{2}-\d{2}\/\d{8}T\d{6}Z-.+-\d{6}\.ndjson\.gz$/);
      const level = key.slice('level='.length, key.indexOf('/'));
      for (const event of await objectEvents(client, bucket, key)) {
        expect(event.level ?? '_missing').toBe(level);
        sequences.push(event.sequence);
      }
    }
    expect(sequences).toHaveLength(COUNT);
    expect(sequenceProblem(sequences)).toBeUndefined();
  });

  it('stays down on /ready, naming the missing bucket, and uploads nothing while the bucket does not exist', async () => {
    const dir = tempDir('sluice-s3-cli-');
    const port = await freePort();
    const missing = bucketName('missing');
    const config = writeConfig(
      dir,
      `data_dir: ${dir}/state
api:
  address: 127.0.0.1:${port}
sources:
  gen:
    type: generator
    rate: 100
    format: json
sinks:
  archive:
    type: s3
    inputs: [gen]
    bucket: ${missing}
    endpoint: ${S3_ENDPOINT}
    force_path_style: true
    access_key_id: ${S3_ACCESS_KEY_ID}
    secret_access_key: ${S3_SECRET_ACCESS_KEY}
`,
    );
    const running = startCli(['run', '-c', config, '--log-level', 'error']);
    const body = await eventually(
      async () => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/ready`);
          const text = await response.text();
          return response.status === 503 && text.includes('does not exist') ? text : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
      '/ready to report the sink down',
    );
    const ready = JSON.parse(body) as { components: Array<{ id: string; state: string; reason: string }> };
    expect(ready.components).toEqual([expect.objectContaining({ id: 'archive', state: 'down', reason: expect.stringContaining(`bucket "${missing}" does not exist`) })]);
    // a few seconds later it is still down (start is retried, never gives up, never creates the bucket)
    await new Promise((wake) => setTimeout(wake, 3000));
    const again = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(again.status).toBe(503);
    running.child.kill('SIGKILL');
    await running.exited;
  });
});
