import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { assertBuilt, eventually, freePort, killLeftovers, logLine, removeTempDirs, startCli, tempDir, writeConfig } from '../e2e/cli-harness';

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

/** GETs `path` from the running API; undefined while nothing listens yet. */
async function get(port: number, path: string): Promise<Response | undefined> {
  try {
    return await fetch(`http://127.0.0.1:${port}${path}`);
  } catch {
    return undefined;
  }
}

describe('sluice run with the API enabled', () => {
  it('answers /metrics, /health, /ready and /stats while running, on the address from ${SLUICE_API_PORT}', async () => {
    const dir = tempDir();
    const port = await freePort();
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'state')}
api:
  enabled: true
  address: 127.0.0.1:\${SLUICE_API_PORT}
sources:
  gen:
    type: generator
    rate: 200
    batch_size: 10
sinks:
  void:
    type: blackhole
    inputs: [gen]
`,
    );
    const running = startCli(['run', '-c', config], { env: { SLUICE_API_PORT: String(port) } });

    const ready = await eventually(async () => {
      const response = await get(port, '/ready');
      return response?.status === 200 ? response : undefined;
    }, 20_000, '/ready to answer 200');
    expect(await ready.json()).toEqual({ status: 'ready', state: 'running' });

    const health = await get(port, '/health');
    expect(health?.status).toBe(200);
    expect(await health?.json()).toEqual({ status: 'ok' });

    // Wait for the blackhole to have delivered something, then check both views agree.
    const stats = await eventually(async () => {
      const body = (await (await get(port, '/stats'))?.json()) as { components: Record<string, { sent: { events: number } }> };
      return body.components.void?.sent.events > 0 ? body : undefined;
    }, 20_000, 'the sink to deliver events');
    expect(stats).toMatchObject({
      state: 'running',
      components: {
        gen: { kind: 'source', type: 'generator', sent: { events: expect.any(Number) }, in_flight_events: expect.any(Number), ack_failures: 0 },
        void: { kind: 'sink', type: 'blackhole', received: { events: expect.any(Number) }, errors: { total: 0 } },
      },
    });

    const metrics = await get(port, '/metrics');
    expect(metrics?.status).toBe(200);
    expect(metrics?.headers.get('content-type')).toContain('text/plain');
    const text = (await metrics?.text()) ?? '';
    expect(text).toMatch(/sluice_component_sent_events_total\{component_id="void",component_type="blackhole",component_kind="sink"\} [1-9]/);
    expect(text).toContain('sluice_process_resident_memory_bytes');

    expect((await get(port, '/nope'))?.status).toBe(404);

    running.child.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit.code).toBe(0);
    expect(logLine(exit.stderr, 'API listening: /metrics /health /ready /stats')).toMatchObject({ url: `http://127.0.0.1:${port}` });
    // Closed with the pipeline: nothing listens once sluice has exited.
    expect(await get(port, '/health')).toBeUndefined();
  });

  it('exits 1 before reading anything when the API port is taken', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(0, '127.0.0.1', listening));
    const { port } = blocker.address() as AddressInfo;
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'state')}
api:
  address: 127.0.0.1:${port}
sources:
  gen:
    type: generator
    count: 10
sinks:
  out:
    type: file
    inputs: [gen]
    path: ${join(dir, 'out.ndjson')}
`,
    );
    try {
      const exit = await startCli(['run', '-c', config]).exited;
      expect(exit.code).toBe(1);
      expect(logLine(exit.stderr, 'cannot start the API server')).toMatchObject({ address: `127.0.0.1:${port}` });
      expect(logLine(exit.stderr, 'pipeline running')).toBeUndefined();
    } finally {
      blocker.close();
    }
  });
});
