import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertBuilt, CLI, killLeftovers, ROOT, tempDir, writeConfig } from './cli-harness';

const execFileAsync = promisify(execFile);

beforeAll(assertBuilt);
afterEach(killLeftovers);

/** `sluice dlq ...args` through the built CLI. */
async function sluiceDlq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, [CLI, 'dlq', ...args], { cwd: ROOT }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** `sluice run -c config`: exits 1 here, since some events end in the dead-letter queue. */
async function runPipeline(config: string): Promise<void> {
  await execFileAsync(process.execPath, [CLI, 'run', '-c', config, '--log-level', 'error'], { cwd: ROOT }).catch(() => undefined);
}

const pipelineYaml = (work: string, sinkPath: string): string => `data_dir: ${join(work, 'data')}
api:
  enabled: false
sources:
  gen:
    type: generator
    count: 50
    batch_size: 10
    format: json
sinks:
  archive:
    type: file
    inputs: [gen]
    path: ${sinkPath}
    batch:
      timeout: 50ms
    dead_letter: {}
`;

describe('sluice dlq', () => {
  it('holds what a sink failed permanently, shows it with stats and list, and replays it into a working sink until empty', async () => {
    const work = tempDir('sluice-dlq-e2e-');
    writeFileSync(join(work, 'blocked'), 'a regular file: every path under it fails with ENOTDIR');
    await runPipeline(writeConfig(work, pipelineYaml(work, join(work, 'blocked', '%Y.ndjson')), 'failing.yaml'));
    const queue = join(work, 'data', 'dead_letter', 'archive');

    const stats = await sluiceDlq('stats', '--path', queue);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('entries:     50\n');
    expect(stats.stdout).toMatch(/top errors:\n +50 {2}writing .*blocked.* failed: (ENOTDIR|EEXIST)/);

    const list = await sluiceDlq('list', '--path', queue, '--limit', '3');
    expect(list.code).toBe(0);
    expect(list.stdout.match(/ archive {2}attempts=1 {2}error: writing .* failed: (ENOTDIR|EEXIST)/g)).toHaveLength(3);
    expect(list.stdout).toMatch(/\n {4}\{"message":"/);
    expect(list.stdout).toContain('entries 1-3 shown');

    const delivered = join(work, 'replayed.ndjson');
    const working = writeConfig(work, pipelineYaml(work, delivered), 'working.yaml');
    const replay = await sluiceDlq('replay', '-c', working, '--path', queue, '--into', 'archive', '--batch-size', '16');
    expect(replay.stderr).toMatch(/replaying: \d+\/50\n/);
    expect(replay.stderr).toContain('replayed 50 of 50 entries (0 failed)\n');
    expect(replay.code).toBe(0);

    const events = readFileSync(delivered, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Object.keys(events[0]).some((key) => key.startsWith('dlq_'))).toBe(false);
    expect((await sluiceDlq('stats', '--path', queue)).stdout).toContain('entries:     0\n');

    const again = await sluiceDlq('replay', '-c', working, '--path', queue, '--into', 'archive');
    expect(again).toMatchObject({ code: 0, stderr: expect.stringContaining('replayed 0 of 0 entries') });
  });

  it('purges a queue only when told --yes', async () => {
    const work = tempDir('sluice-dlq-e2e-');
    writeFileSync(join(work, 'blocked'), 'not a directory');
    await runPipeline(writeConfig(work, pipelineYaml(work, join(work, 'blocked', 'x.ndjson'))));
    const queue = join(work, 'data', 'dead_letter', 'archive');
    expect(await sluiceDlq('purge', '--path', queue)).toMatchObject({ code: 2, stderr: expect.stringContaining('deletes 50 entries') });
    expect(await sluiceDlq('purge', '--path', queue, '--yes')).toMatchObject({ code: 0, stdout: `purged 50 entries from ${queue}\n` });
    expect((await sluiceDlq('stats', '--path', queue)).stdout).toContain('entries:     0\n');
  });
});
