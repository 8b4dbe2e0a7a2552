import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertBuilt, eventually, freePort, killLeftovers, removeTempDirs, ROOT, runCli, startCli, tempDir, type Running } from './cli-harness';

const execFileAsync = promisify(execFile);
const EXAMPLE = join(ROOT, 'config/examples/web-analytics.yaml');

beforeAll(assertBuilt);
afterAll(removeTempDirs);

/** POSTs NDJSON with the real curl; returns the HTTP status. */
async function post(url: string, events: readonly object[]): Promise<number> {
  const body = events.map((event) => JSON.stringify(event)).join('\n');
  const { stdout } = await execFileAsync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', '-H', 'content-type: application/x-ndjson', '--data-binary', body, url]);
  return Number(stdout);
}

/** An access log line at `HH:MM` on 2026-12-03. */
const hit = (time: string, path: string, userAgent: string, status: number) => ({ timestamp: `2026-12-03T${time}:00Z`, path, userAgent, status });

interface Summary {
  timestamp: string;
  count: number;
  top: Record<string, { values: Array<{ value: unknown; count: number }>; others: number }>;
}

/** A summary file, read as the one JSON document it must be. */
const readSummary = (file: string): Summary => JSON.parse(readFileSync(file, 'utf8')) as Summary;
const counts = (summary: Summary, field: string): Record<string, number> => Object.fromEntries(summary.top[field].values.map(({ value, count }) => [String(value), count]));

describe('config/examples/web-analytics.yaml through the CLI, fed by curl', () => {
  let sluice: Running;
  let url: string;
  let apiPort: number;
  let dir: string;
  const summaryFile = (hour: string) => join(dir, 'analytics', '2026-12-03', `summary_${hour}.json`);

  beforeAll(async () => {
    dir = tempDir('sluice-analytics-e2e-');
    const port = await freePort();
    apiPort = await freePort();
    url = `http://127.0.0.1:${port}/logs`;
    const env = { SLUICE_HTTP_ADDRESS: `127.0.0.1:${port}`, SLUICE_API_ADDRESS: `127.0.0.1:${apiPort}`, SLUICE_ANALYTICS_DIR: join(dir, 'analytics') };
    sluice = startCli(['run', '-c', EXAMPLE, '--log-level', 'warn'], { cwd: dir, env });
    await eventually(async () => {
      if (sluice.child.exitCode !== null) throw new Error(`sluice exited: ${sluice.stderr()}`);
      return (await fetch(url, { method: 'OPTIONS' }).catch(() => undefined))?.status;
    }, 20_000, 'the http source to listen');
  });

  afterAll(() => killLeftovers());

  it('validates', async () => {
    const result = await runCli(['validate', '-c', EXAMPLE]);
    expect(result.stdout).toContain('valid: 1 source, 1 transform, 1 sink');
  });

  it('writes each hour that event time has passed as one JSON document with counts by path, user agent and status', async () => {
    expect(
      await post(url, [
        hit('10:05', '/', 'curl/8.5.0', 200),
        hit('10:20', '/pricing', 'Mozilla/5.0', 200),
        hit('10:45', '/', 'Mozilla/5.0', 404),
        hit('11:10', '/', 'curl/8.5.0', 500),
      ]),
    ).toBe(200);
    // 12:06 is past 11:00 + 5 minutes of lateness and past 12:00 + 5: both hours close.
    expect(await post(url, [hit('11:50', '/docs', 'Mozilla/5.0', 200), hit('12:06', '/', 'curl/8.5.0', 200)])).toBe(200);
    // One send may write both files, concurrently: wait for each.
    await eventually(() => (existsSync(summaryFile('10')) && existsSync(summaryFile('11'))) || undefined, 20_000, 'summary_10.json and summary_11.json');
    const ten = readSummary(summaryFile('10'));
    expect(ten).toMatchObject({ timestamp: '2026-12-03T10:00:00.000Z', count: 3 });
    expect(counts(ten, 'path')).toEqual({ '/': 2, '/pricing': 1 });
    expect(counts(ten, 'userAgent')).toEqual({ 'Mozilla/5.0': 2, 'curl/8.5.0': 1 });
    expect(counts(ten, 'status')).toEqual({ '200': 2, '404': 1 });
    const eleven = readSummary(summaryFile('11'));
    expect({ count: eleven.count, paths: counts(eleven, 'path'), statuses: counts(eleven, 'status') }).toEqual({ count: 2, paths: { '/': 1, '/docs': 1 }, statuses: { '500': 1, '200': 1 } });
  });

  it('counts an event later than the allowed lateness instead of rewriting a closed hour', async () => {
    expect(await post(url, [hit('10:30', '/late', 'curl/8.5.0', 200)])).toBe(200);
    const late = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('sluice_component_discarded_events_total{') && l.includes('component_id="hourly"') && l.includes('reason="late"'));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    }, 20_000, 'the late-event metric');
    expect(late).toBe(1);
    expect(readSummary(summaryFile('10')).count).toBe(3);
  });

  it('writes the open hour as a partial summary when it stops', async () => {
    expect(existsSync(summaryFile('12'))).toBe(false);
    sluice.child.kill('SIGTERM');
    const exit = await sluice.exited;
    expect(exit.code).toBe(0);
    expect(readSummary(summaryFile('12'))).toMatchObject({ timestamp: '2026-12-03T12:00:00.000Z', count: 1 });
  });
});
