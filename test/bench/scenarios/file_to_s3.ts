import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { fromReadable } from '../../../src/sources/readable';
import { READ_CHUNK_BYTES } from '../baseline';
import { pageCachedNdjson } from '../fixtures';
import { pipeline } from '../../../src/index';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, type Scenario } from '../scenario';
import { benchClient, drainBucket, freshBucket, OBJECT_BYTES, S3_BENCH, UPLOAD_CONCURRENCY } from '../s3-bucket';

const input = pageCachedNdjson();
let client: S3Client;
let bucket = '';

/**
 * The NDJSON fixture (page cache, 1 MiB reads) through a real Pipeline into the s3 sink on
 * the test MinIO: parsed by the `json` transform, encoded back to NDJSON, gzipped, uploaded
 * as objects of `batch.max_bytes` (8 MiB before compression), two uploads at a time. Compare
 * with `baseline_s3_put`: the same file cut into bodies of the same size, gzipped and sent
 * with the bare SDK's PutObject, two at a time. Needs the test MinIO (npm run services:up).
 */
export const scenario: Scenario = {
  name: 'file_to_s3',
  description: 'NDJSON file → json → s3 sink (ndjson, gzip, 8 MiB objects, 2 uploads at a time) on the test MinIO, real Pipeline',
  bytesBasis: 'file bytes',
  prepare: input.prepare,
  async setup() {
    await input.setup?.();
    client = benchClient();
    bucket = await freshBucket(client, 'file-to-s3');
  },
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: {
          file: {
            source: (ctx) => fromReadable(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), ctx, { maxLineBytes: 1024 * 1024 }),
            // room for two 8 MiB objects in flight and a third filling: with the default 32 MiB
            // the source runs out of credit first and urges the batches out half full
            max_in_flight_bytes: '64MiB',
            max_in_flight_events: 1_000_000,
          },
        },
        transforms: { parsed: { type: 'json', inputs: ['file'] } },
        sinks: {
          out: {
            type: 's3',
            inputs: ['parsed'],
            bucket,
            endpoint: S3_BENCH.endpoint,
            region: S3_BENCH.region,
            force_path_style: true,
            access_key_id: S3_BENCH.accessKeyId,
            secret_access_key: S3_BENCH.secretAccessKey,
            key_prefix: 'bench/',
            concurrency: UPLOAD_CONCURRENCY,
            batch: { max_events: 1_000_000, max_bytes: OBJECT_BYTES, timeout: 1000 },
          },
        },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('file_to_s3', delivered, input.expected.lines);
    const stored = await drainBucket(client, bucket);
    client.destroy();
    return { events: delivered, bytes: input.expected.bytes, durationMs, cpuMs, extra: { objects: stored.objects, 'stored MiB': Math.round(stored.bytes / 1024 / 102.4) / 10 } };
  },
};
