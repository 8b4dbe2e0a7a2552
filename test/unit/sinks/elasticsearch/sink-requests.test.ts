import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createBatch } from '../../../../src/core/batch';
import { DeliveryError } from '../../../../src/core/errors';
import type { LogEvent } from '../../../../src/core/event';
import type { Sink } from '../../../../src/core/sink';
import { elasticsearchSink } from '../../../../src/sinks/elasticsearch/elasticsearch';
import { metricValue, parseConfig, testContext, type TestContext } from '../../../helpers/context';

/**
 * What the sink puts on the wire, read by a plain HTTP server standing in for Elasticsearch:
 * the options the test distribution cannot exercise (credentials, pipelines on a node with no
 * processors, whole-request statuses on demand) are checked on the request itself.
 */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

type Reply = (request: Recorded) => { status: number; body?: unknown; headers?: Record<string, string> };

let server: Server;
let url: string;
let recorded: Recorded[];
let reply: Reply;
const sinks: Sink[] = [];

const ok = (request: Recorded) => {
  if (request.url.startsWith('/_cluster/health')) return { status: 200, body: { status: 'green' } };
  const lines = decode(request).split('\n').filter((line) => line !== '');
  return { status: 200, body: { errors: false, items: lines.filter((_, i) => i % 2 === 0).map(() => ({ index: { status: 201 } })) } };
};

function decode(request: Recorded): string {
  return (request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body).toString('utf8');
}

function answerRequest(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
    recorded.push(request);
    const answer = reply(request);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
}

