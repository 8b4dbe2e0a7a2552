import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsShape } from '../../src/graph/settings';
import { eventually, freePort, logLine, removeTempDirs, ROOT, tempDir } from './cli-harness';
import { copy, envPairs, execForm, parseDockerfile } from './dockerfile';

/**
 * There is no Docker on the machines that run these tests, so this runs what the image
 * build and start would run: every RUN of the build stages (npm ci from the lock file, the
 * TypeScript build), every COPY, then the ENTRYPOINT + CMD with the image's ENV, its
 * HEALTHCHECK command, and a SIGTERM to that node process, which is PID 1 in a container.
 * Not run: the runtime stage's RUN (it creates the data directory as the image's user) and
 * anything Docker itself does (base image pull, USER switch, layer caching).
 */
const DOCKERFILE = join(ROOT, 'config/deploy/Dockerfile');
const UNIT = join(ROOT, 'config/deploy/sluice.service');
const WORKDIR = '/app';

afterAll(removeTempDirs);

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`RUN ${command} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** Builds the image's file tree without Docker; returns the runtime stage's directory and ENV. */
function buildWithoutDocker(): { dir: string; env: Record<string, string>; entrypoint: string[]; cmd: string[]; healthcheck: string[]; skipped: string[] } {
  const instructions = parseDockerfile(DOCKERFILE);
  const finalStage = instructions[instructions.length - 1].stage;
  const base = tempDir('sluice-image-');
  const stageDirs = new Map<string, string>();
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  for (const { stage, op, args } of instructions) {
    const dir = stageDirs.get(stage) ?? join(base, stage);
    if (!stageDirs.has(stage)) mkdirSync(dir, { recursive: true });
    stageDirs.set(stage, dir);
    if (op === 'WORKDIR') expect(args).toBe(WORKDIR);
    else if (op === 'COPY') copy(args, ROOT, stageDirs, dir, WORKDIR);
    else if (op === 'ENV' && stage === finalStage) Object.assign(env, envPairs(args));
    // prefer-offline: the lock pins every version and checksum, so npm's cache may answer
    // without asking the registry again (the same packages, a minute less).
    else if (op === 'RUN' && stage !== finalStage) run(args, dir, { ...process.env, npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' });
    else if (op === 'RUN') skipped.push(args);
    else if (op === 'ENTRYPOINT') entrypoint = execForm(args);
    else if (op === 'CMD') cmd = execForm(args);
    else if (op === 'HEALTHCHECK') healthcheck = execForm(args.replace(/^(--\S+\s+)*CMD\s+/, ''));
  }
  return { dir: stageDirs.get(finalStage) as string, env, entrypoint, cmd, healthcheck, skipped };
}

describe('config/deploy/Dockerfile, built and started without Docker', () => {
  it('builds from the lock file, runs as node PID 1 with production dependencies only, passes its health check and drains on SIGTERM', async () => {
    const image = buildWithoutDocker();
    expect(image.skipped).toEqual(['mkdir -p /home/node/data']);
    expect(existsSync(join(image.dir, 'node_modules/typescript'))).toBe(false); // no compiler in the image
    expect(existsSync(join(image.dir, 'src'))).toBe(false);
    expect(image.entrypoint[0]).toBe('node'); // exec form, node itself: signals reach sluice

    const port = await freePort();
    const data = tempDir('sluice-image-data-');
    // The image's ENV, with the data directory and the API address moved into this test's reach.
    const env = { PATH: process.env.PATH, ...image.env, SLUICE_DATA_DIR: data, SLUICE_API_ADDRESS: `127.0.0.1:${port}`, SLUICE_HTTP_ADDRESS: '127.0.0.1:0', SLUICE_GRPC_ADDRESS: '127.0.0.1:0' };
    const [command, ...args] = [...image.entrypoint, ...image.cmd];
    const node = spawn(command, args, { cwd: image.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    node.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => node.once('exit', (code) => done(code)));
    try {
      const [check, ...checkArgs] = image.healthcheck;
      await eventually(() => (spawnSync(check, checkArgs, { env, timeout: 5_000 }).status === 0 ? true : undefined), 30_000, `the HEALTHCHECK to pass; stderr:\n${stderr}`);
      await eventually(() => (existsSync(join(data, 'logs')) ? true : undefined), 30_000, 'the default pipeline to write under SLUICE_DATA_DIR');
      node.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(logLine(stderr, 'sluice stopped')).toMatchObject({ outcome: 'drained' });
      expect(stderr.split('\n').filter((line) => line.length > 0 && !line.includes('"level":30'))).toEqual([]);
    } finally {
      node.kill('SIGKILL');
    }
  }, 600_000);
});

describe('config/deploy/sluice.service', () => {
  const unit = readFileSync(UNIT, 'utf8');
  const setting = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];

  it('stops node with SIGTERM and waits longer than the default shutdown_timeout before SIGKILL', () => {
    expect(setting('KillSignal')).toBe('SIGTERM');
    const stopSeconds = Number(/^(\d+)s$/.exec(setting('TimeoutStopSec') ?? '')?.[1]);
    const drainSeconds = (settingsShape.shutdown_timeout.doc.default as number) / 1000;
    expect(stopSeconds).toBeGreaterThan(drainSeconds);
  });

  it('runs node itself (no npm, no shell) and validates the config first', () => {
    expect(setting('ExecStart')).toMatch(/^\/usr\/bin\/node (--max-semi-space-size=32 )?\S+\/dist\/src\/cli\/main\.js run -c \S+$/);
    expect(setting('ExecStartPre')).toMatch(/^\/usr\/bin\/node \S+\/dist\/src\/cli\/main\.js validate -c \S+$/);
    expect(setting('RestartPreventExitStatus')).toBe('2');
  });

  it('passes systemd-analyze verify', () => {
    const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    if (verify.error) throw new Error(`systemd-analyze is not installed (apt-get install systemd): ${verify.error.message}`);
    expect({ status: verify.status, output: `${verify.stdout}${verify.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  });
});
