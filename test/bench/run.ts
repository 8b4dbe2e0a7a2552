/**
 * sluice's benchmark runner.
 *
 * Run it:
 *
 *     npm run bench                                  # every scenario, best of 2 runs
 *     npm run bench -- generator_to_blackhole        # only the named scenario(s)
 *     npm run bench -- --runs 3 file_json_to_blackhole
 *     npm run bench -- --cpu-prof generator_to_blackhole   # V8 profiles in bench-results/profiles
 *     node dist/test/bench/profile-summary.js bench-results/profiles/generator_to_blackhole-1.cpuprofile
 *     SLUICE_BENCH_SCALE=0.1 npm run bench           # a quick smoke run (10% of each workload)
 *
 * Every run of every scenario is a fresh child process (`child.ts`): the scenario's untimed
 * setup, then the timed run, then the child's peak RSS (`process.resourceUsage().maxRSS`)
 * and CPU time. Rounds are interleaved (all scenarios once, then all again) so a burst of
 * load from elsewhere on the machine does not land on every run of one scenario.
 *
 * Read the table:
 *
 * - **MiB/s** is payload bytes per wall second; each scenario says which bytes in the legend
 *   (file bytes for file scenarios, message bytes + newline for the generator).
 * - **events/s** is events delivered to the sink (the run fails unless every event arrived).
 * - **peak RSS MiB** is the whole child process, Node itself included (~45 MiB idle).
 * - **p50/p99 ms** is end-to-end latency, only where a scenario samples it.
 * - **CPU s** is user + system time of the child during the timed run: when it is well
 *   below `duration s`, the run waited (rate limit, timers, or other processes had the core).
 * - **MiB/CPU-s** is bytes per CPU second: what one core would do if the run never waited.
 *   On a busy machine it is the steadier figure for comparing single-threaded scenarios.
 * - The `baseline_*` rows are plain Node without sluice: the framework's cost is the gap
 *   between a sluice row and its baseline, on the same machine, in the same invocation.
 *
 * Reference figures (Fluent Bit, Vector, plain Node on 2 vCPU) are in DESIGN.md §5. Numbers
 * from a shared machine are noisy: compare rows of one invocation, not across machines.
 * Results: `bench-results/<timestamp>.json` (every run) and `bench-results/latest.md`.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { bestRun, currentLoad, extraLines, machine, markdownTable, writeReport, type BenchReport } from './report';
import { scaled, type ChildMessage, type RunResult, type Scenario } from './scenario';
import { SCENARIOS } from './scenarios';

const RESULTS_DIR = join(__dirname, '..', '..', '..', 'bench-results');

interface Cli {
  readonly names: readonly string[];
  readonly runs: number;
  readonly cpuProf: boolean;
}

function parseArgs(args: readonly string[]): Cli {
  const names: string[] = [];
  let runs = 2;
  let cpuProf = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--runs') runs = Number(args[++i]);
    else if (arg.startsWith('--runs=')) runs = Number(arg.slice('--runs='.length));
    else if (arg === '--cpu-prof') cpuProf = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}; options: --runs N, --cpu-prof`);
    else names.push(arg);
  }
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive integer');
  const unknown = names.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
  return { names: names.length > 0 ? names : Object.keys(SCENARIOS), runs, cpuProf };
}

/** Runs one scenario once in a fresh process and returns what it measured. */
function runChild(name: string, round: number, cpuProf: boolean): Promise<RunResult> {
  const execArgv = cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`, `--cpu-prof-name=${name}-${round}.cpuprofile`]
    : [];
  return new Promise((resolve, reject) => {
    let answer: ChildMessage | undefined;
    const child = fork(join(__dirname, 'child.js'), [name], { execArgv, stdio: 'inherit' });
    child.on('message', (message: ChildMessage) => (answer = message));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer?.ok) resolve(answer.result);
      else if (answer) reject(new Error(answer.error));
      else reject(new Error(`child exited with ${signal ?? `code ${code}`} before reporting`));
    });
  });
}

async function main(): Promise<number> {
  const cli = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const loadBefore = currentLoad();
  const scenarios: Scenario[] = [];
  for (const name of cli.names) scenarios.push(await SCENARIOS[name]());
  for (const scenario of scenarios) scenario.prepare?.();

  const runs = new Map<string, RunResult[]>(scenarios.map((s) => [s.name, []]));
  const errors = new Map<string, string[]>(scenarios.map((s) => [s.name, []]));
  for (let round = 1; round <= cli.runs; round++) {
    for (const scenario of scenarios) {
      process.stderr.write(`run ${round}/${cli.runs} ${scenario.name} ... `);
      try {
        const result = await runChild(scenario.name, round, cli.cpuProf);
        runs.get(scenario.name)?.push(result);
        process.stderr.write(`${(result.durationMs / 1000).toFixed(2)} s, ${Math.round(result.events / (result.durationMs / 1000))} ev/s\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.get(scenario.name)?.push(message);
        process.stderr.write(`FAILED\n${message}\n`);
      }
    }
  }

  const report: BenchReport = {
    startedAt,
    machine: machine(),
    loadAverage: { before: loadBefore, after: currentLoad() },
    runsPerScenario: cli.runs,
    scale: scaled(1e6) / 1e6,
    scenarios: scenarios.map((s) => {
      const all = runs.get(s.name) ?? [];
      return { name: s.name, description: s.description, bytesBasis: s.bytesBasis, best: bestRun(s, all), runs: all, errors: errors.get(s.name) ?? [] };
    }),
  };
  const file = writeReport(RESULTS_DIR, report);
  const extras = extraLines(report);
  console.log(`\n${markdownTable(report)}\n${extras.length > 0 ? `\n${extras.join('\n')}\n` : ''}`);
  console.log(`Best of ${cli.runs} run(s), load average ${report.loadAverage.before} → ${report.loadAverage.after}. Written: ${file}, bench-results/latest.md`);
  return report.scenarios.some((s) => s.errors.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
