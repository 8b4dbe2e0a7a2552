import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built CLI: these tests drive exactly what `npm start` and the `sluice` bin run. */
export const CLI = resolve(__dirname, '../../dist/src/cli/main.js');
export const ROOT = resolve(__dirname, '../..');

/** Fails the suite with the fix, instead of a confusing spawn error, when dist is stale or missing. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm test\` builds before running jest).`);
}

const tempDirs: string[] = [];

/** A fresh temporary directory for one test's configs and output (removed by {@link removeTempDirs}). */
export function tempDir(prefix = 'sluice-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory {@link tempDir} made: 100k-event outputs add up across runs. */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes a YAML config into `dir` and returns its path. */
export function writeConfig(dir: string, text: string, name = 'pipeline.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** How a CLI process ended, with everything it wrote. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process whose output is collected as it arrives. */
export interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

/** Options of {@link startCli}. */
export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run this through `bash -c` instead of the CLI arguments (a real shell pipeline). */
  readonly shell?: string;
  /** false: never read the child's stdout, so its pipe fills and writes to it stall. */
  readonly readStdout?: boolean;
}

const children = new Set<ChildProcess>();

/** SIGKILLs every CLI a test started and left running (a failed assertion must not leak processes). */
export function killLeftovers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** Spawns `node dist/src/cli/main.js ...args` (or `bash -c` when given a shell command). */
export function startCli(args: readonly string[], options: StartOptions = {}): Running {
  const env = { ...process.env, ...options.env };
  const child = options.shell
    ? spawn('bash', ['-c', options.shell], { cwd: options.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  if (options.readStdout === false) child.stdout?.pause();
  else child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((done, fail) => {
    child.once('error', fail);
    // An unread stdout would hold 'close' back forever: drop it once the process is gone.
    child.once('exit', () => options.readStdout === false && child.stdout?.destroy());
    child.once('close', (code, signal) => {
      children.delete(child);
      done({ code, signal, stdout: out, stderr: err });
    });
  });
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: StartOptions = {}): Promise<Exit> {
  const running = startCli(args, options);
  running.child.stdin?.end();
  return running.exited;
}

/** A port nobody listens on right now: bind port 0, note what the OS chose, release it. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

/** Polls `check` every 50ms until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

/** Every file under `dir`, recursively (the file sink's path template makes date folders). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Complete NDJSON lines of every file under `dir`, parsed. */
export function readEvents(dir: string): Array<Record<string, unknown>> {
  return filesUnder(dir).flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

/** The sluice self-log line with message `msg` (pino NDJSON on stderr), parsed. */
export function logLine(stderr: string, msg: string): Record<string, unknown> | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.msg === msg) return entry;
  }
  return undefined;
}

/**
 * Checks that `sequences` is exactly 0..n-1, each once: nothing lost, nothing duplicated.
 * Returns a description of the first problem, or undefined.
 */
export function sequenceProblem(sequences: readonly unknown[]): string | undefined {
  const seen = new Uint8Array(sequences.length);
  for (const value of sequences) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= sequences.length) return `sequence ${String(value)} is outside 0..${sequences.length - 1}`;
    if (seen[value] === 1) return `sequence ${value} appears twice`;
    seen[value] = 1;
  }
  return undefined;
}
