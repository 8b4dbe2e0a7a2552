import { status } from '@grpc/grpc-js';
import { DeliveryError } from '../../../../src/core/errors';
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

describe('grpc source: Stream', () => {
  it('answers each sequence number once its batch settles, in settle order', async () => {
    const source = await start();
    const stream = source.client().stream();
    stream.send(7, [{ message: 'a' }, { message: 'b' }]);
    stream.send(8, [{ message: 'c' }]);
    await until(() => source.batches.length === 2);
    expect(source.batches[0]?.meta?.connection).toMatch(/^grpc-\d+$/);
    expect(source.batches[1]?.meta?.connection).toBe(source.batches[0]?.meta?.connection);
    source.batches[1]?.ack.resolve();
    await until(() => stream.acks.length === 1);
    expect(stream.acks[0]).toEqual({ sequence: 8, accepted: 1, rejected: [], retry_after_ms: 0 });
    source.batches[0]?.ack.reject(new DeliveryError('disk full', true));
    await until(() => stream.acks.length === 2);
    expect(stream.acks[1]).toEqual({
      sequence: 7,
      accepted: 0,
      rejected: [
        { index: 0, reason: 'disk full', retryable: true },
        { index: 1, reason: 'disk full', retryable: true },
      ],
      retry_after_ms: 0,
    });
    stream.end();
    expect((await stream.status).code).toBe(status.OK);
  });

  it('ends a half-closed stream only after its last batch is answered', async () => {
    const source = await start();
    const stream = source.client().stream();
    stream.send(1, [{ message: 'a' }]);
    stream.end();
    await until(() => source.batches.length === 1);
    let ended = false;
    void stream.status.then(() => (ended = true));
    await new Promise((wake) => setTimeout(wake, 50));
    expect(ended).toBe(false);
    source.resolveAll();
    expect((await stream.status).code).toBe(status.OK);
    expect(stream.acks).toEqual([{ sequence: 1, accepted: 1, rejected: [], retry_after_ms: 0 }]);
  });

  it('stops reading streams while credit is out and resumes when acks return it', async () => {
    const source = await start({}, { maxEvents: 3 });
    const stream = source.client().stream();
    for (let sequence = 1; sequence <= 4; sequence++) stream.send(sequence, [{ message: `m${sequence}` }, { message: 'x' }]);
    await until(() => source.batches.length === 2);
    // 4 events in flight ≥ 3: the stream is paused, the next batches stay unread.
    await new Promise((wake) => setTimeout(wake, 100));
    expect(source.batches).toHaveLength(2);
    expect(source.ctx.credit.exhausted).toBe(true);
    source.resolveAll();
    await until(() => source.batches.length === 4);
    source.resolveAll();
    await until(() => stream.acks.length === 4);
    expect(stream.acks.map((ack) => ack.sequence).sort()).toEqual([1, 2, 3, 4]);
    stream.end();
    await stream.status;
  });

  it('refuses a whole batch over the rate limit with retry_after_ms and nothing named', async () => {
    const source = await start({ rate_limit: { events_per_second: 1, burst: 1 }, ack: 'received' });
    const stream = source.client().stream();
    stream.send(1, [{ message: 'a' }]);
    stream.send(2, [{ message: 'b' }]);
    await until(() => stream.acks.length === 2);
    expect(stream.acks[0]).toEqual({ sequence: 1, accepted: 1, rejected: [], retry_after_ms: 0 });
    expect(stream.acks[1]).toMatchObject({ sequence: 2, accepted: 0, rejected: [] });
    expect(stream.acks[1]?.retry_after_ms).toBeGreaterThan(0);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_source_rejected_events_total', { reason: 'rate_limited' })).toBe(1);
    stream.end();
    await stream.status;
  });

  it('ends a stream that sends a malformed message with INVALID_ARGUMENT', async () => {
    const source = await start();
    const stream = source.client().stream();
    stream.sendRaw(Buffer.from([0xff, 0xff, 0xff]));
    const ended = await stream.status;
    expect(ended.code).toBe(status.INVALID_ARGUMENT);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_invalid_argument' })).toBe(1);
  });
});
