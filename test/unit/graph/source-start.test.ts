import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { createBatch } from '../../../src/core/batch';
import { boolean, integer } from '../../../src/config/schema';
import { defineSource } from '../../../src/components/define';
import { Pipeline } from '../../../src/graph/pipeline';
import { startApiServer } from '../../../src/servers/api';
import { listen } from '../../../src/sources/startup';
import { collected, testRegistry } from './fixtures';

/** A tiny network source: listens on `port` (through the start-up helper), emits nothing, stops when asked. */
const listeningSource = defineSource({
  type: 'tcp_listen',
  summary: 'test source that binds a TCP port',
  options: { port: integer({ description: 'port', default: 0, min: 0 }) },
  example: {},
  create: (config, ctx) =>
    new Observable((subscriber) => {
      const server = createServer();
      const stop = ctx.stopping.subscribe(() => server.close(() => subscriber.complete()));
      listen(ctx, server, '127.0.0.1', config.port).catch((error: unknown) => subscriber.error(error));
      return () => {
        stop.unsubscribe();
        server.close();
      };
    }),
});

/** Emits one batch, then errors (`fail_after_first`) or waits until the pipeline stops. */
const steadySource = defineSource({
  type: 'steady',
  summary: 'test source that reads until stopped',
  options: { fail_after_first: boolean({ description: 'error after the first batch', default: false }) },
  example: {},
  create: (config, ctx) =>
    new Observable((subscriber) => {
      subscriber.next(createBatch([{ message: `from ${ctx.id}` }], ctx.track(1, 10), 10));
      if (config.fail_after_first) setImmediate(() => subscriber.error(new Error('socket reset mid-run')));
      const stop = ctx.stopping.subscribe(() => subscriber.complete());
      return () => stop.unsubscribe();
    }),
});

const registry = () => testRegistry().register(listeningSource, steadySource);
const base = () => ({ data_dir: mkdtempSync(join(tmpdir(), 'sluice-start-')), api: { enabled: false } });

async function takenPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('a source that cannot start', () => {
  it('stops the run: the other sources drain what they read, the source is down with its OS error, and /ready names it', async () => {
    const { server: taken, port } = await takenPort();
    const pipeline = Pipeline.create(
      { ...base(), sources: { syslog_in: { type: 'tcp_listen', port }, app: { type: 'steady' } }, sinks: { out: { type: 'collect', inputs: ['syslog_in', 'app'] } } },
      { registry: registry() },
    );
    const api = await startApiServer({ address: '127.0.0.1:0', registry: pipeline.metrics.registry, pipeline });
    try {
      await pipeline.run(); // without the start failure rule `app` would read forever
      const reason = `source "syslog_in": cannot listen on 127.0.0.1:${port}: EADDRINUSE (address already in use)`;
      expect(pipeline.health.get('syslog_in')).toEqual({ id: 'syslog_in', state: 'down', reason });
      expect((collected.get('out') ?? []).map((event) => event.message)).toEqual(['from app']);
      const ready = await fetch(`${api.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'not ready', state: 'stopped', components: [{ id: 'syslog_in', state: 'down', reason }] });
      const streamErrors = (await pipeline.metrics.registry.getSingleMetric('sluice_component_errors_total')?.get())?.values.find((v) => v.labels.component_id === 'syslog_in' && v.labels.error_type === 'stream');
      expect(streamErrors?.value).toBe(1); // what makes `sluice run` exit 1
    } finally {
      await api.close();
      taken.close();
    }
  });

  it('reports ready once every source is bound', async () => {
    const pipeline = Pipeline.create({ ...base(), sources: { syslog_in: { type: 'tcp_listen', port: 0 } }, sinks: { out: { type: 'collect', inputs: ['syslog_in'] } } }, { registry: registry() });
    const done = pipeline.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pipeline.health.notReady()).toEqual([]);
    await pipeline.stop();
    await done;
  });

  it('does not stop the others when a source fails after it emitted (a crash mid-run ends only its path)', async () => {
    const pipeline = Pipeline.create(
      { ...base(), sources: { flaky: { type: 'steady', fail_after_first: true }, app: { type: 'steady' } }, sinks: { out2: { type: 'collect', inputs: ['flaky', 'app'] } } },
      { registry: registry() },
    );
    let finished = false;
    const done = pipeline.run().then(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toBe(false);
    expect(pipeline.health.get('flaky')?.state).toBe('ready');
    await pipeline.stop();
    await done;
  });
});
