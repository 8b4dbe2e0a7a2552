import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertBuilt, eventually, killLeftovers, readEvents, removeTempDirs, startCli, tempDir, writeConfig, type Running } from './cli-harness';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

/** Runs a shell command line with the real tools (mv, cp, truncate, ln, gzip, seq). */
const sh = (command: string): void => void execFileSync('bash', ['-c', `set -e; ${command}`]);
/** `seq`-written lines `name-from` .. `name-to` (inclusive), as the tools write them. */
const seqLines = (name: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${name}-${from + i}`);
const seq = (name: string, from: number, to: number): string => `seq -f '${name}-%.0f' ${from} ${to}`;

const CASES = ['rename', 'copytruncate', 'truncate', 'rewrite', 'symlink', 'gzip', 'deleted', 'late', 'restart'] as const;

describe('file source through the CLI, with mv, cp, truncate, ln -s and gzip on real files', () => {
  let dir: string;
  let out: string;
  let config: string;
  let sluice: Running;
  const messagesOf = (prefix: string): string[] =>
    readEvents(out)
      .map((event) => event.message as string)
      .filter((message) => message.startsWith(`${prefix}-`));
  /** Waits until `prefix`'s lines in the output are `expected` (as a multiset) and stay so. */
  const expectExactly = async (prefix: string, expected: string[]): Promise<void> => {
    const want = [...expected].sort();
    await eventually(() => (messagesOf(prefix).length >= want.length ? true : undefined), 20_000, `${want.length} ${prefix} lines, have ${messagesOf(prefix).length}`);
    await new Promise((wake) => setTimeout(wake, 500)); // anything doubled would arrive by now
    expect([...messagesOf(prefix)].sort()).toEqual(want);
  };
  const start = (): Running => {
    const running = startCli(['run', '-c', config, '--log-level', 'info']);
    return running;
  };
  const stop = async (running: Running): Promise<void> => {
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit.code).toBe(0);
  };

  beforeAll(async () => {
    dir = tempDir('sluice-file-e2e-');
    out = join(dir, 'out');
    for (const name of CASES) mkdirSync(join(dir, name));
    mkdirSync(join(dir, 'pods', 'ns_pod_1', 'app'), { recursive: true });
    // Files present before the start.
    sh(`cd ${dir}; ${seq('rename', 0, 99)} > rename/app.log; ${seq('copytruncate', 0, 99)} > copytruncate/app.log; ${seq('truncate', 0, 49)} > truncate/app.log`);
    sh(`cd ${dir}; ${seq('rewrite', 0, 9)} > rewrite/app.log; ${seq('deleted', 0, 29999)} > deleted/app.log; ${seq('restart', 0, 99)} > restart/app.log`);
    sh(`cd ${dir}; ${seq('symlink', 0, 9)} > pods/ns_pod_1/app/0.log; ln -s ${dir}/pods/ns_pod_1/app/0.log symlink/pod_ns_app-1.log`);
    config = writeConfig(
      dir,
      `data_dir: ${dir}/data
api: { enabled: false }
sources:
  logs:
    type: file
    include: ["${dir}/{rename,copytruncate,truncate,rewrite,deleted,late,restart}/*.log", "${dir}/symlink/*.log", "${dir}/gzip/*.gz"]
    scan_interval: 100ms
    eof_timeout: 500ms
    checkpoint_interval: 50ms
    read_buffer: 4KiB
    path_field: file
sinks:
  files:
    type: file
    inputs: [logs]
    path: ${out}/events.ndjson
    batch:
      timeout: 20ms
`,
    );
    sluice = start();
    await eventually(() => (messagesOf('rename').length > 0 ? true : undefined), 20_000, 'the first lines');
  }, 30_000);

  afterAll(async () => {
    if (sluice.child.exitCode === null) await stop(sluice);
    killLeftovers();
  });

  it('rotation by mv + create: the renamed file is read to its end, then the new one', async () => {
    await expectExactly('rename', seqLines('rename', 0, 99));
    sh(`cd ${dir}/rename; ${seq('rename', 100, 149)} >> app.log; mv app.log app.log.1; ${seq('rename', 150, 159)} >> app.log.1; ${seq('rename', 1000, 1019)} > app.log`);
    await expectExactly('rename', [...seqLines('rename', 0, 159), ...seqLines('rename', 1000, 1019)]);
  }, 30_000);

  it('copytruncate: cp then truncate -s 0, then new lines', async () => {
    await expectExactly('copytruncate', seqLines('copytruncate', 0, 99));
    sh(`cd ${dir}/copytruncate; cp app.log app.log.1; truncate -s 0 app.log; sleep 0.3; ${seq('copytruncate', 100, 119)} >> app.log`);
    await expectExactly('copytruncate', seqLines('copytruncate', 0, 119));
  }, 30_000);

  it('truncate -s 0 then appends: read again from 0', async () => {
    await expectExactly('truncate', seqLines('truncate', 0, 49));
    sh(`cd ${dir}/truncate; truncate -s 0 app.log; sleep 0.3; ${seq('truncate', 50, 59)} >> app.log`);
    await expectExactly('truncate', seqLines('truncate', 0, 59));
  }, 30_000);

  it('truncate then rewrite to a larger size (same inode): the new content from 0', async () => {
    await expectExactly('rewrite', seqLines('rewrite', 0, 9));
    sh(`cd ${dir}/rewrite; ${seq('rewrite', 100, 199)} > app.log`);
    await expectExactly('rewrite', [...seqLines('rewrite', 0, 9), ...seqLines('rewrite', 100, 199)]);
  }, 30_000);

  it('a file deleted (rm) while being read is read to its end', async () => {
    await eventually(() => (messagesOf('deleted').length > 0 ? true : undefined), 20_000, 'the first deleted lines');
    sh(`rm ${dir}/deleted/app.log`);
    await expectExactly('deleted', seqLines('deleted', 0, 29999));
  }, 60_000);

  it('a symlinked path (ln -s, Kubernetes style) is tailed under its symlink name', async () => {
    await expectExactly('symlink', seqLines('symlink', 0, 9));
    sh(`${seq('symlink', 10, 14)} >> ${dir}/pods/ns_pod_1/app/0.log`);
    await expectExactly('symlink', seqLines('symlink', 0, 14));
    expect(readEvents(out).find((event) => event.message === 'symlink-0')?.file).toBe(`${dir}/symlink/pod_ns_app-1.log`);
  }, 30_000);

  it('a rotated file compressed with gzip is read once', async () => {
    sh(`cd ${dir}/gzip; ${seq('gzip', 0, 4999)} > app.log.1; gzip app.log.1`);
    await expectExactly('gzip', seqLines('gzip', 0, 4999));
  }, 30_000);

  it('a file that appears after start is read from its beginning', async () => {
    sh(`${seq('late', 0, 9)} > ${dir}/late/new.log`);
    await expectExactly('late', seqLines('late', 0, 9));
  }, 30_000);

  it('restart: stop sluice, append, start again: resumes exactly at the checkpoint', async () => {
    await expectExactly('restart', seqLines('restart', 0, 99));
    await stop(sluice);
    sh(`${seq('restart', 100, 199)} >> ${dir}/restart/app.log`);
    sluice = start();
    await expectExactly('restart', seqLines('restart', 0, 199));
    sh(`${seq('restart', 200, 209)} >> ${dir}/restart/app.log`);
    await expectExactly('restart', seqLines('restart', 0, 209));
    // Nothing else was read twice across the restart either.
    for (const prefix of ['rename', 'copytruncate', 'truncate', 'symlink', 'gzip']) expect(new Set(messagesOf(prefix)).size).toBe(messagesOf(prefix).length);
  }, 60_000);
});
