import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt, CLI, eventually, freePort, killLeftovers, logLine, readEvents, removeTempDirs, runCli, startCli, tempDir, writeConfig, type Running } from './cli-harness';

beforeAll(assertBuilt);
afterAll(() => {
  killLeftovers();
  removeTempDirs();
});

/** The `worker started` log lines of the primary so far: pid by worker index, latest last. */
function workerPids(stderr: string): Array<{ worker: number; pid: number }> {
  return stderr
    .split('\n')
    .filter((line) => line.includes('"msg":"worker started"'))
    .map((line) => JSON.parse(line) as { worker: number; pid: number });
}

describe('workers: 2 with stdin', () => {
  it('delivers every input line exactly once across the workers, the last one without a newline too', async () => {
    const dir = tempDir('sluice-workers-stdin-');
    const out = join(dir, 'out');
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'data')}
workers: 2
api:
  enabled: false
sources:
  in:
    type: stdin
transforms:
  parsed:
    type: json
    inputs: [in]
sinks:
  files:
    type: file
    inputs: [parsed]
    path: ${out}/worker-%w.ndjson
    fsync: false
`,
    );
    const total = 50_000;
    const lines = Array.from({ length: total }, (_, n) => JSON.stringify({ n, pad: 'x'.repeat(n % 50) }));
    const sluice = startCli(['run', '-c', config]);
    // Written in odd-sized pieces, so the primary's reads cut lines anywhere.
    const text = lines.join('\n');
    for (let at = 0; at < text.length; at += 70_001) sluice.child.stdin?.write(text.slice(at, at + 70_001));
    sluice.child.stdin?.end();
    const exit = await sluice.exited;
    expect(exit.code).toBe(0);
    const events = readEvents(out);
    const seen = events.map((event) => event.n as number).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: total }, (_, n) => n));
    // Both workers took part, each in its own file and data_dir.
    const perWorker = [0, 1].map((index) => exit.stderr.split('\n').filter((line) => line.includes('"msg":"sluice stopped"') && line.includes(`"worker":${index}`)));
    for (const stops of perWorker) expect(stops).toHaveLength(1);
    expect(logLine(exit.stderr, 'sluice primary stopped: every worker exited')).toMatchObject({ code: 0 });
  }, 60_000);
});

describe('workers: 2 with an invalid graph', () => {
  it('exits 2 with the problems printed once (the primary reads only the settings; worker 0 reports)', async () => {
    const dir = tempDir('sluice-workers-invalid-');
    const config = writeConfig(dir, `workers: 2\napi:\n  enabled: false\nsources:\n  in:\n    type: stdin\nsinks:\n  out:\n    type: nope\n    inputs: [in]\n`);
    const exit = await runCli(['run', '-c', config]);
    expect(exit.code).toBe(2);
    expect(exit.stderr.match(/unknown sink type "nope"/g)).toHaveLength(1);
  }, 30_000);
});

describe('workers: 2 stopped while the workers still load', () => {
  it('exits 0: a worker that had not started reading stops cleanly', async () => {
    const dir = tempDir('sluice-workers-early-');
    const config = writeConfig(dir, `data_dir: ${join(dir, 'data')}\nworkers: 2\napi:\n  enabled: false\nsources:\n  gen:\n    type: generator\n    rate: 10\nsinks:\n  out:\n    type: blackhole\n    inputs: [gen]\n`);
    const sluice = startCli(['run', '-c', config]);
    await eventually(() => (workerPids(sluice.stderr()).length === 2 ? true : undefined), 10_000, 'both workers forked');
    sluice.child.kill('SIGTERM');
    const exit = await sluice.exited;
    expect(exit.code).toBe(0);
  }, 30_000);
});

describe('workers: 2 with a regular file on stdin', () => {
  it('has each worker read its own range of lines in place, every line exactly once', async () => {
    const dir = tempDir('sluice-workers-file-');
    const out = join(dir, 'out');
    const input = join(dir, 'input.ndjson');
    const total = 30_000;
    writeFileSync(input, Array.from({ length: total }, (_, n) => JSON.stringify({ n })).join('\n'));
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'data')}
workers: 2
api:
  enabled: false
sources:
  in:
    type: stdin
transforms:
  parsed:
    type: json
    inputs: [in]
sinks:
  files:
    type: file
    inputs: [parsed]
    path: ${out}/%w.ndjson
    fsync: false
`,
    );
    const exit = await startCli([], { shell: `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} run -c ${JSON.stringify(config)} < ${JSON.stringify(input)}` }).exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('"stdin":"file shared by range"');
    expect(readEvents(out).map((event) => event.n as number).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
    const delivered = exit.stderr.split('\n').filter((line) => line.includes('"msg":"sluice stopped"')).map((line) => (JSON.parse(line) as { delivered: number }).delivered);
    expect(delivered).toHaveLength(2);
    for (const count of delivered) expect(count).toBeGreaterThan(total / 4);
  }, 60_000);
});

