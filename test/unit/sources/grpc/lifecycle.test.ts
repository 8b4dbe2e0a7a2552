import { status } from '@grpc/grpc-js';
import { until } from '../../../helpers/async';
import { eventually } from '../../../e2e/cli-harness';
import { startGrpcSource, type RunningSource } from './source-harness';
import { healthCheck, listServices } from './service-clients';

const sources: RunningSource[] = [];
const start = async (...args: Parameters<typeof startGrpcSource>): Promise<RunningSource> => {
  const source = await startGrpcSource(...args);
  sources.push(source);
  return source;
};
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close();
});

describe('grpc source: health, reflection and drain', () => {
  it('reports SERVING once bound, for the server and each ingest service', async () => {
    const source = await start();
    expect(await healthCheck(source.address)).toBe('SERVING');
    expect(await healthCheck(source.address, 'sluice.ingest.v1.Ingest')).toBe('SERVING');
    expect(await healthCheck(source.address, 'opentelemetry.proto.collector.logs.v1.LogsService')).toBe('SERVING');
    expect(await healthCheck(source.address, 'no.such.Service')).toMatch(/NOT_FOUND/);
  });

  it('lists every service through server reflection', async () => {
    const source = await start();
    expect(await listServices(source.address)).toEqual(
      expect.arrayContaining(['grpc.health.v1.Health', 'opentelemetry.proto.collector.logs.v1.LogsService', 'sluice.ingest.v1.Ingest']),
    );
  });

  it('on stop: NOT_SERVING, new batches refused UNAVAILABLE, in-flight ones answered when they settle, then closes', async () => {
    const source = await start();
    const client = source.client();
    const inFlight = client.push([{ message: 'a' }]);
    const stream = client.stream();
    stream.send(1, [{ message: 'b' }]);
    await until(() => source.batches.length === 2);
    source.ctx.stop();
    expect(source.completed()).toBe(true);
    expect(await healthCheck(source.address)).toBe('NOT_SERVING');
    const late = await source.client().push([{ message: 'late' }]);
    expect(!late.ok && late.error.code).toBe(status.UNAVAILABLE);
    expect(!late.ok && late.error.metadata.get('retry-after-ms')).toEqual(['1000']);
    source.resolveAll();
    expect(await inFlight).toMatchObject({ ok: true, response: { accepted: 1 } });
    const ended = await stream.status;
    expect(stream.acks).toEqual([{ sequence: 1, accepted: 1, rejected: [], retry_after_ms: 0 }]);
    expect(ended.code).toBe(status.UNAVAILABLE);
    // Every answer written: the listener closes.
    const closed = await eventually(async () => {
      const answer = await healthCheck(source.address);
      return answer.startsWith('error') ? answer : undefined;
    }, 3000, 'the listener to close');
    expect(closed).toMatch(/^error: 14 UNAVAILABLE/);
  });

  it('fails what has not settled by drain_timeout with UNAVAILABLE', async () => {
    const source = await start({ drain_timeout: 200 });
    const client = source.client();
    const unary = client.push([{ message: 'a' }]);
    const stream = client.stream();
    stream.send(5, [{ message: 'b' }]);
    await until(() => source.batches.length === 2);
    source.ctx.stop();
    const result = await unary;
    expect(!result.ok && result.error.code).toBe(status.UNAVAILABLE);
    expect((await stream.status).code).toBe(status.UNAVAILABLE);
    expect(stream.acks).toEqual([{ sequence: 5, accepted: 0, rejected: [], retry_after_ms: 1000 }]);
  });
});
