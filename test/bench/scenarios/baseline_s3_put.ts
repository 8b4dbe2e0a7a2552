import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { open } from 'node:fs/promises';
import { READ_CHUNK_BYTES } from '../baseline';
import { ndjsonFixture, warmPageCache } from '../fixtures';
import { timed, type Scenario } from '../scenario';
import { benchClient, drainBucket, freshBucket, OBJECT_BYTES, UPLOAD_CONCURRENCY } from '../s3-bucket';

const gzipAsync = promisify(gzip);
const NEWLINE = 10;
let path = '';
let client: S3Client;
let bucket = '';

/**
 * The reference for `file_to_s3`, with no sluice: the same file read in 1 MiB chunks, each line
 * parsed and encoded again (`JSON.parse`, `JSON.stringify`: the work of sluice's json
 * transform and ndjson encoder), cut into bodies of about 8 MiB, each gzipped (zlib level 6 on the thread pool, as
 * sluice does) and sent with the bare SDK's PutObject, at most two in flight; reading pauses
 * while two are. Needs the test MinIO (npm run services:up).
 */
export const scenario: Scenario = {
  name: 'baseline_s3_put',
  description: 'plain Node + @aws-sdk/client-s3: JSON.parse + stringify per line, 8 MiB bodies, gzip, PutObject, 2 in flight (no sluice)',
  bytesBasis: 'file bytes',
  prepare() {
    ndjsonFixture();
  },
  async setup() {
    path = ndjsonFixture();
    warmPageCache(path);
    client = benchClient();
    bucket = await freshBucket(client, 'baseline');
  },
  async run() {
    let sequence = 0;
    const inFlight = new Set<Promise<void>>();
    const put = (body: Buffer): Promise<void> => {
      const key = `bench/${String(sequence++).padStart(6, '0')}.ndjson.gz`;
      const upload = gzipAsync(body)
        .then((payload) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: payload, ContentLength: payload.length, ContentEncoding: 'gzip', ContentType: 'application/x-ndjson' })))
        .then(() => undefined);
      const tracked = upload.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return tracked;
    };
    const { value, durationMs, cpuMs } = await timed(async () => {
      const handle = await open(path);
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      let carry = Buffer.alloc(0);
      let parts: Buffer[] = [];
      let size = 0;
      let bytes = 0;
      let lines = 0;
      const flush = async (): Promise<void> => {
        if (size === 0) return;
        void put(Buffer.concat(parts, size));
        parts = [];
        size = 0;
        while (inFlight.size >= UPLOAD_CONCURRENCY) await Promise.race(inFlight);
      };
      try {
        for (;;) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          bytes += bytesRead;
          const data = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
          const last = data.lastIndexOf(NEWLINE);
          if (last < 0) {
            carry = Buffer.from(data);
            continue;
          }
          const complete = Buffer.from(data.subarray(0, last + 1));
          carry = Buffer.from(data.subarray(last + 1));
          // parse each line and encode it again, as sluice's json transform and ndjson encoder do
          const encoded: string[] = [];
          for (let start = 0, at = complete.indexOf(NEWLINE); at >= 0; start = at + 1, at = complete.indexOf(NEWLINE, start)) {
            encoded.push(JSON.stringify(JSON.parse(complete.toString('utf8', start, at))) + '\n');
            lines++;
          }
          const body = Buffer.from(encoded.join(''));
          parts.push(body);
          size += body.length;
          // bodies of about OBJECT_BYTES: sent once they hold that much, as sluice's batch is
          if (size >= OBJECT_BYTES) await flush();
        }
      } finally {
        await handle.close();
      }
      if (carry.length > 0) {
        const body = Buffer.from(JSON.stringify(JSON.parse(carry.toString('utf8'))) + '\n');
        parts.push(body);
        size += body.length;
        lines++;
      }
      await flush();
      await Promise.all(inFlight);
      return { bytes, lines };
    });
    const stored = await drainBucket(client, bucket);
    client.destroy();
    return { events: value.lines, bytes: value.bytes, durationMs, cpuMs, extra: { objects: stored.objects, 'stored MiB': Math.round(stored.bytes / 1024 / 102.4) / 10 } };
  },
};
