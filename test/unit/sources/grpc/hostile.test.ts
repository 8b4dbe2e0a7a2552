import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { decodeIngestEvents, type WireEvent } from '../../../../src/sources/grpc/ingest-events';
import { grpcMessageTypes, OTLP_EXPORT_PATH, PUSH_PATH } from '../../../../src/sources/grpc/protos';
import { metricValue } from '../../../helpers/context';
import type { TestPushResponse, UnaryResult } from './grpc-test-client';
import { startGrpcSource, type RunningSource } from './source-harness';

let source: RunningSource;
beforeAll(async () => {
  source = await startGrpcSource({ ack: 'received', max_string_chars: 4096 });
});
afterAll(async () => {
  await source.close();
});

const OK_OR_REFUSED = [status.OK, status.INVALID_ARGUMENT];
/** `[index, …]` of what was refused, or the status code when the whole call was. */
const outcome = (result: UnaryResult<TestPushResponse>): number[] | number => (result.ok ? result.response.rejected.map((item) => item.index) : result.error.code);

describe('grpc source: hostile input', () => {
  it('answers random bytes on every method with OK or INVALID_ARGUMENT, never crashing, and counts each refusal', async () => {
    const client = source.client();
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), fc.constantFrom(PUSH_PATH, OTLP_EXPORT_PATH), async (bytes, path) => {
        const result = await client.rawUnary(path, Buffer.from(bytes));
        const code = result.ok ? status.OK : result.error.code;
        if (code === status.INVALID_ARGUMENT) refused++;
        return OK_OR_REFUSED.includes(code);
      }),
      { numRuns: 120 },
    );
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'grpc_invalid_argument' })).toBe(refused);
    // Still serving.
    expect((await client.push([{ message: 'alive' }])).ok).toBe(true);
  }, 60_000);

  it('refuses deep JSON, huge strings and wrong types per item and keeps the rest', async () => {
    const client = source.client();
    const before = await metricValue(source.ctx.pipelineMetrics, 'sluice_source_rejected_events_total', { reason: 'invalid' });
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const result = await client.push([
      { message: 'first' },
      { fields_json: Buffer.from(deep) },
      { message: 'x'.repeat(5000) },
      { fields_json: Buffer.from('"just a string"') },
      { fields_json: Buffer.from(JSON.stringify({ level: { nested: true } })) },
      { fields_json: Buffer.from(JSON.stringify({ timestamp: 'yesterday' })) },
      { fields_json: Buffer.from([0xc3, 0x28, 0x7b]) },
      { fields: { payload: { json_value: Buffer.from('{"a":'.repeat(200)) } } },
      { timestamp_unix_nano: '18446744073709551615' },
      { message: 'last' },
    ]);
    expect(outcome(result)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(result.ok && result.response.rejected[0]?.reason).toMatch(/nested deeper than 64 levels/);
    expect(result.ok && result.response.rejected[1]?.reason).toMatch(/over the limit of 4096/);
    expect(result.ok && result.response.accepted).toBe(3);
    expect(await metricValue(source.ctx.pipelineMetrics, 'sluice_source_rejected_events_total', { reason: 'invalid' })).toBe(before + 7);
  });

  it('validates any well-formed event without throwing (property)', () => {
    const types = grpcMessageTypes();
    const eventArbitrary = fc.record(
      {
        message: fc.string({ maxLength: 50 }),
        level: fc.oneof(fc.constantFrom('info', 'WARNING', '50', ''), fc.string({ maxLength: 40 })),
        host: fc.string({ maxLength: 10 }),
        fields_json: fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 30 })).map((text) => Buffer.from(text)),
        timestamp_unix_nano: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 8 }), (events) => {
        const wire = types.pushRequest.decode(types.pushRequest.encode({ events }).finish()) as unknown as { events: WireEvent[] };
        const decoded = decodeIngestEvents(wire.events, Date.now(), {});
        // Every event is either accepted or named once, in order.
        const named = [...decoded.indices, ...decoded.rejected.map((item) => item.index)].sort((a, b) => a - b);
        return named.length === events.length && named.every((index, at) => index === at) && decoded.events.every((event) => typeof event.timestamp === 'string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('grpc source: an oversized message', () => {
  it('is refused from its length prefix, without buffering it (memory stays bounded)', async () => {
    const { connect } = await import('node:http2');
    const session = connect(`http://${source.address}`);
    const stream = session.request({ ':method': 'POST', ':path': PUSH_PATH, 'content-type': 'application/grpc', te: 'trailers' });
    const trailers = new Promise<Record<string, unknown>>((resolve) => {
      stream.on('trailers', (headers) => resolve(headers));
      stream.on('response', (headers) => headers['grpc-status'] !== undefined && resolve(headers));
    });
    stream.on('error', () => undefined);
    stream.resume();
    const baseline = process.memoryUsage();
    // A gRPC frame claiming 1 GiB, then as much of it as the server will read.
    const header = Buffer.alloc(5);
    header.writeUInt32BE(1024 * 1024 * 1024 - 1, 1);
    stream.write(header);
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let sent = 0;
    let peak = 0;
    while (sent < 256 && !stream.destroyed && !stream.closed) {
      if (!stream.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 5));
      sent++;
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers);
      if (sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const answer = await trailers;
    expect(Number(answer['grpc-status'])).toBe(status.RESOURCE_EXHAUSTED);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
    session.destroy();
  }, 30_000);
});
