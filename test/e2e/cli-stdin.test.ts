import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertBuilt, CLI, eventually, freePort, killLeftovers, removeTempDirs, startCli, tempDir, writeConfig } from './cli-harness';

const execFileAsync = promisify(execFile);

beforeAll(assertBuilt);
afterEach(killLeftovers);
afterAll(removeTempDirs);

const STDIN_TO_CONSOLE = `api:
  enabled: false
sources:
  in:
    type: stdin
transforms:
  parse:
    type: json
    inputs: [in]
sinks:
  out:
    type: console
    inputs: [parse]
`;

describe('sluice in a shell pipeline', () => {
  it('turns lines piped into stdin into NDJSON on stdout, then exits 0 at EOF', async () => {
    const config = writeConfig(tempDir(), STDIN_TO_CONSOLE);
    const input = String.raw`{"level":"info","msg":"one"}\nplain text\n{"level":"error","n":3}\n`;
    const exit = await startCli([], { shell: `printf '${input}' | node ${CLI} run -c ${config} --log-level warn` }).exited;

    expect(exit.code).toBe(0);
    const events = exit.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toEqual([
      { level: 'info', msg: 'one', timestamp: expect.any(String) }, // the raw JSON text is not kept beside its fields
      expect.objectContaining({ message: 'plain text', tags: ['json_parse_error'] }),
      expect.objectContaining({ level: 'error', n: 3 }),
    ]);
    expect(exit.stderr).toBe('');
  });

  it('keeps all 50,000 lines of a large input, in order, when stdout is a pipe into another process', async () => {
    const config = writeConfig(tempDir(), STDIN_TO_CONSOLE);
    // awk prints how many lines it read and how many were not the line number it expected.
    const check = `awk -F'"message":"' '{ split($2, m, "\\""); if (m[1] != NR) bad++ } END { print NR, bad + 0 }'`;
    const exit = await startCli([], { shell: `set -o pipefail; seq 1 50000 | node ${CLI} run -c ${config} --log-level warn | ${check}` }).exited;
    expect(exit).toMatchObject({ code: 0, stdout: '50000 0\n' });
  });
});

describe('curl against a running sluice', () => {
  it('scrapes Prometheus metrics from /metrics', async () => {
    const dir = tempDir();
    const port = await freePort();
    const config = writeConfig(
      dir,
      `data_dir: ${join(dir, 'state')}
api:
  address: 127.0.0.1:\${SLUICE_API_PORT}
sources:
  gen:
    type: generator
    rate: 50
sinks:
  void:
    type: blackhole
    inputs: [gen]
`,
    );
    const running = startCli(['run', '-c', config], { env: { SLUICE_API_PORT: String(port) } });
    const scrape = (): Promise<{ stdout: string }> => execFileAsync('curl', ['-sf', `http://127.0.0.1:${port}/metrics`]);
    const body = await eventually(async () => {
      const { stdout } = await scrape().catch(() => ({ stdout: '' }));
      return /sluice_component_sent_events_total\{component_id="void"[^}]*\} [1-9]/.test(stdout) ? stdout : undefined;
    }, 20_000, 'curl to see delivered events');

    expect(body).toContain('# TYPE sluice_component_received_events_total counter');
    expect(body).toContain('sluice_nodejs_eventloop_lag_seconds');
    running.child.kill('SIGTERM');
    expect((await running.exited).code).toBe(0);
  });
});
