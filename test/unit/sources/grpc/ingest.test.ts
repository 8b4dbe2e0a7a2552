import { status } from '@grpc/grpc-js';
import { BatchDeliveryError, DeliveryError } from '../../../../src/core/errors';
import { retryDelayFromDetails } from '../../../../src/sources/grpc/status';
import { until } from '../../../helpers/async';
import { metricValue } from '../../../helpers/context';
import { startGrpcSource, type RunningSource } from './source-harness';

const sources: RunningSource[] = [];
const start = async (...args: Parameters<typeof startGrpcSource>): Promise<RunningSource> => {
  const source = await startGrpcSource(...args);
  sources.push(source);
  return source;
};
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close();
});

const fieldsJson = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const rejected = (source: RunningSource, reason: string) => metricValue(source.ctx.pipelineMetrics, 'sluice_source_rejected_events_total', { reason });

describe('grpc source: Push', () => {
  it('emits the batch normalised and answers only once its ack resolves', async () => {
    const source = await start();
    const answer = source.client().push([
      { message: 'hello', level: 'WARNING', host: 'web-1', source: 'api', timestamp: { seconds: 1_700_000_000, nanos: 123_000_000 }, fields_json: fieldsJson({ user: 'ada', http: { status: 500 } }) },
      { message: 'typed', timestamp_unix_nano: '1700000000000000000', fields: { attempt: { int_value: 3 }, ok: { bool_value: true }, ratio: { double_value: 0.5 }, tags: { json_value: fieldsJson(['a']) } } },
    ]);
    await until(() => source.batches.length === 1);
    const [batch] = source.batches;
    expect(batch?.events).toEqual([
      { message: 'hello', level: 'warn', host: 'web-1', source: 'api', timestamp: '2023-11-14T22:13:20.123Z', user: 'ada', http: { status: 500 } },
      { message: 'typed', timestamp: '2023-11-14T22:13:20.000Z', attempt: 3, ok: true, ratio: 0.5, tags: ['a'] },
    ]);
    expect(batch?.meta).toMatchObject({ source: 'grpc_in', input: 'grpc' });
    let answered = false;
    void answer.then(() => (answered = true));
    await new Promise((wake) => setTimeout(wake, 50));
    expect(answered).toBe(false);
    batch?.ack.resolve();
    await expect(answer).resolves.toMatchObject({ ok: true, response: { accepted: 2, rejected: [] } });
  });

  it('names invalid events by index, keeps the valid ones and counts the rejections', async () => {
    const source = await start();
    const answer = source.client().push([
      { message: 'ok' },
      { message: 'bad json', fields_json: Buffer.from('{"a":') },
      { message: 'not an object', fields_json: fieldsJson([1, 2]) },
      { message: 'bad level', level: 'x'.repeat(40) },
      { message: 'also ok' },
    ]);
    await until(() => source.batches.length === 1);
    expect(source.batches[0]?.events.map((event) => event.message)).toEqual(['ok', 'also ok']);
    source.resolveAll();
    const result = await answer;
    expect(result.ok && result.response.accepted).toBe(2);
    expect(result.ok && result.response.rejected.map((item) => [item.index, item.retryable])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(result.ok && result.response.rejected[0]?.reason).toMatch(/fields_json: not valid JSON/);
    expect(await rejected(source, 'invalid')).toBe(3);
  });

  it('reports what the pipeline failed, by request index, with its retryable flag', async () => {
    const source = await start();
    const answer = source.client().push([{ message: 'a' }, { message: 'invalid', level: 'x'.repeat(40) }, { message: 'b' }, { message: 'c' }]);
    await until(() => source.batches.length === 1);
    // Batch index 1 is request index 2 ("b"): the invalid event is not in the batch.
    source.batches[0]?.ack.reject(
      new BatchDeliveryError(
        [
          { index: 1, error: new DeliveryError('sink down', true), retryable: true },
          { index: 2, error: new Error('mapping conflict'), retryable: false },
        ],
        3,
      ),
    );
    const result = await answer;
    expect(result.ok && result.response).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, reason: expect.stringMatching(/level/), retryable: false },
        { index: 2, reason: 'sink down', retryable: true },
        { index: 3, reason: 'mapping conflict', retryable: false },
      ],
    });
    expect(await rejected(source, 'delivery_failed')).toBe(2);
  });

  it('answers on receipt with ack: received', async () => {
    const source = await start({ ack: 'received' });
    const result = await source.client().push([{ message: 'a' }]);
    expect(result.ok && result.response.accepted).toBe(1);
    expect(source.batches[0]?.ack.settled).toBe(false);
  });

  it('refuses a request over credit with RESOURCE_EXHAUSTED and a retry hint in two forms', async () => {
    const source = await start({ retry_after: '750ms' }, { maxEvents: 2 });
    const first = source.client().push([{ message: 'a' }, { message: 'b' }]);
    await until(() => source.batches.length === 1);
    const second = await source.client().push([{ message: 'c' }]);
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(second.error.metadata.get('retry-after-ms')).toEqual(['750']);
    expect(retryDelayFromDetails(second.error.metadata.get('grpc-status-details-bin')[0] as Buffer)).toBe(750);
    expect(await rejected(source, 'no_credit')).toBe(1);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_resource_exhausted' })).toBe(1);
    source.resolveAll();
    await first;
    const third = source.client().push([{ message: 'c' }]);
    await until(() => source.batches.length === 2);
    source.resolveAll();
    expect((await third).ok).toBe(true);
  });

  it('applies the per-key rate limit with the time to wait', async () => {
    const source = await start({ rate_limit: { events_per_second: 1, burst: 2 }, ack: 'received' });
    const client = source.client();
    expect((await client.push([{ message: 'a' }, { message: 'b' }])).ok).toBe(true);
    const limited = await client.push([{ message: 'c' }]);
    expect(!limited.ok && limited.error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(!limited.ok && Number(limited.error.metadata.get('retry-after-ms')[0])).toBeGreaterThan(500);
    expect(await rejected(source, 'rate_limited')).toBe(1);
  });

  it('refuses malformed protobuf with INVALID_ARGUMENT, counted, and keeps serving', async () => {
    const source = await start();
    const result = await source.client().rawUnary('/sluice.ingest.v1.Ingest/Push', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(!result.ok && result.error.code).toBe(status.INVALID_ARGUMENT);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_invalid_argument' })).toBe(1);
    const after = source.client().push([{ message: 'still here' }]);
    await until(() => source.batches.length === 1);
    source.resolveAll();
    expect((await after).ok).toBe(true);
  });

  it('refuses a message over max_message_bytes, counted', async () => {
    const source = await start({ max_message_bytes: '1KiB' });
    const result = await source.client().push([{ message: 'x'.repeat(4096) }]);
    expect(!result.ok && result.error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(source.batches).toHaveLength(0);
    await until(() => source.ctx.pipelineMetrics !== undefined);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_resource_exhausted' })).toBe(1);
  });
});

describe('grpc source: authentication', () => {
  it('accepts a known key as a Bearer token or x-api-key and refuses anything else', async () => {
    const source = await start({ auth: { api_keys: ['s3cret'] }, ack: 'received' });
    const missing = await source.client().push([{ message: 'a' }]);
    expect(!missing.ok && missing.error.code).toBe(status.UNAUTHENTICATED);
    const wrong = await source.client({ authorization: 'Bearer nope' }).push([{ message: 'a' }]);
    expect(!wrong.ok && wrong.error.code).toBe(status.UNAUTHENTICATED);
    expect((await source.client({ authorization: 'Bearer s3cret' }).push([{ message: 'a' }])).ok).toBe(true);
    expect((await source.client({ 'x-api-key': 's3cret' }).push([{ message: 'b' }])).ok).toBe(true);
    const stream = source.client().stream();
    stream.send(1, [{ message: 'x' }]);
    expect((await stream.status).code).toBe(status.UNAUTHENTICATED);
    expect(source.batches[0]?.meta?.api_key).toMatch(/^key-[0-9a-f]{12}$/);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_unauthenticated' })).toBe(3);
  });
});

describe('grpc source: start-up', () => {
  it('fails with the component and the OS error when the port is taken', async () => {
    const first = await start();
    const second = await startGrpcSource({ address: first.address }).catch((error: unknown) => error);
    const running = second as Awaited<ReturnType<typeof startGrpcSource>>;
    sources.push(running);
    expect(String(running.errors[0])).toMatch(/source "grpc_in": cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });
});
