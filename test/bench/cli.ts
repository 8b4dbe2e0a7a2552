import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ProbeReport } from './cli-probe';

/** The built CLI, as `npx sluice` runs it. */
const CLI_MAIN = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
const PROBE = join(__dirname, 'cli-probe.js');
/**
 * Node's arguments for a measured CLI run: the production launch line (npm start, the
 * Dockerfile, the systemd unit all pass `--max-semi-space-size=32`), plus the probe that
 * reports the run's figures.
 */
export const CLI_NODE_ARGS: readonly string[] = ['--max-semi-space-size=32', '--require', PROBE, CLI_MAIN];
/** stderr kept for an error message: the end is what explains a failure. */
const STDERR_TAIL_BYTES = 16 * 1024;

/** How the input file reaches the CLI's stdin. */
export type StdinFeed =
  /** `sluice run < file`: stdin is the file itself. */
  | 'redirect'
  /** `cat file | sluice run`: stdin is a pipe. */
  | 'pipe';

/** The totals of the CLI's closing `sluice stopped` log line. */
export interface StopSummary {
  readonly outcome: string;
  readonly elapsed_ms: number;
  readonly read: number;
  readonly delivered: number;
  readonly errors: number;
  readonly discarded: number;
  readonly ack_failures: number;
}

/** One CLI run: the whole process's wall time (start-up included, as Fluent Bit is timed), CPU and RSS. */
export interface CliRun {
  readonly durationMs: number;
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  /** CPU of the process the bench started alone: under `workers: N` the primary (stdin forwarding), else the same as cpuMs. */
  readonly ownCpuMs: number;
  /** Worker processes that reported (0 for a single process). */
  readonly workers: number;
  readonly summary: StopSummary;
  /** The run's temporary directory (`data_dir`); removed after `inspect` runs. */
  readonly dir: string;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  /** The pipeline's YAML, without `data_dir` and `api` (the run sets both). */
  readonly yaml: (dir: string) => string;
  readonly input: string;
  readonly feed: StdinFeed;
  /** Checks the run's output before its directory is removed. */
  readonly inspect?: (run: CliRun) => void;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? null : code));
  });
}

/**
 * The totals of the CLI's `sluice stopped` lines (pino output on stderr): one for a single
 * process, one per worker under `workers: N` (counts summed, the slowest worker's elapsed).
 */
function stopSummary(stderr: string): StopSummary | undefined {
  const stops = stderr
    .split('\n')
    .filter((line) => line.includes('"sluice stopped"'))
    .map((line) => JSON.parse(line) as StopSummary);
  if (stops.length === 0) return undefined;
  const sum = (key: 'read' | 'delivered' | 'errors' | 'discarded' | 'ack_failures'): number => stops.reduce((total, stop) => total + stop[key], 0);
  const outcome = stops.every((stop) => stop.outcome === stops[0].outcome) ? stops[0].outcome : stops.map((stop) => stop.outcome).join(',');
  return {
    outcome,
    elapsed_ms: Math.max(...stops.map((stop) => stop.elapsed_ms)),
    read: sum('read'),
    delivered: sum('delivered'),
    errors: sum('errors'),
    discarded: sum('discarded'),
    ack_failures: sum('ack_failures'),
  };
}

/**
 * The probe reports of the process tree: the CLI's own, plus one per worker under
 * `workers: N`. CPU adds up; so does peak RSS, each process's own peak (an upper bound of
 * the tree's peak at any one moment, since the peaks need not coincide).
 */
function probeReports(probe: string): { total: ProbeReport; own: ProbeReport; workers: number } {
  const own = JSON.parse(readFileSync(probe, 'utf8')) as ProbeReport;
  const prefix = `${basename(probe)}.worker-`;
  const workers = readdirSync(dirname(probe))
    .filter((name) => name.startsWith(prefix))
    .map((name) => JSON.parse(readFileSync(join(dirname(probe), name), 'utf8')) as ProbeReport);
  const all = [own, ...workers];
  return { own, workers: workers.length, total: { cpuMs: all.reduce((sum, r) => sum + r.cpuMs, 0), peakRssMiB: all.reduce((sum, r) => sum + r.peakRssMiB, 0) } };
}

/**
 * Runs `node dist/src/cli/main.js run -c <yaml>` with `input` on stdin, the way a user runs
 * it, in a temporary `data_dir` with the API off; resolves once the process has exited.
 * Fails unless it exits 0 and prints its closing summary.
 */
export async function runCli(options: CliOptions): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cli-'));
  try {
    const config = join(dir, 'pipeline.yaml');
    const probe = join(dir, 'probe.json');
    writeFileSync(config, `data_dir: ${JSON.stringify(dir)}\napi:\n  enabled: false\n${options.yaml(dir)}`);
    const started = performance.now();
    let feeder: ChildProcess | undefined;
    let stdin: number | NonNullable<ChildProcess['stdout']>;
    if (options.feed === 'pipe') {
      feeder = spawn('cat', [options.input], { stdio: ['ignore', 'pipe', 'inherit'] });
      stdin = feeder.stdout as NonNullable<ChildProcess['stdout']>;
    } else {
      stdin = openSync(options.input, 'r');
    }
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, 'run', '-c', config], {
      stdio: [stdin, 'ignore', 'pipe'],
      env: { ...process.env, SLUICE_BENCH_PROBE: probe },
    });
    // The child holds its own copy of the descriptor now.
    if (typeof stdin === 'number') closeSync(stdin);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
    });
    const [code] = await Promise.all([exited(child), feeder ? exited(feeder) : Promise.resolve(0)]);
    const durationMs = performance.now() - started;
    const summary = stopSummary(stderr);
    if (code !== 0 || !summary) throw new Error(`sluice run exited with ${code ?? 'a signal'}; stderr ends:\n${stderr}`);
    const usage = probeReports(probe);
    const run: CliRun = { durationMs, cpuMs: usage.total.cpuMs, peakRssMiB: usage.total.peakRssMiB, ownCpuMs: usage.own.cpuMs, workers: usage.workers, summary, dir };
    options.inspect?.(run);
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
