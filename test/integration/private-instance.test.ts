import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PrivateServer } from '../services/private-instance';
import { S3_ACCESS_KEY_ID, S3_REGION, S3_SECRET_ACCESS_KEY } from '../services/coordinates';

/** The outage tests rely on a private server that keeps its data across a stop and a restart. */
describe('private test server instances', () => {
  let server: PrivateServer | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it('stops, restarts on the same data, and freezes without touching the shared server', async () => {
    server = await PrivateServer.start('s3', { name: 'selftest', port: 29400 });
    const client = new S3Client({
      endpoint: server.url,
      region: S3_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    });
    await client.send(new CreateBucketCommand({ Bucket: 'kept' }));
    await client.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a', Body: 'before the outage' }));

    await server.stop();
    await expect(client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a' }))).rejects.toThrow();
    await server.restart();
    const object = await client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a' }));
    expect(await object.Body?.transformToString()).toBe('before the outage');

    server.freeze();
    const hung = client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a' }), { abortSignal: AbortSignal.timeout(500) });
    await expect(hung).rejects.toThrow();
    server.thaw();
    const again = await client.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a' }));
    expect(await again.Body?.transformToString()).toBe('before the outage');
    client.destroy();
  });
});
