import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createBatch } from '../../src/core/batch';
import { DeliveryError } from '../../src/core/errors';
import type { LogEvent } from '../../src/core/event';
import type { Sink } from '../../src/core/sink';
import { S3_ENDPOINT } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { metricValue } from '../helpers/context';
import { bucketName, createBucket, getObject, listKeys, objectEvents, removeBucket, s3SinkFor, testClient } from './s3-sink-helpers';

/**
 * The s3 sink against the real MinIO of test/services (issue 11): keys, partitioning,
 * encodings, compression, multipart, a missing bucket. SSE is in s3-sink-sse.test.ts (MinIO
 * needs a KMS for it) and the outage in s3-sink-outage.test.ts (a private server).
 */

const KEY_SUFFIX = /^\d{8}T\d{6}Z-[A-Za-z0-9!_.*'()-]+-\d+-[0-9a-f]{8}-\d{6}$/;
const send = (sink: Sink, events: LogEvent[], signal = new AbortController().signal) => sink.send(createBatch(events), { signal });

let client: S3Client;
const buckets: string[] = [];
const sinks: Sink[] = [];

async function freshBucket(what: string): Promise<string> {
  const bucket = bucketName(what);
  await createBucket(client, bucket);
  buckets.push(bucket);
  return bucket;
}

function sinkFor(options: Record<string, unknown>) {
  const made = s3SinkFor(options);
  sinks.push(made.sink);
  return made;
}

beforeAll(async () => {
  await assertReachable('The S3 server', S3_ENDPOINT);
  client = testClient();
});

afterAll(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
  for (const bucket of buckets) await removeBucket(client, bucket);
  client.destroy();
});

