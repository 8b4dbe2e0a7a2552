import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import type { SourceContext } from '../../../src/components/context';
import { createBatch } from '../../../src/core/batch';
import { DELIVERED } from '../../../src/core/sink';
import { Pipeline } from '../../../src/graph/pipeline';
import { PipelineMetrics } from '../../../src/observability/metrics';
import { startApiServer, type ApiServer } from '../../../src/servers/api';

/** Emits one batch of three events, then waits for the stop signal: a source that stays "running". */
function threeThenIdle(ctx: SourceContext): Observable<ReturnType<typeof createBatch>> {
  return new Observable((subscriber) => {
    const events = [{ message: 'a' }, { message: 'b' }, { message: 'c' }];
    subscriber.next(createBatch(events, ctx.track(events.length, 30), 30));
    const stop = ctx.stopping.subscribe(() => subscriber.complete());
    return () => stop.unsubscribe();
  });
}

function buildPipeline(): Pipeline {
  const sink = { send: async () => DELIVERED, close: async () => undefined };
  return Pipeline.create(
    {
      data_dir: mkdtempSync(join(tmpdir(), 'sluice-api-')),
      sources: { src: { source: threeThenIdle } },
      transforms: { keep: { type: 'filter', inputs: ['src'], conditions: [{ field: 'message', not_equals: 'b' }] } },
      sinks: { out: { sink, inputs: ['keep'], batch: { timeout: 0 } } },
    },
    { metrics: new PipelineMetrics({ processMetrics: true }) },
  );
}

describe('the API server', () => {
  let server: ApiServer | undefined;
  let pipeline: Pipeline;
  const get = (path: string, init?: RequestInit): Promise<Response> => fetch(`${server?.url}${path}`, init);

  beforeEach(async () => {
    pipeline = buildPipeline();
    server = await startApiServer({ address: '127.0.0.1:0', registry: pipeline.metrics.registry, pipeline });
  });

  afterEach(async () => {
    await pipeline.stop(1_000);
    await server?.close();
  });

  it('listens on the port the OS chose when asked for port 0', () => {
    expect(server?.port).toBeGreaterThan(0);
    expect(server?.url).toBe(`http://127.0.0.1:${server?.port}`);
  });

  it('answers /ready 503 before the pipeline runs, 200 while it runs, and 503 again once it has stopped', async () => {
    const before = await get('/ready');
    expect(before.status).toBe(503);
    expect(await before.json()).toEqual({ status: 'not ready', state: 'created' });

    const done = pipeline.run();
    const running = await get('/ready');
    expect(running.status).toBe(200);
    expect(await running.json()).toEqual({ status: 'ready', state: 'running' });

    await pipeline.stop(1_000);
    await done;
    expect((await get('/ready')).status).toBe(503);
  });

  it('answers /health 200 whatever the pipeline state', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves the registry on /metrics with its Prometheus content type, process metrics included', async () => {
    void pipeline.run();
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(pipeline.metrics.registry.contentType);
    const text = await response.text();
    expect(text).toContain('sluice_component_received_events_total{component_id="src"');
    expect(text).toContain('sluice_process_cpu_seconds_total');
  });

  it('reports /stats per component id, grouped from the same metric families /metrics exports', async () => {
    void pipeline.run();
    type Stats = { state: string; components: Record<string, { sent?: { events: number } }> };
    let body: Stats = { state: '', components: {} };
    const delivered = async (): Promise<boolean> => {
      body = (await (await get('/stats')).json()) as Stats;
      return body.components.out?.sent?.events === 2;
    };
    for (let attempt = 0; attempt < 200 && !(await delivered()); attempt++) await new Promise((wake) => setTimeout(wake, 10));
    expect(body).toEqual({
      state: 'running',
      components: {
        src: {
          kind: 'source',
          type: 'custom',
          received: { events: 3, bytes: 30 },
          sent: { events: 3, bytes: 30 },
          errors: { total: 0, by_type: {} },
          discarded: { total: 0, by_reason: {} },
          in_flight_events: 0,
          ack_failures: 0,
        },
        keep: {
          kind: 'transform',
          type: 'filter',
          received: { events: 3, bytes: 30 },
          sent: { events: 2, bytes: 30 },
          errors: { total: 0, by_type: {} },
          discarded: { total: 1, by_reason: { filtered: 1 } },
        },
        out: {
          kind: 'sink',
          type: 'custom',
          received: { events: 2, bytes: 30 },
          sent: { events: 2, bytes: 30 },
          errors: { total: 0, by_type: {} },
          discarded: { total: 0, by_reason: {} },
        },
      },
    });
  });

  it('answers 404 for unknown paths and 405 for methods other than GET and HEAD', async () => {
    const missing = await get('/metrics/extra');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', paths: ['/metrics', '/health', '/ready', '/stats'] });
    const post = await get('/health', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get('/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('closes promptly even while a client holds a keep-alive connection open', async () => {
    const url = server?.url as string;
    const agent = await fetch(`${url}/health`, { headers: { connection: 'keep-alive' } });
    expect(agent.status).toBe(200);
    await server?.close();
    server = undefined;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('rejects an address it cannot bind instead of failing later', async () => {
    const port = server?.port as number;
    await expect(startApiServer({ address: `127.0.0.1:${port}`, registry: pipeline.metrics.registry, pipeline })).rejects.toThrow(/EADDRINUSE/);
  });
});
