import { gzipSync, deflateSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { Agent } from 'node:http';
import { metricValue } from '../../../helpers/context';
import { post, startHttp, type RunningSource } from './harness';

const zstd = (data: string): Buffer => execFileSync('zstd', ['-q', '-c'], { input: data });
const errors = (source: RunningSource, type: string) => metricValue(source.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: type });

describe('http source', () => {
  let source: RunningSource;
  afterEach(async () => source?.close());

  it('answers 200 only once the batch is acknowledged, with the events normalised', async () => {
    source = await startHttp();
    let answered = false;
    const answer = post(source.port, '/logs', JSON.stringify({ msg: 'hello', level: 'WARNING', time: 1700000000, user: 'alice' })).then((a) => {
      answered = true;
      return a;
    });
    while (source.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    const [batch] = source.batches;
    expect(batch.events).toEqual([{ message: 'hello', level: 'warn', timestamp: '2023-11-14T22:13:20.000Z', user: 'alice' }]);
    expect(batch.meta).toMatchObject({ source: 'http_in', input: 'http', connection: expect.stringMatching(/^http-\d+$/) });
    batch.ack.resolve();
    expect(await answer).toMatchObject({ status: 200, body: { accepted: 1, rejected: 0 } });
    expect(source.ctx.credit.inFlightEvents).toBe(0);
  });

  it('reads a JSON array, {"events": [...]}, NDJSON, CSV and text on /logs and /ingest', async () => {
    source = await startHttp();
    source.autoAck();
    const ok = (status: number) => expect(status).toBe(200);
    ok((await post(source.port, '/ingest', '[{"message":"a"},{"message":"b"}]')).status);
    ok((await post(source.port, '/logs', '{"events":[{"message":"c"}]}')).status);
    ok((await post(source.port, '/logs', '{"message":"d"}\n\n{"message":"e"}\r\n', { 'content-type': 'application/x-ndjson' })).status);
    ok((await post(source.port, '/logs', 'message,level\n"f, quoted",err\ng,30\n', { 'content-type': 'text/csv; charset=utf-8' })).status);
    ok((await post(source.port, '/logs?x=1', 'h\ni\n', { 'content-type': 'text/plain' })).status);
    const events = source.batches.flatMap((batch) => batch.events);
    expect(events.map((event) => event.message)).toEqual(['a', 'b', 'c', 'd', 'e', 'f, quoted', 'g', 'h', 'i']);
    expect(events.filter((event) => event.level !== undefined).map((event) => event.level)).toEqual(['error', 'info']);
  });

  it('decodes gzip, deflate and zstd bodies', async () => {
    source = await startHttp();
    source.autoAck();
    const ndjson = '{"message":"z1"}\n{"message":"z2"}\n';
    for (const [encoding, body] of [['gzip', gzipSync(ndjson)], ['deflate', deflateSync(ndjson)], ['zstd', zstd(ndjson)]] as const) {
      const answer = await post(source.port, '/logs', body, { 'content-type': 'application/x-ndjson', 'content-encoding': encoding });
      expect({ encoding, status: answer.status, body: answer.body }).toEqual({ encoding, status: 200, body: { accepted: 2, rejected: 0 } });
    }
    expect(source.batches.flatMap((batch) => batch.events)).toHaveLength(6);
  });

  it('answers 207 naming the bad items, and 400 when no item is good or the body is not parseable', async () => {
    source = await startHttp();
    source.autoAck();
    const mixed = await post(source.port, '/logs', '{"message":"ok"}\nnot json\n{"message":5}\n[1]\n', { 'content-type': 'application/x-ndjson' });
    expect(mixed.status).toBe(207);
    expect(mixed.body).toMatchObject({ accepted: 1, rejected: 3 });
    expect((mixed.body.errors as Array<{ index: number; line: number }>).map((error) => [error.index, error.line])).toEqual([[1, 2], [2, 3], [3, 4]]);
    expect(await errors(source, 'invalid_event')).toBe(3);
    const none = await post(source.port, '/logs', '[1, "x"]');
    expect(none).toMatchObject({ status: 400, body: { accepted: 0, rejected: 2 } });
    const broken = await post(source.port, '/logs', '{"message":');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/not valid JSON/);
    expect(await errors(source, 'bad_body')).toBe(1);
  });

  it('refuses without a key (401), wrong media types and codings (415), wrong paths and methods', async () => {
    source = await startHttp({ auth: { api_keys: ['k-1'] } });
    source.autoAck();
    expect((await post(source.port, '/logs', '{}')).status).toBe(401);
    expect((await post(source.port, '/logs', '{}', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(source.port, '/logs', '{}', { authorization: 'Bearer k-1' })).status).toBe(200);
    expect((await post(source.port, '/logs', '{}', { 'x-api-key': 'k-1' })).status).toBe(200);
    expect(source.batches[0].meta?.api_key).toMatch(/^key-[0-9a-f]{12}$/);
    expect((await post(source.port, '/logs', 'a=b', { 'x-api-key': 'k-1', 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post(source.port, '/logs', '{}', { 'x-api-key': 'k-1', 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await post(source.port, '/logs', '{}', { 'x-api-key': 'k-1', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post(source.port, '/other', '{}', { 'x-api-key': 'k-1' })).status).toBe(404);
    const get = await post(source.port, '/logs', '', { 'x-api-key': 'k-1' }, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(await errors(source, 'unauthorized')).toBe(2);
    expect(await errors(source, 'unsupported_media_type')).toBe(2);
    expect(await errors(source, 'unsupported_encoding')).toBe(1);
  });

  it('answers 413 for a declared or streamed body over max_body_bytes and for a decompression bomb', async () => {
    source = await startHttp({ max_body_bytes: 64 * 1024 });
    source.autoAck();
    const big = JSON.stringify({ message: 'x'.repeat(70_000) });
    expect((await post(source.port, '/logs', big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 20);
    expect((await post(source.port, '/logs', bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(source.port, '/logs', deflateSync(Buffer.alloc(10 * 1024 * 1024, 0x20)), { 'content-encoding': 'deflate' })).status).toBe(413);
    const zstdBomb = zstd(' '.repeat(10 * 1024 * 1024));
    expect(zstdBomb.length).toBeLessThan(64 * 1024);
    expect((await post(source.port, '/logs', zstdBomb, { 'content-encoding': 'zstd' })).status).toBe(413);
    expect(await errors(source, 'too_large')).toBe(4);
    expect(source.batches).toHaveLength(0);
  });

  it('answers 400 for truncated or corrupt compressed bodies', async () => {
    source = await startHttp();
    source.autoAck();
    const gz = gzipSync('{"message":"a"}');
    expect((await post(source.port, '/logs', gz.subarray(0, gz.length - 6), { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(source.port, '/logs', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' })).status).toBe(400);
    const zs = zstd('{"message":"a"}');
    expect((await post(source.port, '/logs', zs.subarray(0, zs.length - 3), { 'content-encoding': 'zstd' })).status).toBe(400);
    expect((await post(source.port, '/logs', Buffer.from('not zstd'), { 'content-encoding': 'zstd' })).status).toBe(400);
    expect(await errors(source, 'bad_encoding')).toBe(4);
  });

  it('answers 429 with Retry-After when credit is exhausted, and when the per-key rate limit trips', async () => {
    source = await startHttp({ rate_limit: { events_per_second: 1, burst: 3 } }, { maxEvents: 2 });
    const first = post(source.port, '/logs', '[{"message":"a"},{"message":"b"}]');
    while (source.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await post(source.port, '/logs', '{"message":"c"}');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    source.autoAck();
    expect((await first).status).toBe(200);
    const limited = await post(source.port, '/logs', '[{"message":"d"},{"message":"e"}]');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await errors(source, 'no_credit')).toBe(1);
    expect(await errors(source, 'rate_limited')).toBe(1);
  });

  it('answers with ack: received before delivery', async () => {
    source = await startHttp({ ack: 'received' });
    const answer = await post(source.port, '/logs', '{"message":"fast"}');
    expect(answer.status).toBe(200);
    expect(source.batches[0].ack.settled).toBe(false);
    source.batches[0].ack.resolve();
  });

  it('reports undelivered items when the ack fails, and 503 at ack_timeout', async () => {
    source = await startHttp({ ack_timeout: 100 });
    const failing = post(source.port, '/logs', '[{"message":"a"},{"message":"b"}]');
    while (source.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const { BatchDeliveryError } = await import('../../../../src/core/errors');
    source.batches[0].ack.reject(new BatchDeliveryError([{ index: 1, error: new Error('mapping conflict'), retryable: false }], 2));
    const answer = await failing;
    expect(answer.status).toBe(207);
    expect(answer.body).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, error: 'not delivered: mapping conflict', retryable: false }] });
    const slow = await post(source.port, '/logs', '{"message":"slow"}');
    expect(slow.status).toBe(503);
    expect(slow.headers['retry-after']).toBe('1');
    source.batches[1].ack.resolve();
  });

  it('drains: new requests get 503, in-flight ones are answered when their ack settles, then it completes', async () => {
    source = await startHttp();
    const inFlight = post(source.port, '/logs', '{"message":"before stop"}');
    while (source.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    source.ctx.stop();
    const refused = await post(source.port, '/logs', '{"message":"during drain"}');
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '5', connection: 'close' } });
    source.batches[0].ack.resolve();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(source.batches).toHaveLength(1);
    await expect(post(source.port, '/logs', '{"message":"after stop"}')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('answers 503 with Retry-After to a request on a kept-alive connection while draining', async () => {
    source = await startHttp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = post(source.port, '/logs', '{"message":"one"}', {}, 'POST', agent);
    while (source.batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    source.batches[0].ack.resolve();
    expect((await first).status).toBe(200);
    const held = post(source.port, '/logs', '{"message":"held"}');
    while (source.batches.length === 1) await new Promise((resolve) => setTimeout(resolve, 5));
    source.ctx.stop();
    const refused = await post(source.port, '/logs', '{"message":"during drain"}', {}, 'POST', agent);
    expect(refused.status).toBe(503);
    expect(refused.headers).toMatchObject({ 'retry-after': '5', connection: 'close' });
    expect(await errors(source, 'draining')).toBe(1);
    expect(source.batches).toHaveLength(2);
    source.batches[1].ack.resolve();
    expect((await held).status).toBe(200);
    agent.destroy();
  });
});