beforeAll(async () => {
  server = createServer(answerRequest);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  recorded = [];
  reply = ok;
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

function create(options: Record<string, unknown> = {}, context: TestContext = testContext({ kind: 'sink', type: 'elasticsearch', id: 'search' })): Sink {
  const sink = elasticsearchSink.create(parseConfig(elasticsearchSink, { endpoints: [url], ...options }), context);
  sinks.push(sink);
  return sink;
}

const signal = () => new AbortController().signal;
const send = (sink: Sink, events: LogEvent[]) => sink.send(createBatch(events), { signal: signal() });
const bulks = () => recorded.filter((request) => request.url.startsWith('/_bulk'));

describe('elasticsearch sink requests', () => {
  it('posts NDJSON to /_bulk asking only for item statuses and errors, with the pipeline when set', async () => {
    const sink = create({ pipeline: 'parse-nginx', index: 'logs-%Y' });
    expect(await send(sink, [{ timestamp: '2024-05-01T00:00:00Z', message: 'a' }])).toEqual({});
    const [bulk] = bulks();
    expect(bulk.method).toBe('POST');
    const query = new URL(bulk.url, url).searchParams;
    expect(query.get('pipeline')).toBe('parse-nginx');
    expect(query.get('filter_path')).toBe('errors,items.*.status,items.*.error');
    expect(bulk.headers['content-type']).toContain('ndjson');
    expect(bulk.headers['content-encoding']).toBeUndefined();
    const [action, document] = decode(bulk).split('\n');
    expect(JSON.parse(action)).toMatchObject({ index: { _index: 'logs-2024' } });
    expect(JSON.parse(document)).toEqual({ timestamp: '2024-05-01T00:00:00Z', message: 'a' });
  });

  it('gzips bodies with the shared codec and says so in Content-Encoding', async () => {
    const sink = create({ compression: 'gzip', compression_level: 1 });
    await send(sink, [{ message: 'compressed' }]);
    const [bulk] = bulks();
    expect(bulk.headers['content-encoding']).toBe('gzip');
    expect(decode(bulk)).toContain('"message":"compressed"');
  });

  it('sends basic credentials or an API key', async () => {
    await send(create({ auth: { username: 'writer', password: 's3cret' } }), [{ message: 'x' }]);
    await send(create({ auth: { api_key: 'aWQ6a2V5' } }), [{ message: 'y' }]);
    const [basic, apiKey] = bulks();
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from('writer:s3cret').toString('base64')}`);
    expect(apiKey.headers.authorization).toBe('ApiKey aWQ6a2V5');
  });

  it('splits a batch larger than batch.max_bytes into several bulk requests', async () => {
    const sink = create({ batch: { max_bytes: 1000 } });
    const events = Array.from({ length: 20 }, (_, i) => ({ message: `${i} ${'x'.repeat(100)}` }));
    expect(await send(sink, events)).toEqual({});
    expect(bulks().length).toBeGreaterThan(3);
    expect(bulks().every((bulk) => bulk.body.length <= 1000)).toBe(true);
  });

  it('starts by asking /_cluster/health, and accepts a 403 (a writer without the monitor privilege)', async () => {
    const sink = create();
    await sink.start?.({ signal: signal() });
    expect(recorded.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual(['GET /_cluster/health']);
    reply = () => ({ status: 403, body: { error: { type: 'security_exception', reason: 'action [cluster:monitor/health] is unauthorized' }, status: 403 } });
    await expect(sink.start?.({ signal: signal() })).resolves.toBeUndefined();
    reply = () => ({ status: 401, body: { error: { type: 'security_exception', reason: 'unable to authenticate user [writer]' }, status: 401 } });
    await expect(sink.start?.({ signal: signal() })).rejects.toThrow('GET /_cluster/health failed with 401: security_exception: unable to authenticate user [writer]');
  });

  it.each([
    [429, true, 'es_rejected_execution_exception'],
    [503, true, 'unavailable_shards_exception'],
    [401, false, 'security_exception'],
    [413, false, 'request body larger than http.max_content_length'],
    [400, false, 'illegal_argument_exception'],
  ])('classifies a whole bulk answered %i (retryable: %s) and counts it per reason', async (status, retryable, type) => {
    reply = () => ({ status, body: { error: { type, reason: 'whole request' }, status }, headers: status === 429 ? { 'retry-after': '7' } : undefined });
    const context = testContext({ kind: 'sink', type: 'elasticsearch', id: 'search' });
    const result = await send(create({}, context), [{ message: 'a' }, { message: 'b' }]);
    expect(result.failures?.map((f) => [f.index, f.retryable])).toEqual([
      [0, retryable],
      [1, retryable],
    ]);
    const error = result.failures?.[0].error as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.message).toContain(`bulk request failed with ${status}: ${type}`);
    if (status === 413) expect(error.message).toContain('lower batch.max_bytes');
    expect(error.retryAfterMs).toBe(status === 429 ? 7000 : undefined);
    expect(await metricValue(context.pipelineMetrics, 'sluice_elasticsearch_rejected_documents_total', { reason: `http_${status}` })).toBe(2);
  });

  it('fails a batch retryably when nothing listens, without trying its other requests', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const context = testContext({ kind: 'sink', type: 'elasticsearch', id: 'search' });
    const sink = elasticsearchSink.create(parseConfig(elasticsearchSink, { endpoints: [`http://127.0.0.1:${port}`], batch: { max_bytes: 500 } }), context);
    sinks.push(sink);
    const events = Array.from({ length: 10 }, (_, i) => ({ message: `${i} ${'x'.repeat(100)}` }));
    const result = await send(sink, events);
    expect(result.failures).toHaveLength(10);
    expect(result.failures?.every((f) => f.retryable && f.error === result.failures?.[0].error)).toBe(true);
    expect(result.failures?.[0].error.message).toMatch(/^bulk request failed: /);
    expect(await metricValue(context.pipelineMetrics, 'sluice_elasticsearch_rejected_documents_total', { reason: 'connection' })).toBe(10);
    await expect(sink.start?.({ signal: signal() })).rejects.toMatchObject({ retryable: true });
  });

  it('stops a send when its signal aborts (the deadline passed)', async () => {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      void held.then(() => res.end());
    });
    try {
      const controller = new AbortController();
      const sending = create().send(createBatch([{ message: 'slow' }]), { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('deadline')), 50);
      const result = await sending;
      expect(result.failures?.[0]).toMatchObject({ index: 0, retryable: true });
    } finally {
      release();
      server.removeAllListeners('request');
      server.on('request', answerRequest);
    }
  });

  it('counts documents per index and rejections per reason', async () => {
    reply = (request) => {
      if (!request.url.startsWith('/_bulk')) return ok(request);
      return {
        status: 200,
        body: {
          errors: true,
          items: [
            { index: { status: 201 } },
            { index: { status: 201 } },
            { index: { status: 400, error: { type: 'document_parsing_exception', reason: 'bad' } } },
            { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'busy' } } },
          ],
        },
      };
    };
    const context = testContext({ kind: 'sink', type: 'elasticsearch', id: 'search' });
    const sink = create({ index: 'logs-{{ service }}' }, context);
    const result = await send(sink, [{ service: 'a' }, { service: 'b' }, { service: 'a' }, { service: 'a' }, { nothing: 1 }]);
    expect(result.failures?.map((f) => [f.index, f.retryable])).toEqual([
      [2, false],
      [3, true],
      [4, false],
    ]);
    const metrics = context.pipelineMetrics;
    expect(await metricValue(metrics, 'sluice_elasticsearch_documents_total', { index: 'logs-a' })).toBe(1);
    expect(await metricValue(metrics, 'sluice_elasticsearch_documents_total', { index: 'logs-b' })).toBe(1);
    expect(await metricValue(metrics, 'sluice_elasticsearch_rejected_documents_total', { reason: 'document_parsing_exception' })).toBe(1);
    expect(await metricValue(metrics, 'sluice_elasticsearch_rejected_documents_total', { reason: 'es_rejected_execution_exception' })).toBe(1);
    expect(await metricValue(metrics, 'sluice_elasticsearch_rejected_documents_total', { reason: 'unencodable' })).toBe(1);
  });
});
