/**
 * The contract between the bench runner and one scenario file, and the small helpers
 * scenarios share (scaling, timing, checking).
 */

/** What one timed run of a scenario measured. */
export interface Measurement {
  /** Events that went through (the sink's count, checked against what was expected). */
  readonly events: number;
  /** Payload bytes the MiB/s figure is computed from; `bytesBasis` says which bytes. */
  readonly bytes: number;
  /** Wall time of the timed section. */
  readonly durationMs: number;
  /** User + system CPU time of the process during the timed section: steadier than wall time on a shared machine. */
  readonly cpuMs: number;
  /** End-to-end latency from event creation to delivery, when the scenario samples it. */
  readonly latencyMs?: { readonly p50: number; readonly p99: number; readonly samples: number };
  /**
   * Peak RSS of the process that did the work, when that is not the bench child itself
   * (a CLI scenario measures the `sluice` process it spawned).
   */
  readonly peakRssMiB?: number;
  /** Further named figures a scenario measures (event-loop delay, probe latency...), listed under the table. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** One named benchmark: an untimed setup, then one timed run in a fresh process. */
export interface Scenario {
  readonly name: string;
  /** One line for the table's legend: what flows where. */
  readonly description: string;
  /** Which bytes MiB/s counts (e.g. "file bytes", "message bytes + newline"). */
  readonly bytesBasis: string;
  /**
   * Which of several runs is reported: the fastest (default), or, for a fixed-rate scenario,
   * the one with the lowest p99 latency.
   */
  readonly rankBy?: 'throughput' | 'latency';
  /**
   * Creates cached fixtures. Runs in the runner process, before any child, so the memory
   * it takes never counts toward a scenario's peak RSS.
   */
  prepare?(): void;
  /** In the child, before timing: open fixtures, warm the page cache. */
  setup?(): Promise<void>;
  run(): Promise<Measurement>;
}

/** What a child process reports back to the runner for one run. */
export interface RunResult extends Measurement {
  readonly scenario: string;
  /** `process.resourceUsage().maxRSS` at the end of the run (of the spawned process, for CLI scenarios), in MiB. */
  readonly peakRssMiB: number;
}

/** Message the child sends over IPC. */
export type ChildMessage = { readonly ok: true; readonly result: RunResult } | { readonly ok: false; readonly error: string };

/**
 * Multiplies a workload size by `SLUICE_BENCH_SCALE` (default 1): `SLUICE_BENCH_SCALE=0.1`
 * gives a quick smoke run with the same shapes.
 */
export function scaled(size: number): number {
  const raw = process.env.SLUICE_BENCH_SCALE;
  const factor = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!(factor > 0)) throw new RangeError(`SLUICE_BENCH_SCALE must be a positive number, got "${raw}"`);
  return Math.max(1, Math.round(size * factor));
}

/** Wall and CPU time of `work` in milliseconds, with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly durationMs: number; readonly cpuMs: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { value, durationMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Throws unless a run moved exactly the events it should have: a fast wrong answer is no result. */
export function expectEvents(name: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${name}: expected ${expected} events through the pipeline, counted ${actual}`);
}