describe('workers: 2 with a file source', () => {
  it('tails each file in exactly one worker, and a rotated file stays with its worker', async () => {
    const dir = tempDir('sluice-workers-files-');
    const logs = join(dir, 'logs');
    const out = join(dir, 'out');
    mkdirSync(logs);
    const files = 12;
    for (let f = 0; f < files; f++) writeFileSync(join(logs, `app-${f}.log`), Array.from({ length: 100 }, (_, i) => `f${f} l${i}`).join('\n') + '\n');
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'data')}
workers: 2
api:
  enabled: false
sources:
  logs:
    type: file
    include: ["${logs}/*.log*"]
    scan_interval: 100ms
    path_field: file
sinks:
  files:
    type: file
    inputs: [logs]
    path: ${out}/%w.ndjson
    fsync: false
    batch:
      timeout: 20ms
`,
    );
    const sluice = startCli(['run', '-c', config]);
    const messages = () => readEvents(out).map((event) => event.message as string);
    await eventually(() => (messages().length >= files * 100 ? true : undefined), 30_000, 'every line of the files');
    // Rotation by rename (still matched by the glob): the renamed file keeps its inode, so the
    // worker that read it goes on from its checkpoint; the other must not read it from the start.
    renameSync(join(logs, 'app-0.log'), join(logs, 'app-0.log.1'));
    writeFileSync(join(logs, 'app-0.log.1'), 'f0 after-rename\n', { flag: 'a' });
    writeFileSync(join(logs, 'app-0.log'), 'f0 new-file\n');
    await eventually(() => (messages().length >= files * 100 + 2 ? true : undefined), 30_000, 'the lines after the rotation');
    await new Promise((settle) => setTimeout(settle, 500));
    sluice.child.kill('SIGTERM');
    const exit = await sluice.exited;
    expect(exit.code).toBe(0);
    const got = messages().sort();
    const want = [...Array.from({ length: files }, (_, f) => Array.from({ length: 100 }, (_, i) => `f${f} l${i}`)).flat(), 'f0 after-rename', 'f0 new-file'].sort();
    expect(got).toEqual(want);
    const perWorker = [0, 1].map((index) => exit.stderr.split('\n').filter((line) => line.includes('"msg":"sluice stopped"') && line.includes(`"worker":${index}`)).map((line) => (JSON.parse(line) as { read: number }).read)[0]);
    for (const read of perWorker) expect(read).toBeGreaterThan(0);
  }, 60_000);
});

describe('workers: 2 with an http source', () => {
  let sluice: Running;
  let port: number;
  let apiPort: number;
  let out: string;
  const api = (path: string) => fetch(`http://127.0.0.1:${apiPort}${path}`);

  beforeAll(async () => {
    const dir = tempDir('sluice-workers-http-');
    out = join(dir, 'out');
    [port, apiPort] = [await freePort(), await freePort()];
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'data')}
workers: 2
api:
  address: 127.0.0.1:${apiPort}
sources:
  web:
    type: http
    address: 127.0.0.1:${port}
sinks:
  files:
    type: file
    inputs: [web]
    path: ${out}/%w/events.ndjson
    fsync: false
    batch:
      timeout: 20ms
`,
    );
    sluice = startCli(['run', '-c', config]);
    await eventually(async () => {
      if (sluice.child.exitCode !== null) throw new Error(`sluice exited: ${sluice.stderr()}`);
      return (await api('/ready').catch(() => undefined))?.status === 200 ? true : undefined;
    }, 30_000, 'both workers to be ready');
  }, 40_000);

  afterAll(async () => {
    if (sluice.child.exitCode === null) sluice.child.kill('SIGKILL');
    await sluice.exited;
  });

  it('delivers every request, and the primary\'s /metrics has series of each worker', async () => {
    const requests = 60;
    // A fresh connection per request, so the cluster spreads them over the workers.
    const answers = await Promise.all(
      Array.from({ length: requests }, (_, i) =>
        fetch(`http://127.0.0.1:${port}/logs`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ message: `m${i}` }) }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: requests }, () => 200));
    const messages = readEvents(out).map((event) => event.message as string).sort();
    expect(messages).toEqual(Array.from({ length: requests }, (_, i) => `m${i}`).sort());
    const metrics = await (await api('/metrics')).text();
    const received = metrics.split('\n').filter((line) => line.startsWith('sluice_component_received_events_total{') && line.includes('component_id="files"'));
    expect(received.some((line) => line.includes('worker="0"'))).toBe(true);
    expect(received.some((line) => line.includes('worker="1"'))).toBe(true);
    const sum = received.reduce((total, line) => total + Number(line.split(' ').pop()), 0);
    expect(sum).toBe(requests);
    const stats = (await (await api('/stats')).json()) as { components: Record<string, { received: { events: number } }> };
    expect(stats.components.files.received.events).toBe(requests);
  }, 30_000);

  it('restarts a worker killed with SIGKILL', async () => {
    const [first] = workerPids(sluice.stderr());
    process.kill(first.pid, 'SIGKILL');
    await eventually(() => (logLine(sluice.stderr(), 'worker crashed; restarting it') ? true : undefined), 10_000, 'the crash to be noticed');
    const restarted = await eventually(() => workerPids(sluice.stderr()).find((entry) => entry.worker === first.worker && entry.pid !== first.pid), 10_000, 'the restart');
    expect(restarted.pid).not.toBe(first.pid);
    await eventually(async () => ((await api('/ready')).status === 200 ? true : undefined), 30_000, 'readiness after the restart');
    const answer = await fetch(`http://127.0.0.1:${port}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"after restart"}' });
    expect(answer.status).toBe(200);
  }, 60_000);

  it('drains both workers on SIGTERM to the primary and exits 0', async () => {
    sluice.child.kill('SIGTERM');
    const exit = await sluice.exited;
    expect(exit.code).toBe(0);
    const stopped = exit.stderr.split('\n').filter((line) => line.includes('"msg":"worker stopped"'));
    expect(stopped).toHaveLength(2);
    expect(readEvents(out).some((event) => event.message === 'after restart')).toBe(true);
  }, 60_000);
});
