import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Batch } from '../core/batch';
import { HealthBoard } from '../core/health';
import { DELIVERED } from '../core/sink';
import { builtinRegistry } from '../components/builtins';
import type { TransformDefinition } from '../components/define';
import { instrumentTransform } from '../components/instrument';
import type { ComponentRegistry } from '../components/registry';
import { componentContext } from '../graph/contexts';
import { validateGraph } from '../graph/validate';
import { silentLogger, type Logger } from '../observability/logger';
import { PipelineMetrics } from '../observability/metrics';

/** Numbers the state directories of the stages built in this process. */
let stageCount = 0;

/** Options of {@link transformStage}. */
export interface TransformStageOptions {
  /** The clock the stage keeps time by: the scheduler `testStage` hands its operator. */
  readonly scheduler: SchedulerLike;
  /** Where its counters go (discarded events by reason, errors); a fresh set by default. */
  readonly metrics?: PipelineMetrics;
  /** Registry holding the type (your own components registered beside sluice's); built-ins by default. */
  readonly registry?: ComponentRegistry;
  /** The component's name in metrics and logs; `under_test` by default. */
  readonly id?: string;
  /** Where a stage keeps state (a disk buffer, a dead-letter queue); a fresh temporary directory by default. */
  readonly dataDir?: string;
  readonly logger?: Logger;
}

/**
 * A built-in transform by its YAML `type:` and options, exactly as a pipeline builds it:
 * the options go through the same validation (defaults applied, durations and sizes parsed,
 * every problem reported at once) and the stage gets the same component contract metrics.
 *
 * @example
 * const run = testStage({
 *   operator: (scheduler) => transformStage('filter', { conditions: [{ field: 'level', equals: 'error' }] }, { scheduler }),
 *   input: '-a-|',
 *   values: { a: [{ message: 'x', level: 'error' }, { message: 'y', level: 'info' }] },
 * });
 */
export function transformStage(type: string, config: Readonly<Record<string, unknown>>, options: TransformStageOptions): OperatorFunction<Batch, Batch> {
  const id = options.id ?? 'under_test';
  const registry = options.registry ?? builtinRegistry();
  // A one-transform graph, so the options are checked by the very code that checks pipelines.
  const spec = {
    sources: { input: { source: () => EMPTY } },
    transforms: { [id]: { ...config, type, inputs: ['input'] } },
    sinks: { output: { inputs: [id], sink: { send: async () => DELIVERED, close: async () => undefined } } },
  };
  const { graph, issues } = validateGraph(spec, registry);
  const node = graph?.nodes.get(id);
  if (!node || !node.definition) {
    const problems = issues.map((issue) => `  ${issue.path.slice(2).join('.') || type}: ${issue.message}`).join('\n');
    throw new Error(`transform "${type}" does not accept these options:\n${problems}`);
  }
  const metrics = options.metrics ?? new PipelineMetrics();
  const context = componentContext(node, {
    metrics,
    logger: options.logger ?? silentLogger(),
    scheduler: options.scheduler,
    // Only a stage that keeps state creates its directory (a disk buffer, a dead-letter queue).
    dataDir: options.dataDir ?? join(tmpdir(), `sluice-stage-${process.pid}-${(stageCount += 1)}`),
    health: new HealthBoard(),
  });
  const definition = node.definition as TransformDefinition;
  return instrumentTransform(definition.create(node.config, context), context.metrics);
}
