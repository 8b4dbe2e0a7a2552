import { join } from 'node:path';
import { assertBuilt, eventually, filesUnder, killLeftovers, logLine, readEvents, removeTempDirs, runCli, sequenceProblem, startCli, tempDir, writeConfig } from '../e2e/cli-harness';
import { note } from '../helpers/notes';

/** A generator feeding the file sink in `dir`; no API, so runs never compete for a port. */
function generatorToFile(dir: string, generator: string, shutdown = '20s'): string {
  return writeConfig(
    dir,
    `data_dir: ${join(dir, 'state')}
api:
  enabled: false
shutdown_timeout: ${shutdown}
sources:
  gen:
    type: generator
${generator}
sinks:
  out:
    type: file
    inputs: [gen]
    path: ${join(dir, 'out')}/%Y-%m-%d/%H.ndjson
`,
  );
}

/**
 * A pipeline that cannot drain: the console sink writes to a stdout nobody reads (the test
 * starts it with `readStdout: false`), so once the pipe is full no send completes.
 * (A FIFO would block a libuv thread in open(), and Node cannot exit while one is blocked.)
 */
function stuckPipeline(dir: string, shutdown: string): string {
  return writeConfig(
    dir,
    `data_dir: ${join(dir, 'state')}
api:
  enabled: false
shutdown_timeout: ${shutdown}
sources:
  gen:
    type: generator
sinks:
  out:
    type: console
    inputs: [gen]
`,
  );
}

const STOPPING = 'stopping: draining in-flight events (signal again to exit at once)';

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

describe('sluice run', () => {
  it('writes every one of 100,000 generated events exactly once, then exits 0 when the source completes', async () => {
    const dir = tempDir();
    const config = generatorToFile(dir, '    count: 100000\n    batch_size: 1000');
    const started = Date.now();
    const exit = await runCli(['run', '-c', config]);
    const elapsedMs = Date.now() - started;

    expect(exit).toMatchObject({ code: 0, signal: null });
    const events = readEvents(join(dir, 'out'));
    expect(events).toHaveLength(100_000);
    expect(sequenceProblem(events.map((event) => event.sequence))).toBeUndefined();
    expect(logLine(exit.stderr, 'sluice stopped')).toMatchObject({ outcome: 'completed', read: 100_000, delivered: 100_000, ack_failures: 0 });
    note(`100k events generator → file (fsync): process wall time ${elapsedMs} ms, pipeline ${String(logLine(exit.stderr, 'sluice stopped')?.elapsed_ms)} ms`);
  });

  it('drains everything already read on SIGTERM: the file holds sequences 0..max with no gap or duplicate, exit 0', async () => {
    const dir = tempDir();
    const config = generatorToFile(dir, '    count: 0\n    rate: 0\n    batch_size: 500\n    max_in_flight_events: 20000');
    const running = startCli(['run', '-c', config]);
    await eventually(() => (filesUnder(join(dir, 'out')).length > 0 && readEvents(join(dir, 'out')).length >= 5_000 ? true : undefined), 20_000, 'the first lines on disk');

    const signalled = Date.now();
    running.child.kill('SIGTERM');
    const exit = await running.exited;

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(20_000);
    const sequences = readEvents(join(dir, 'out')).map((event) => event.sequence);
    expect(sequenceProblem(sequences)).toBeUndefined();
    // Everything the source emitted reached the file: none was read and then dropped.
    expect(logLine(exit.stderr, 'sluice stopped')).toMatchObject({ outcome: 'drained', read: sequences.length, delivered: sequences.length });
  });

  it('exits 1 when the shutdown budget runs out before in-flight events are written', async () => {
    const dir = tempDir();
    const config = stuckPipeline(dir, '300ms');
    const running = startCli(['run', '-c', config], { readStdout: false });
    await eventually(() => logLine(running.stderr(), 'pipeline running'), 20_000, 'the pipeline to start');
    await new Promise((wake) => setTimeout(wake, 300));
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit.code).toBe(1);
    expect(logLine(exit.stderr, 'sluice stopped')).toMatchObject({ outcome: 'abandoned' });
  });

  it('exits 2 and starts nothing when the config is invalid', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'sources:\n  gen:\n    type: generator\n    count: -1\nsinks:\n  out:\n    type: blackhole\n    inputs: [gen]\n');
    const exit = await runCli(['run', '-c', config]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(`${config}:4:5: sources.gen.count: must be at least 0`);
    expect(logLine(exit.stderr, 'sluice starting')).toBeUndefined();
  });

  it('exits 130 at once on a second signal, without waiting for the drain, but takes an immediate repeat as the same request', async () => {
    const dir = tempDir();
    const config = stuckPipeline(dir, '60s');
    const running = startCli(['run', '-c', config], { readStdout: false });
    await eventually(() => logLine(running.stderr(), 'pipeline running'), 20_000, 'the pipeline to start');
    // Back to back, like Ctrl-C under npm (terminal + npm's forwarded copy): one request.
    running.child.kill('SIGINT');
    running.child.kill('SIGINT');
    await eventually(() => logLine(running.stderr(), STOPPING), 20_000, 'the graceful stop to begin');
    await new Promise((wake) => setTimeout(wake, 700));
    expect(running.child.exitCode).toBeNull();
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit.code).toBe(130);
  });
});
