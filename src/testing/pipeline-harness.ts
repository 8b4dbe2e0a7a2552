import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEvent } from '../core/event';
import { builtinRegistry } from '../components/builtins';
import type { ComponentRegistry } from '../components/registry';
import { Pipeline, PipelineValidationError } from '../graph/pipeline';
import { validateGraph } from '../graph/validate';
import { PipelineMetrics } from '../observability/metrics';
import { silentLogger, type Logger } from '../observability/logger';
import { AckLedger, type AckRecord } from './ack-ledger';
import { toFeed, type InputFeed, type InputLike } from './memory-source';
import { ScriptedSink } from './scripted-sink';
import { swapEdges } from './swap-components';
import { VirtualClock } from './virtual-clock';

/** Options of {@link runPipeline}. */
export interface PipelineTestOptions {
  /** What each source (by name) emits; a source not named emits nothing and ends at once. */
  readonly inputs?: Readonly<Record<string, InputLike>>;
  /** Scripted sinks by name; every other sink is a plain capturing {@link ScriptedSink}. */
  readonly sinks?: Readonly<Record<string, ScriptedSink>>;
  /** Registry holding the pipeline's types (your own beside sluice's); built-ins by default. */
  readonly registry?: ComponentRegistry;
  /** Where virtual time starts (epoch ms); 2026-01-01T00:00:00Z by default. */
  readonly epochMs?: number;
  /** Most virtual time the run may take after its last input ended before it is called stuck; 1 hour by default. */
  readonly horizonMs?: number;
  /** Where buffers and dead-letter queues keep state; a fresh temporary directory by default. */
  readonly dataDir?: string;
  readonly logger?: Logger;
}

/** Events counted per component (dropped on purpose or by policy, dead-lettered, errors). */
export interface PipelineCounts {
  /** Dropped events by component and reason (`filtered`, `when_full`, ...). */
  readonly dropped: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Events written to each sink's (or dead_letter transform's) dead-letter queue. */
  readonly deadLettered: Readonly<Record<string, number>>;
  /** Batches whose delivery failed for good, by source. */
  readonly failedBatches: Readonly<Record<string, number>>;
  /** Errors by component and error type. */
  readonly errors: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** What a pipeline run in virtual time did. */
export interface PipelineRun {
  /** False when the run did not drain within the horizon (something held its acks). */
  readonly finished: boolean;
  /** Virtual milliseconds the run took. */
  readonly elapsedMs: number;
  /** The acks of every fed batch, labelled `<source>#<n>` (n from 0 per source). */
  readonly acks: AckLedger;
  readonly counts: PipelineCounts;
  readonly metrics: PipelineMetrics;
  readonly dataDir: string;
  /** The events sink `name` delivered, in order. */
  output(name: string): LogEvent[];
  /** The sink that stood in for `name`: its sends, with their times and failures. */
  sink(name: string): ScriptedSink;
  /** The acks of the batches fed into source `name`, in feed order. */
  inputAcks(name: string): AckRecord[];
  /** Removes `dataDir` when the run made it (a `dataDir` you passed is yours to keep). */
  dispose(): void;
}

type Sample = { value: number; labels: Record<string, string | number | undefined> };

/** Sums a counter family's samples by component id and, when given, by a second label. */
async function tally(metrics: PipelineMetrics, name: string, by?: string): Promise<Record<string, Record<string, number>>> {
  const family = (await metrics.registry.getMetricsAsJSON()).find((metric) => metric.name === name);
  const out: Record<string, Record<string, number>> = {};
  for (const sample of (family?.values ?? []) as Sample[]) {
    if (sample.value === 0) continue;
    const component = String(sample.labels.component_id);
    const key = by === undefined ? 'total' : String(sample.labels[by]);
    (out[component] ??= {})[key] = (out[component][key] ?? 0) + sample.value;
  }
  return out;
}

const totals = (table: Record<string, Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(table).map(([id, counts]) => [id, Object.values(counts).reduce((sum, n) => sum + n, 0)]));

