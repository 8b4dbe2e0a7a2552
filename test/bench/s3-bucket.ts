import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3_ACCESS_KEY_ID, S3_ENDPOINT, S3_FORCE_PATH_STYLE, S3_REGION, S3_SECRET_ACCESS_KEY } from '../services/coordinates';

/**
 * What the S3 bench scenarios share, with the bare SDK only (a baseline loads no sluice): the
 * test MinIO's coordinates, a fresh bucket per run, and its removal after the timed part.
 */

/** Bytes per object in both S3 scenarios (sluice's `batch.max_bytes`, the bare script's body size). */
export const OBJECT_BYTES = 8 * 1024 * 1024;
/** Uploads in flight at once in both (sluice's `concurrency`). */
export const UPLOAD_CONCURRENCY = 2;

export const S3_BENCH = { endpoint: S3_ENDPOINT, region: S3_REGION, accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY, forcePathStyle: S3_FORCE_PATH_STYLE };

export function benchClient(): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({ endpoint: S3_ENDPOINT, region: S3_REGION, forcePathStyle: S3_FORCE_PATH_STYLE, credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY } });
}

/** Creates a fresh bucket; fails with the way to start MinIO when it is not running. */
export async function freshBucket(client: S3Client, what: string): Promise<string> {
  const bucket = `bench-${what}-${randomUUID().slice(0, 8)}`;
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw new Error(`the S3 bench needs the test MinIO at ${S3_ENDPOINT} (npm run services:up): ${String(error)}`);
  }
  return bucket;
}

/** Objects and stored bytes in the bucket; then removes them and the bucket. */
export async function drainBucket(client: S3Client, bucket: string): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const contents = page.Contents ?? [];
    objects += contents.length;
    for (const item of contents) bytes += item.Size ?? 0;
    if (contents.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: contents.map(({ Key }) => ({ Key })) } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  return { objects, bytes };
}
