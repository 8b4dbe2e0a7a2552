import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_FORCE_PATH_STYLE, S3_REGION, S3_SECRET_ACCESS_KEY } from '../services/coordinates';
import { s3Sink } from '../../src/sinks/s3';
import type { Sink } from '../../src/core/sink';
import { parseConfig, testContext, type TestContext } from '../helpers/context';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A plain SDK client for the test's own checks (creating buckets, reading objects back). */
export function testClient(endpoint = S3_ENDPOINT): S3Client {
  return new S3Client({
    endpoint,
    region: S3_REGION,
    forcePathStyle: S3_FORCE_PATH_STYLE,
    credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
  });
}

/** A fresh bucket name (S3 names: lowercase, digits, dashes). */
export const bucketName = (what: string): string => `sluice-${what}-${randomUUID().slice(0, 8)}`;

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Empties and removes a bucket (best effort: a test that failed may have left it half-used). */
export async function removeBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    const keys = await listKeys(client, bucket);
    for (let i = 0; i < keys.length; i += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch {
    // the bucket may not exist (the missing-bucket test) or the server may be gone
  }
}

/** Every key in the bucket, sorted. */
export async function listKeys(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** An object's stored bytes and headers. */
export async function getObject(client: S3Client, bucket: string, key: string): Promise<{ body: Buffer; head: GetObjectCommandOutput }> {
  const head = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!head.Body) throw new Error(`GetObject ${key} returned no body`);
  return { body: Buffer.from(await head.Body.transformToByteArray()), head };
}

/** An object's events: gunzipped when its key ends in .gz, then NDJSON or a JSON array by extension. */
export async function objectEvents(client: S3Client, bucket: string, key: string): Promise<Array<Record<string, unknown>>> {
  const { body } = await getObject(client, bucket, key);
  const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
  if (/\.json(\.|$)/.test(key)) return JSON.parse(text) as Array<Record<string, unknown>>;
  if (!text.endsWith('\n')) throw new Error(`${key}: NDJSON object does not end with a newline`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** An s3 sink built through the real config parser, pointed at the test server unless told otherwise. */
export function s3SinkFor(options: Record<string, unknown>, context: TestContext = testContext({ id: 'archive', type: 's3', kind: 'sink' })): { sink: Sink; context: TestContext } {
  const config = parseConfig(s3Sink, {
    endpoint: S3_ENDPOINT,
    region: S3_REGION,
    force_path_style: true,
    access_key_id: S3_ACCESS_KEY_ID,
    secret_access_key: S3_SECRET_ACCESS_KEY,
    ...options,
  });
  return { sink: s3Sink.create(config, context), context };
}
