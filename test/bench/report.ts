import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { RunResult, Scenario } from './scenario';

const MIB = 1024 * 1024;

/** Everything one `npm run bench` measured: every run, and the one reported per scenario. */
export interface BenchReport {
  readonly startedAt: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryMiB: number; readonly node: string };
  /** 1-minute load average before and after: how busy the (shared) machine was. */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly runsPerScenario: number;
  /** `SLUICE_BENCH_SCALE`: 1 is the full workloads the reference figures are for. */
  readonly scale: number;
  readonly scenarios: ReadonlyArray<{
    readonly name: string;
    readonly description: string;
    readonly bytesBasis: string;
    readonly best?: RunResult;
    readonly runs: readonly RunResult[];
    readonly errors: readonly string[];
  }>;
}

/** The machine the numbers come from. */
export function machine(): BenchReport['machine'] {
  const cores = cpus();
  return { cpu: cores[0]?.model ?? 'unknown', cores: cores.length, memoryMiB: Math.round(totalmem() / MIB), node: process.version };
}

export function currentLoad(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

/** The run reported for a scenario: the fastest, or the lowest p99 for fixed-rate ones. */
export function bestRun(scenario: Scenario, runs: readonly RunResult[]): RunResult | undefined {
  const score = (run: RunResult): number =>
    scenario.rankBy === 'latency' ? -(run.latencyMs?.p99 ?? Number.POSITIVE_INFINITY) : run.events / run.durationMs;
  return runs.reduce<RunResult | undefined>((best, run) => (best === undefined || score(run) > score(best) ? run : best), undefined);
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');

/** The markdown table: one row per scenario, its reported run. */
export function markdownTable(report: BenchReport): string {
  const rows = [
    '| scenario | MiB/s | events/s | peak RSS MiB | p50 ms | p99 ms | duration s | CPU s | MiB/CPU-s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const entry of report.scenarios) {
    const run = entry.best;
    if (!run) {
      rows.push(`| ${entry.name} | failed | | | | | | | |`);
      continue;
    }
    const seconds = run.durationMs / 1000;
    rows.push(
      `| ${entry.name} | ${fixed(run.bytes / MIB / seconds, 1)} | ${thousands(run.events / seconds)} | ${fixed(run.peakRssMiB, 0)} | ` +
        `${run.latencyMs ? fixed(run.latencyMs.p50, 1) : ''} | ${run.latencyMs ? fixed(run.latencyMs.p99, 1) : ''} | ` +
        `${fixed(seconds, 2)} | ${fixed(run.cpuMs / 1000, 2)} | ${fixed(run.bytes / MIB / (run.cpuMs / 1000), 1)} |`,
    );
  }
  return rows.join('\n');
}

/** One line per scenario whose reported run measured further figures (`extra`), e.g. event-loop delay. */
export function extraLines(report: BenchReport): string[] {
  return report.scenarios.flatMap((s) => {
    const extra = s.best?.extra;
    if (!extra || Object.keys(extra).length === 0) return [];
    return [`- ${s.name}: ${Object.entries(extra).map(([key, value]) => `${key} ${fixed(value, Number.isInteger(value) ? 0 : 2)}`).join(', ')}`];
  });
}

/** The table with its legend: what each scenario does, which bytes MiB/s counts, and where it ran. */
export function markdownReport(report: BenchReport): string {
  const { machine: m, loadAverage } = report;
  const legend = report.scenarios.map((s) => `- **${s.name}**: ${s.description}. MiB/s counts ${s.bytesBasis}.`);
  const errors = report.scenarios.flatMap((s) => s.errors.map((error) => `- ${s.name}: ${error.split('\n')[0]}`));
  const extras = extraLines(report);
  return [
    `# sluice bench, ${report.startedAt}`,
    '',
    markdownTable(report),
    '',
    `Best of ${report.runsPerScenario} run(s) per scenario, each in a fresh process${report.scale === 1 ? '' : `, workloads scaled ×${report.scale}`}. ${m.cores} × ${m.cpu}, ${m.memoryMiB} MiB, Node ${m.node}; ` +
      `load average ${loadAverage.before} before, ${loadAverage.after} after (the machine may be shared: compare runs made side by side).`,
    '',
    ...legend,
    ...(extras.length > 0 ? ['', 'Further figures (reported run):', ...extras] : []),
    ...(errors.length > 0 ? ['', 'Failures:', ...errors] : []),
    '',
  ].join('\n');
}

/** Writes `<dir>/<timestamp>.json` and `<dir>/latest.md`; returns the JSON file's path. */
export function writeReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.md'), markdownReport(report));
  return file;
}
