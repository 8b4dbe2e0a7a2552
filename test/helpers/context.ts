import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, Subject } from 'rxjs';
import { Ack, type AckListener } from '../../src/core/ack';
import { Credit, type CreditLimits } from '../../src/core/credit';
import { HealthBoard } from '../../src/core/health';
import type { ComponentContext, ComponentKind, SourceContext } from '../../src/components/context';
import type { ComponentDefinition } from '../../src/components/define';
import { fullShape } from '../../src/components/shapes';
import { IssueCollector, object } from '../../src/config/schema';
import { silentLogger } from '../../src/observability/logger';
import { PipelineMetrics } from '../../src/observability/metrics';

/** A component context plus the handles a test inspects. */
export interface TestContext extends ComponentContext {
  /** The registry the context's metrics live in (read it with {@link metricValue}). */
  readonly pipelineMetrics: PipelineMetrics;
}

/** A source context plus the handles a test drives. */
export interface TestSourceContext extends SourceContext, TestContext {
  /** Signals `stopping`, as the runtime does when the pipeline is asked to stop. */
  stop(): void;
  /** Every ack handed out by `track()`, in order. */
  readonly issued: Ack[];
}

/**
 * A component context like the runtime's (src/graph/contexts.ts) with no graph around it:
 * fresh metrics registry, silent logger, `asyncScheduler`, a fresh temporary data directory,
 * and hooks wired to the metrics (`callback` errors, `filtered` discards).
 */
export function testContext(overrides: Partial<ComponentContext> & { kind?: ComponentKind } = {}): TestContext {
  const pipelineMetrics = new PipelineMetrics();
  const id = overrides.id ?? 'test';
  const type = overrides.type ?? 'test';
  const kind = overrides.kind ?? 'transform';
  const metrics = pipelineMetrics.component({ component_id: id, component_type: type, component_kind: kind });
  return {
    id,
    type,
    kind,
    scheduler: asyncScheduler,
    metrics,
    logger: silentLogger(),
    dataDir: mkdtempSync(join(tmpdir(), 'sluice-test-')),
    hooks: {
      onError: () => metrics.error('callback'),
      onDiscard: (count) => metrics.discard('filtered', count),
    },
    health: new HealthBoard().register(id),
    pipelineMetrics,
    ...overrides,
  };
}

/**
 * A source context with its own credit (`limits`, generous by default), a `stopping` signal
 * the test fires with `stop()`, and `track()` as the runtime builds it: credit is acquired
 * per batch and returned when the batch's ack settles.
 */
export function testSourceContext(limits: Partial<CreditLimits> = {}, overrides: Partial<ComponentContext> = {}): TestSourceContext {
  const base = testContext({ kind: 'source', ...overrides });
  const credit = new Credit({ maxEvents: limits.maxEvents ?? 1_000_000, maxBytes: limits.maxBytes ?? 1024 ** 3 });
  const stopping = new Subject<void>();
  const issued: Ack[] = [];
  const track = (events: number, bytes: number, onSettled?: AckListener): Ack => {
    credit.acquire(events, bytes);
    const ack = Ack.create((outcome) => {
      credit.release(events, bytes);
      if (!outcome.ok) base.metrics.ackFailures.inc();
      onSettled?.(outcome);
    });
    issued.push(ack);
    return ack;
  };
  return {
    ...base,
    credit,
    stopping: stopping.asObservable(),
    track,
    issued,
    stop: () => {
      stopping.next();
      stopping.complete();
    },
  };
}

/** The current value of a counter or gauge in `metrics`, summed over series matching `labels`. */
export async function metricValue(metrics: PipelineMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric named ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => (value.labels as Record<string, unknown>)[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/** What validating `input` against a definition's full option shape reports, as `path: message` lines. */
export function configIssues(definition: ComponentDefinition, input: unknown): string[] {
  const issues = new IssueCollector();
  object(fullShape(definition), { description: definition.summary }).parse(input, [], issues);
  return issues.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/**
 * Validates `input` through the real config parser (defaults applied, common options of the
 * kind included) and returns what the definition's `create` receives; throws on any issue.
 */
export function parseConfig<D extends ComponentDefinition>(definition: D, input: unknown): Parameters<D['create']>[0] {
  const issues = new IssueCollector();
  const config = object(fullShape(definition), { description: definition.summary }).parse(input, [], issues);
  if (issues.issues.length > 0) throw new Error(`invalid ${definition.type} config: ${configIssues(definition, input).join('; ')}`);
  return config as Parameters<D['create']>[0];
}
