import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createBatch } from '../../src/core/batch';
import { PrivateServer } from '../services/private-instance';
import { bucketName, createBucket, listKeys, objectEvents, removeBucket, s3SinkFor, testClient } from './s3-sink-helpers';

/**
 * Server-side encryption headers. MinIO refuses both `AES256` and `aws:kms` with
 * `501 NotImplemented: Server side encryption specified but KMS is not configured` unless it
 * has a KMS, and the shared test server has none. So this test starts a private MinIO (same
 * binary and script, its own port and data) with MinIO's single-key KMS
 * (`MINIO_KMS_SECRET_KEY=<key name>:<base64 key>`), which serves SSE-S3 and SSE-KMS with that
 * key name. The shared server's answer (a permanent failure, with MinIO's message) is pinned too.
 */

const PORT = 29410;
const KEY_NAME = 'sluice-test-key';

let server: PrivateServer;
let client: S3Client;
let bucket: string;

beforeAll(async () => {
  // The script starts MinIO with this process's environment: the KMS key reaches it that way.
  process.env.MINIO_KMS_SECRET_KEY = `${KEY_NAME}:${randomBytes(32).toString('base64')}`;
  server = await PrivateServer.start('s3', { name: 'sse', port: PORT });
  client = testClient(server.url);
  bucket = bucketName('sse');
  await createBucket(client, bucket);
}, 120_000);

afterAll(async () => {
  await removeBucket(client, bucket);
  client.destroy();
  await server?.destroy();
});

describe('server-side encryption', () => {
  it('stores objects with server_side_encryption: AES256, and they read back exactly', async () => {
    const { sink } = s3SinkFor({ bucket, endpoint: server.url, key_prefix: 'aes/', server_side_encryption: 'AES256' });
    const events = [{ message: 'secret', n: 1 }];
    expect(await sink.send(createBatch(events), { signal: new AbortController().signal })).toEqual({});
    const [key] = await listKeys(client, bucket, 'aes/');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(await objectEvents(client, bucket, key)).toEqual(events);
    await sink.close();
  });

  it('stores objects with server_side_encryption: aws:kms and kms_key_id', async () => {
    const { sink } = s3SinkFor({ bucket, endpoint: server.url, key_prefix: 'kms/', server_side_encryption: 'aws:kms', kms_key_id: KEY_NAME });
    const events = [{ message: 'secret too', n: 2 }];
    expect(await sink.send(createBatch(events), { signal: new AbortController().signal })).toEqual({});
    const [key] = await listKeys(client, bucket, 'kms/');
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toContain(KEY_NAME);
    expect(await objectEvents(client, bucket, key)).toEqual(events);
    await sink.close();
  });

  it('fails permanently, with MinIO’s message, on a server without a KMS (the shared test server)', async () => {
    const shared = testClient();
    const sharedBucket = bucketName('no-kms');
    await createBucket(shared, sharedBucket);
    try {
      const { sink } = s3SinkFor({ bucket: sharedBucket, server_side_encryption: 'AES256' });
      const result = await sink.send(createBatch([{ message: 'x' }]), { signal: new AbortController().signal });
      expect(result.failures?.[0]?.retryable).toBe(false);
      expect(result.failures?.[0]?.error.message).toMatch(/NotImplemented \(HTTP 501\): Server side encryption specified but KMS is not configured/);
      await sink.close();
    } finally {
      await removeBucket(shared, sharedBucket);
      shared.destroy();
    }
  });
});
