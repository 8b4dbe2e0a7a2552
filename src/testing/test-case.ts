import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/errors';
import type { LogEvent } from '../core/event';
import type { ComponentRegistry } from '../components/registry';
import { PipelineValidationError } from '../graph/pipeline';
import { compileCondition } from '../../operators/transform/conditions';
import type { InputFeed, InputBatch } from './memory-source';
import { diffEvents, formatDifferences } from './event-diff';
import { runPipeline, type PipelineRun } from './pipeline-harness';
import { ScriptedSink } from './scripted-sink';
import type { EventLike } from './event-like';
import { asCondition, type OutputExpectation, type SinkScript, type TestCase, type TestFile } from './test-file';

/** How one case of a test file went. */
export interface CaseResult {
  readonly name: string;
  readonly file: string;
  readonly passed: boolean;
  /** Readable failure lines (empty when it passed). */
  readonly failures: readonly string[];
  /** Real time the case took, in ms. */
  readonly durationMs: number;
  /** Virtual time the pipeline ran, in ms. */
  readonly virtualMs: number;
}

type Feed = { fixture?: string; events: EventLike[] };

function feeds(test: TestFile, testCase: TestCase): Record<string, InputFeed> {
  const batches = new Map<string, InputBatch[]>();
  const add = (at: number, inputs: Record<string, Feed>): void => {
    for (const [name, feed] of Object.entries(inputs)) {
      const events = [...(feed.fixture ? test.fixtureLines(feed.fixture) : []), ...feed.events];
      batches.set(name, [...(batches.get(name) ?? []), { at, events }]);
    }
  };
  add(0, testCase.inputs as Record<string, Feed>);
  for (const step of testCase.steps) add(step.at, step.inputs as Record<string, Feed>);
  return Object.fromEntries([...batches].map(([name, list]) => [name, { batches: list, endAt: testCase.end_at }]));
}

function scriptedSink(script: SinkScript): ScriptedSink {
  const sink = new ScriptedSink();
  if (script.fail_next > 0) sink.failNext(script.fail_next, { retryable: script.retryable ?? true });
  for (const condition of script.fail_events ?? []) sink.failEvents(asCondition(condition), { retryable: script.retryable ?? false, times: script.fail_times });
  if (script.respond_after > 0) sink.respondAfter(script.respond_after);
  return sink;
}

function checkOutput(name: string, expected: OutputExpectation, got: readonly LogEvent[], where: string): string[] {
  const failures: string[] = [];
  const head = `output "${name}" (${where})`;
  if (expected.none && got.length > 0) failures.push(`${head}: expected no events, got ${got.length}; first: ${JSON.stringify(got[0])}`);
  if (expected.count !== undefined && got.length !== expected.count) failures.push(`${head}: expected ${expected.count} event(s), got ${got.length}`);
  if (expected.events) {
    const differences = diffEvents(expected.events as LogEvent[], got, expected.ignore_fields);
    if (differences.length > 0) failures.push(`${head}: events differ (expected ${expected.events.length}, got ${got.length}):\n${formatDifferences(differences, '    ')}`);
  }
  (expected.conditions ?? []).forEach((condition, index) => {
    const test = compileCondition(asCondition(condition), `conditions.${index}`);
    const field = asCondition(condition).field;
    got.forEach((event, position) => {
      if (!test(event)) failures.push(`${head}: event ${position} does not meet conditions.${index} ${JSON.stringify(condition)}: ${field} is ${JSON.stringify(fieldOf(event, field)) ?? '(absent)'}`);
    });
  });
  return failures;
}

function fieldOf(event: LogEvent, path: string): unknown {
  let value: unknown = event;
  for (const segment of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
  return value;
}

/**
 * Counts that differ from what the case allows: any count not stated must be zero. `reasons`
 * (dropped events by reason) says why, so an unexpected drop points at its cause.
 */
function checkCounts(what: string, allowed: Readonly<Record<string, number>>, got: Readonly<Record<string, number>>, reasons: Readonly<Record<string, Readonly<Record<string, number>>>> = {}): string[] {
  const names = new Set([...Object.keys(allowed), ...Object.keys(got)]);
  return [...names]
    .filter((name) => (allowed[name] ?? 0) !== (got[name] ?? 0))
    .map((name) => {
      const why = Object.entries(reasons[name] ?? {}).map(([reason, count]) => `${reason}: ${count}`);
      const because = why.length > 0 ? ` [${why.join(', ')}]` : '';
      const hint = allowed[name] === undefined ? ` (state it under ${what.replace(/ .*/, '')}: if it is meant)` : '';
      return `${what} by "${name}": expected ${allowed[name] ?? 0}, got ${got[name] ?? 0}${because}${hint}`;
    });
}

function summed(table: Readonly<Record<string, Readonly<Record<string, number>>>>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([id, counts]) => [id, Object.values(counts).reduce((sum, n) => sum + n, 0)]));
}

/** Runs case `index` of `test` against the pipeline (parsed YAML data) and checks every expectation. */
export async function runTestCase(test: TestFile, index: number, pipeline: unknown, registry?: ComponentRegistry): Promise<CaseResult> {
  const testCase = test.cases[index];
  const started = Date.now();
  const where = (...path: Array<string | number>): string => test.locate(['tests', index, ...path]);
  const failures: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-test-case-'));
  let run: PipelineRun | undefined;
  try {
    const sinks = Object.fromEntries(Object.entries(testCase.sinks).map(([name, script]) => [name, scriptedSink(script)]));
    run = await runPipeline(pipeline, { inputs: feeds(test, testCase), sinks, registry, dataDir });
    if (!run.finished) failures.push(`the pipeline did not drain within 1 h of virtual time after its inputs ended: something still holds acks (a sink that never recovers, a buffer that never flushes)`);
    for (const [name, expected] of Object.entries(testCase.outputs)) failures.push(...checkOutput(name, expected, run.output(name), where('outputs', name)));
    failures.push(...checkCounts('dropped events', testCase.dropped, summed(run.counts.dropped), run.counts.dropped));
    failures.push(...checkCounts('dead_lettered events', testCase.dead_lettered, run.counts.deadLettered));
    failures.push(...checkCounts('failed batches', testCase.failed, run.counts.failedBatches));
    if (run.finished) for (const lost of run.acks.pending()) failures.push(`the ack of input batch ${lost.label} was never settled: a stage lost it`);
  } catch (error) {
    if (error instanceof PipelineValidationError) failures.push(`the pipeline is invalid:\n${error.errors.map((problem) => `    ${problem.format()}`).join('\n')}`);
    else if (error instanceof ConfigError) failures.push(`${where()}: ${error.message}`);
    else failures.push(`${where()}: ${(error as Error).message}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { name: testCase.name, file: test.file, passed: failures.length === 0, failures, durationMs: Date.now() - started, virtualMs: run?.elapsedMs ?? 0 };
}