/**
 * Runs a pipeline spec (TypeScript `pipeline({...})` or parsed YAML) in virtual time: the
 * same graph `sluice run` builds, with every source swapped for an in-memory one and every
 * sink for a capturing {@link ScriptedSink}, by name. No listener is started and no external
 * sink is contacted. Batch timeouts, retry backoff, breaker resets and window closes run on a
 * {@link VirtualClock}: minutes of pipeline time take milliseconds.
 *
 * @example
 * const run = await runPipeline(spec, { inputs: { app: ['{"level":"error"}'] }, sinks: { search: new ScriptedSink().failNext(2) } });
 * expect(run.output('search')).toHaveLength(1);
 */
export async function runPipeline(spec: unknown, options: PipelineTestOptions = {}): Promise<PipelineRun> {
  const registry = options.registry ?? builtinRegistry();
  const { graph, issues } = validateGraph(spec, registry);
  if (!graph) throw new PipelineValidationError(issues);
  const inputs = options.inputs ?? {};
  for (const name of Object.keys(inputs)) {
    if (graph.nodes.get(name)?.kind !== 'source') throw new Error(`input "${name}" is not a source of the pipeline; sources: ${sourcesOf(graph.nodes)}`);
  }
  const clock = new VirtualClock(options.epochMs);
  const sinks = new Map<string, ScriptedSink>();
  for (const node of graph.nodes.values()) {
    if (node.kind === 'sink') sinks.set(node.id, (options.sinks?.[node.id] ?? new ScriptedSink()).useScheduler(clock.scheduler));
  }
  for (const name of Object.keys(options.sinks ?? {})) if (!sinks.has(name)) throw new Error(`scripted sink "${name}" is not a sink of the pipeline; sinks: ${[...sinks.keys()].join(', ')}`);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const ledger = new AckLedger(clock.scheduler);
  const swapped = swapEdges(spec as Record<string, unknown>, graph, { inputs, sinks, ledger, dataDir });
  const metrics = new PipelineMetrics();
  const pipeline = Pipeline.create(swapped, { registry, scheduler: clock.scheduler, metrics, logger: options.logger ?? silentLogger() });
  const inputsEnd = Math.max(0, ...Object.values(inputs).map((input) => lastMoment(toFeed(input))));
  const finished = await clock.runUntil(pipeline.run(), { horizonMs: inputsEnd + (options.horizonMs ?? 3_600_000) });
  // A run that did not drain is torn down: what it held is rejected, never left running.
  if (!finished) pipeline.abort();
  const [dropped, deadLettered, failedBatches, errors] = await Promise.all([
    tally(metrics, 'sluice_component_discarded_events_total', 'reason'),
    tally(metrics, 'sluice_component_dead_lettered_events_total'),
    tally(metrics, 'sluice_source_ack_failures_total'),
    tally(metrics, 'sluice_component_errors_total', 'error_type'),
  ]);
  const known = (name: string, kind: 'sink' | 'source'): void => {
    if (graph.nodes.get(name)?.kind !== kind) throw new Error(`"${name}" is not a ${kind} of the pipeline`);
  };
  return {
    finished,
    elapsedMs: clock.elapsedMs,
    acks: ledger,
    counts: { dropped, deadLettered: totals(deadLettered), failedBatches: totals(failedBatches), errors },
    metrics,
    dataDir,
    output(name) {
      known(name, 'sink');
      return [...(sinks.get(name) as ScriptedSink).delivered];
    },
    sink(name) {
      known(name, 'sink');
      return sinks.get(name) as ScriptedSink;
    },
    inputAcks(name) {
      known(name, 'source');
      return ledger.all().filter((record) => record.label.startsWith(`${name}#`));
    },
    dispose() {
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function sourcesOf(nodes: ReadonlyMap<string, { kind: string }>): string {
  return [...nodes].filter(([, node]) => node.kind === 'source').map(([id]) => id).join(', ');
}

/** When a feed's input ends: its `endAt`, or its last batch. */
function lastMoment(feed: InputFeed): number {
  return feed.endAt ?? Math.max(0, ...feed.batches.map((batch) => batch.at ?? 0));
}
