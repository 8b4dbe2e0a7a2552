import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  S3_ACCESS_KEY_ID,
  S3_ENDPOINT,
  S3_FORCE_PATH_STYLE,
  S3_REGION,
  S3_SECRET_ACCESS_KEY,
} from '../services/coordinates';
import { assertReachable } from '../services/reachable';

// jest.config.ts sets testTimeout on the integration project, but Jest 30 only honours the
// top-level option, so the 5 s default would apply to these multi-second round trips.
jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('S3 test server', () => {
  // Default client settings on purpose: SDK v3 adds CRC32 checksums (aws-chunked trailers on
  // streamed uploads) and validates them on download, which is what sluice will send in production.
  const s3 = new S3Client({
    endpoint: S3_ENDPOINT,
    region: S3_REGION,
    forcePathStyle: S3_FORCE_PATH_STYLE,
    credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
  });
  const Bucket = `services-s3-${randomUUID()}`;
  const keys: string[] = [];

  async function download(Key: string): Promise<Uint8Array> {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key }));
    if (!Body) throw new Error(`GetObject ${Key} returned no body`);
    return Body.transformToByteArray();
  }

  beforeAll(async () => {
    await assertReachable('The S3 server', S3_ENDPOINT);
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  afterAll(async () => {
    for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => undefined);
    await s3.send(new DeleteBucketCommand({ Bucket })).catch(() => undefined);
    s3.destroy();
  });

  it('stores a 1 KB object with PutObject and returns it byte-identical', async () => {
    const Key = 'small/1k.bin';
    keys.push(Key);
    const data = randomBytes(1024);
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: data }));
    expect(Buffer.from(await download(Key)).equals(data)).toBe(true);
  });

  it('stores a 20 MB streamed multipart upload and returns it byte-identical', async () => {
    const Key = 'large/20m.bin';
    keys.push(Key);
    const data = randomBytes(20 * MiB);
    // A stream of unknown length, split into 5 MiB parts (the S3 minimum): 4 parts.
    const body = Readable.from(Array.from({ length: 20 }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB)));
    await new Upload({ client: s3, params: { Bucket, Key, Body: body }, partSize: 5 * MiB, queueSize: 2 }).done();

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toMatch(/-4"?$/); // multipart ETags end in -<part count>
    const back = await download(Key);
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(sha256(data));
  });
});
