import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { assertBuilt, eventually, freePort, readEvents, removeTempDirs, ROOT, tempDir, type Exit } from './cli-harness';

/** Process groups (npm, its shell, node, a compiler) a failed test may leave behind. */
const leftovers: number[] = [];

beforeAll(assertBuilt);
afterEach(() => {
  for (const group of leftovers.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});
afterAll(removeTempDirs);

/** Pino self-log lines on stderr, parsed (npm's own banner goes to stdout). */
function logEntries(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { level: 'not JSON', line };
      }
    });
}

/** True when nothing listens on `port` any more: binding it succeeds. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Regression (issue 14): `kill -TERM <npm pid>` orphaned node (still holding the API port)
// and `kill -INT` left it running, because `sh -c` stood between npm and node. `npm start`
// now execs node in place of the shell, so npm's signal forwarding reaches sluice itself.
describe.each(['SIGTERM', 'SIGINT'] as const)('npm start, the documented way to run the default pipeline, stopped with %s', (signal) => {
  it(`parses piped JSON lines, then drains and exits 0 when the npm process gets ${signal}, freeing its port`, async () => {
    const dir = tempDir('sluice-npm-start-');
    const port = await freePort();
    const env = { ...process.env, SLUICE_DATA_DIR: dir, SLUICE_API_ADDRESS: `127.0.0.1:${port}`, SLUICE_HTTP_ADDRESS: '127.0.0.1:0', SLUICE_GRPC_ADDRESS: '127.0.0.1:0', npm_config_update_notifier: 'false' };
    // Its own process group, so cleanup can reach node even if npm is gone; the signal under
    // test goes to npm's pid alone.
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    leftovers.push(npm.pid as number);
    let stderr = '';
    npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    npm.stdout.resume();
    const exited = new Promise<Exit>((done) => npm.once('close', (code, sig) => done({ code, signal: sig, stdout: '', stderr })));
    // stdin stays open: the run goes on (the demo generator too) until the signal.
    npm.stdin.write('{"level":"info","message":"hello"}\nplain text line\n');

    const logs = join(dir, 'logs');
    const events = await eventually(() => {
      const found = readEvents(logs);
      return found.some((event) => event.message === 'plain text line') && found.some((event) => event.message === 'hello') ? found : undefined;
    }, 30_000, `both piped lines in ${logs}`).catch((error: Error) => {
      throw new Error(`${error.message}; npm start wrote on stderr:\n${stderr}`);
    });
    expect(events.find((event) => event.message === 'hello')).toEqual({ level: 'info', message: 'hello', timestamp: expect.any(String), pipeline: 'default' });
    expect(events.find((event) => event.message === 'plain text line')).toMatchObject({ tags: ['json_parse_error'], pipeline: 'default' });
    const demo = events.find((event) => event.msg === 'request completed');
    expect(demo).toMatchObject({ level: expect.any(String), status: expect.any(Number) });
    expect(demo).not.toHaveProperty('message'); // the demo's JSON text is not stored beside its fields

    const started = logEntries(stderr).find((entry) => entry.msg === 'sluice starting');
    const nodePid = started?.pid as number;
    expect(nodePid).toEqual(expect.any(Number));
    expect(nodePid).not.toBe(npm.pid); // npm itself gets the signal, as from systemd or `timeout`

    process.kill(npm.pid as number, signal);
    const exit = await exited;

    const entries = logEntries(stderr);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(entries.find((entry) => entry.msg?.toString().startsWith('stopping: draining'))).toMatchObject({ signal });
    expect(entries.find((entry) => entry.msg === 'sluice stopped')).toMatchObject({ outcome: 'drained', crashed: [] });
    expect(entries.find((entry) => entry.msg?.toString().startsWith('no -c FILE given'))).toMatchObject({ config: join(ROOT, 'config/default.yaml') });
    // No error output: every stderr line is a self-log line below warn.
    expect(entries.filter((entry) => typeof entry.level !== 'number' || entry.level >= 40)).toEqual([]);
    expect(processExists(nodePid)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
  }, 60_000);
});