describe('the s3 sink on a real S3 server', () => {
  it('checks the bucket at start and writes gzipped NDJSON objects, one per prefix, whose content is exactly the events sent', async () => {
    const bucket = await freshBucket('ndjson');
    const { sink, context } = sinkFor({ bucket, key_prefix: 'service={{ service }}/date=%Y-%m-%d/' });
    await sink.start?.({ signal: new AbortController().signal });
    const events: LogEvent[] = [
      { timestamp: '2024-05-01T10:00:00.000Z', service: 'api', message: 'one', n: 1 },
      { timestamp: '2024-05-01T23:59:59.999Z', service: 'web', message: 'two', n: 2 },
      { timestamp: '2024-05-02T00:00:00.000Z', service: 'api', message: 'three ünïcode', n: 3 },
      { timestamp: '2024-05-01T11:00:00.000Z', service: 'api', message: 'four', n: 4 },
      { timestamp: '2024-05-01T12:00:00.000Z', message: 'no service', n: 5 },
    ];
    expect(await send(sink, events)).toEqual({});

    const keys = await listKeys(client, bucket);
    const prefixes = keys.map((key) => key.slice(0, key.lastIndexOf('/') + 1));
    expect(prefixes).toEqual(['service=_missing/date=2024-05-01/', 'service=api/date=2024-05-01/', 'service=api/date=2024-05-02/', 'service=web/date=2024-05-01/']);
    for (const key of keys) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      expect(name.endsWith('.ndjson.gz')).toBe(true);
      expect(name.slice(0, -'.ndjson.gz'.length)).toMatch(KEY_SUFFIX);
    }
    const byPrefix = Object.fromEntries(await Promise.all(keys.map(async (key, i) => [prefixes[i], await objectEvents(client, bucket, key)] as const)));
    expect(byPrefix).toEqual({
      'service=_missing/date=2024-05-01/': [events[4]],
      'service=api/date=2024-05-01/': [events[0], events[3]],
      'service=api/date=2024-05-02/': [events[2]],
      'service=web/date=2024-05-01/': [events[1]],
    });
    const { head } = await getObject(client, bucket, keys[0]);
    expect(head.ContentEncoding).toBe('gzip');
    expect(head.ContentType).toBe('application/x-ndjson');
    expect(await metricValue(context.pipelineMetrics, 'sluice_s3_objects_uploaded_total')).toBe(4);
    expect(await metricValue(context.pipelineMetrics, 'sluice_s3_uploaded_bytes_total')).toBeGreaterThan(0);
  });

  it('never overwrites: the same events sent twice make two objects', async () => {
    const bucket = await freshBucket('unique');
    const { sink } = sinkFor({ bucket, key_prefix: 'p/' });
    const events = [{ timestamp: '2024-05-01T10:00:00.000Z', message: 'same' }];
    for (let i = 0; i < 5; i++) expect(await send(sink, events)).toEqual({});
    const keys = await listKeys(client, bucket);
    expect(keys).toHaveLength(5);
    for (const key of keys) expect(await objectEvents(client, bucket, key)).toEqual(events);
  });

  it('writes a JSON array without compression when told to, split into objects of at most twice batch.max_bytes', async () => {
    const bucket = await freshBucket('json-array');
    const { sink } = sinkFor({ bucket, key_prefix: 'arrays/', encoding: 'json_array', compression: 'none', batch: { max_bytes: 1000 } });
    const events = Array.from({ length: 80 }, (_, n) => ({ timestamp: '2024-05-01T10:00:00.000Z', message: `event number ${n}`, n }));
    expect(await send(sink, events)).toEqual({});
    const keys = await listKeys(client, bucket);
    expect(keys.length).toBeGreaterThan(1);
    const back: Array<Record<string, unknown>> = [];
    for (const key of keys) {
      expect(key).toMatch(/^arrays\/.*\.json$/);
      const { body, head } = await getObject(client, bucket, key);
      expect(body.length).toBeLessThanOrEqual(2000);
      expect(head.ContentType).toBe('application/json');
      expect(head.ContentEncoding).toBeUndefined();
      back.push(...(JSON.parse(body.toString('utf8')) as Array<Record<string, unknown>>));
    }
    // keys sort in upload order (time, then sequence), so the events come back in order
    expect(back).toEqual(events);
  });

  it('uploads an object above multipart_threshold in parts, byte-exact, and leaves no upload open', async () => {
    const bucket = await freshBucket('multipart');
    const { sink, context } = sinkFor({ bucket, key_prefix: 'big/', compression: 'none', multipart_threshold: '5MiB', multipart_part_size: '5MiB', batch: { max_bytes: '64MiB' } });
    // ~12 MiB of incompressible text: three parts of 5, 5 and ~2 MiB.
    const events = Array.from({ length: 3000 }, (_, n) => ({ timestamp: '2024-05-01T10:00:00.000Z', n, message: randomBytes(2048).toString('hex') }));
    expect(await send(sink, events)).toEqual({});
    const [key] = await listKeys(client, bucket);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ETag).toMatch(/-3"?$/); // a multipart ETag ends in -<part count>
    expect(await objectEvents(client, bucket, key)).toEqual(events);
    expect(await metricValue(context.pipelineMetrics, 'sluice_s3_multipart_uploads_total')).toBe(1);
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(open.Uploads ?? []).toEqual([]);
  });

  it('aborts a multipart upload whose send is aborted, acknowledges none of its events, and leaves no parts behind', async () => {
    const bucket = await freshBucket('multipart-abort');
    const { sink } = sinkFor({ bucket, key_prefix: 'big/', compression: 'none', multipart_threshold: '5MiB', multipart_part_size: '5MiB', multipart_concurrency: 1, batch: { max_bytes: '64MiB' } });
    const events = Array.from({ length: 6000 }, (_, n) => ({ n, message: randomBytes(2048).toString('hex') }));
    const controller = new AbortController();
    const sending = send(sink, events, controller.signal);
    // Abort once the upload is open (its first part is on its way).
    for (let i = 0; i < 200; i++) {
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      if ((open.Uploads ?? []).length > 0) break;
      await new Promise((wake) => setTimeout(wake, 25));
    }
    controller.abort(new DeliveryError('deadline', true));
    const result = await sending;
    expect(result.failures).toHaveLength(events.length);
    expect(result.failures?.every((failure) => failure.retryable)).toBe(true);
    // lib-storage sends AbortMultipartUpload once its part in flight returns
    let uploads: unknown[] = [];
    for (let i = 0; i < 100; i++) {
      uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];
      if (uploads.length === 0) break;
      await new Promise((wake) => setTimeout(wake, 100));
    }
    expect(uploads).toEqual([]);
    expect(await listKeys(client, bucket)).toEqual([]);
  });

  it('fails every event permanently with S3 NoSuchBucket when the bucket is missing, and start() says it does not exist', async () => {
    const bucket = bucketName('missing');
    const { sink } = sinkFor({ bucket });
    await expect(sink.start?.({ signal: new AbortController().signal })).rejects.toThrow(`bucket "${bucket}" does not exist`);
    const result = await send(sink, [{ message: 'a' }, { message: 'b' }]);
    expect(result.failures?.map((failure) => failure.index)).toEqual([0, 1]);
    for (const failure of result.failures ?? []) {
      expect(failure.retryable).toBe(false);
      expect(failure.error.message).toMatch(/NoSuchBucket \(HTTP 404\): The specified bucket does not exist/);
    }
  });

  it('fails retryably when the server cannot be reached', async () => {
    const bucket = await freshBucket('unreachable');
    const { sink } = sinkFor({ bucket, endpoint: 'http://127.0.0.1:9' });
    await expect(sink.start?.({ signal: new AbortController().signal })).rejects.toThrow(/ECONNREFUSED/);
    const result = await send(sink, [{ message: 'a' }]);
    expect(result.failures?.[0]?.retryable).toBe(true);
  });

  it('refuses what S3 refuses (an invalid storage class on MinIO) permanently, with the server’s message', async () => {
    const bucket = await freshBucket('storage-class');
    const { sink } = sinkFor({ bucket, storage_class: 'GLACIER' });
    const result = await send(sink, [{ message: 'a' }]);
    expect(result.failures?.[0]?.retryable).toBe(false);
    expect(result.failures?.[0]?.error.message).toMatch(/InvalidStorageClass \(HTTP 400\)/);
    // and a class MinIO does accept is stored with the object
    const { sink: reduced } = sinkFor({ bucket, storage_class: 'REDUCED_REDUNDANCY', key_prefix: 'rr/' });
    expect(await send(reduced, [{ message: 'b' }])).toEqual({});
    const [key] = await listKeys(client, bucket, 'rr/');
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).StorageClass).toBe('REDUCED_REDUNDANCY');
  });
});
