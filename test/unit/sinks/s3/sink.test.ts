import { PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createBatch } from '../../../../src/core/batch';
import type { LogEvent } from '../../../../src/core/event';
import { ENCODERS } from '../../../../operators/encode';
import { createS3Sink } from '../../../../src/sinks/s3/sink';
import { ObjectNamer } from '../../../../src/sinks/s3/keys';

/** A stand-in for the S3 client: records PutObject inputs, fails keys a test picks. */
class FakeS3 {
  readonly puts: Array<{ Key: string; Body: string; [name: string]: unknown }> = [];
  failWhen: (key: string) => Error | undefined = () => undefined;

  send(command: unknown): Promise<unknown> {
    if (!(command instanceof PutObjectCommand)) return Promise.resolve({});
    const input = command.input as { Key: string; Body: Buffer };
    const failure = this.failWhen(input.Key);
    if (failure) return Promise.reject(failure);
    this.puts.push({ ...input, Body: input.Body.toString('utf8') });
    return Promise.resolve({});
  }

  destroy(): void {}
}

const NOW = Date.UTC(2030, 0, 2, 3, 4, 5);
const clock: SchedulerLike = { now: () => NOW, schedule: asyncScheduler.schedule.bind(asyncScheduler) };

function sinkWith(fake: FakeS3, keyPrefix = 'svc={{ service }}/%F/', object = {}) {
  return createS3Sink({
    client: fake as unknown as S3Client,
    bucket: 'b',
    keyPrefix,
    missingFieldValue: '_missing',
    request: { encoder: ENCODERS.ndjson, maxBytes: 1 << 20 },
    object,
    multipart: { threshold: 8 << 20, partSize: 8 << 20, queueSize: 1 },
    scheduler: clock,
    namer: new ObjectNamer('.ndjson', 'host-1-cafebabe'),
  });
}

const send = (sink: ReturnType<typeof sinkWith>, events: LogEvent[]) => sink.send(createBatch(events), { signal: new AbortController().signal });

describe('createS3Sink', () => {
  it('uploads one object per key prefix, with the events of that prefix in batch order', async () => {
    const fake = new FakeS3();
    const events = [
      { timestamp: '2030-01-01T00:00:00Z', service: 'api', n: 0 },
      { timestamp: '2030-01-01T00:00:00Z', service: 'web', n: 1 },
      { timestamp: '2030-01-01T00:00:00Z', service: 'api', n: 2 },
      { n: 3 }, // no time: the sink's clock; no service: missing_field_value
    ];
    expect(await send(sinkWith(fake), events)).toEqual({});
    const byKey = Object.fromEntries(fake.puts.map((put) => [put.Key, put.Body]));
    expect(byKey).toEqual({
      'svc=api/2030-01-01/20300102T030405Z-host-1-cafebabe-000000.ndjson': `${JSON.stringify(events[0])}\n${JSON.stringify(events[2])}\n`,
      'svc=web/2030-01-01/20300102T030405Z-host-1-cafebabe-000001.ndjson': `${JSON.stringify(events[1])}\n`,
      'svc=_missing/2030-01-02/20300102T030405Z-host-1-cafebabe-000002.ndjson': `${JSON.stringify(events[3])}\n`,
    });
  });

  it('sends the object settings and content headers with every PutObject', async () => {
    const fake = new FakeS3();
    await send(sinkWith(fake, 'p/', { StorageClass: 'STANDARD_IA', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'key', ACL: 'bucket-owner-full-control' }), [{ n: 1 }]);
    expect(fake.puts[0]).toMatchObject({ Bucket: 'b', ContentType: 'application/x-ndjson', StorageClass: 'STANDARD_IA', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'key', ACL: 'bucket-owner-full-control', ContentLength: 8 });
  });

  it('fails only the events of the object that failed, with its classification and Retry-After', async () => {
    const fake = new FakeS3();
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Reduce your request rate.' });
    Object.assign(slowDown, { $response: { statusCode: 503, headers: { 'retry-after': '2' } } });
    fake.failWhen = (key) => (key.startsWith('svc=web/') ? slowDown : undefined);
    const result = await send(sinkWith(fake), [
      { timestamp: '2030-01-01T00:00:00Z', service: 'api' },
      { timestamp: '2030-01-01T00:00:00Z', service: 'web' },
      { timestamp: '2030-01-01T00:00:00Z', service: 'web' },
    ]);
    expect(result.failures?.map(({ index, retryable, retryAfterMs }) => ({ index, retryable, retryAfterMs }))).toEqual([
      { index: 1, retryable: true, retryAfterMs: 2000 },
      { index: 2, retryable: true, retryAfterMs: 2000 },
    ]);
    expect(result.failures?.[0].error.message).toMatch(/^uploading s3:\/\/b\/svc=web\/.*: SlowDown \(HTTP 503\): Reduce your request rate\.$/);
    expect(fake.puts.map((put) => put.Key.slice(0, 8))).toEqual(['svc=api/']);
  });

  it('fails an event that cannot be encoded alone, permanently', async () => {
    const fake = new FakeS3();
    const events = [{ n: 1 }, { big: 10n as unknown as number }, { n: 3 }];
    const result = await sinkWith(fake, 'p/').send(createBatch(events, undefined, 100), { signal: new AbortController().signal });
    expect(result.failures?.map(({ index, retryable }) => ({ index, retryable }))).toEqual([{ index: 1, retryable: false }]);
    expect(fake.puts[0].Body).toBe('{"n":1}\n{"n":3}\n');
  });

  it('uploads nothing for an empty batch, and nothing once the send was aborted', async () => {
    const fake = new FakeS3();
    const sink = sinkWith(fake, 'p/');
    expect(await send(sink, [])).toEqual({});
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const result = await sink.send(createBatch([{ n: 1 }]), { signal: controller.signal });
    expect(result.failures?.map((failure) => failure.retryable)).toEqual([true]);
    expect(fake.puts).toEqual([]);
  });
});
