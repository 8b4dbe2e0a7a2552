/**
 * Preloaded (`node --require`) into the `sluice` process a CLI scenario spawns: at exit it
 * writes the process's own CPU time and peak RSS to the file named by
 * `SLUICE_BENCH_PROBE`. Node cannot read a child's resource usage, and this keeps the CLI
 * itself free of bench code.
 */
import { writeFileSync } from 'node:fs';

/** What the probe writes. */
export interface ProbeReport {
  readonly cpuMs: number;
  readonly peakRssMiB: number;
}

/**
 * Under `workers: N` the probe is preloaded into every worker too (cluster forks with the
 * primary's execArgv): each worker writes beside the primary's file, named by its pid so a
 * restarted worker adds its own report, and the bench sums them (see cli.ts).
 */
export function probeFile(target: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.SLUICE_WORKER_INDEX === undefined ? target : `${target}.worker-${process.pid}`;
}

const target = process.env.SLUICE_BENCH_PROBE;
if (target) {
  const file = probeFile(target);
  process.once('exit', () => {
    const cpu = process.cpuUsage();
    // maxRSS is in KiB on Linux and macOS.
    const report: ProbeReport = { cpuMs: (cpu.user + cpu.system) / 1000, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
    writeFileSync(file, JSON.stringify(report));
  });
}
