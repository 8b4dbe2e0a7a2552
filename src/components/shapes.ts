import { object, oneOf, type InferOut, type SchemaIssue, type Shape } from '../config/schema';
import type { ComponentKind } from './context';
import { sinkCommonOptions, sourceCommonOptions, type ComponentDefinition } from './define';
import { sinkBlockOptions } from './sink-blocks';

/** How a component read by several others hands them its batches (see `tee`). */
export const fanOutOptions = {
  fan_out: object(
    {
      mode: oneOf(['parallel', 'sequential'] as const, {
        description: 'parallel: every reader gets each batch at once; sequential: a reader gets a batch once the one listed before it settled it.',
        default: 'parallel',
      }),
      failure: oneOf(['continue', 'stop'] as const, {
        description: "continue: a reader's failure affects only its share; stop (sequential only): later readers skip a batch an earlier one failed.",
        default: 'continue',
      }),
    },
    { description: 'Used when several components read this one: order and failure policy of the fan-out.' },
  ),
};

/** The validated `fan_out:` block. */
export type FanOutConfig = InferOut<typeof fanOutOptions>['fan_out'];

/** `failure: stop` only means something when readers take turns. */
export function checkFanOut(config: { fan_out?: FanOutConfig }): SchemaIssue[] {
  if (config.fan_out?.failure === 'stop' && config.fan_out.mode !== 'sequential') {
    return [{ path: ['fan_out', 'failure'], message: 'failure: stop needs mode: sequential (parallel readers already have the batch)' }];
  }
  return [];
}

/** Batch defaults of a sink that declares none (custom TypeScript sinks). */
export const DEFAULT_SINK_BATCH = { maxEvents: 1000, maxBytes: 1024 * 1024, timeoutMs: 1000 };

/**
 * The options every component of a kind has, whatever its type: credit bounds on sources;
 * `batch:`, `concurrency` and the reliability blocks (`buffer:`, `dead_letter:`, `retry:`,
 * `circuit_breaker:`) on sinks.
 */
export function commonShape(kind: ComponentKind, batchDefaults = DEFAULT_SINK_BATCH): Shape {
  if (kind === 'source') return { ...sourceCommonOptions, ...fanOutOptions };
  if (kind === 'sink') return { ...sinkCommonOptions(batchDefaults), ...sinkBlockOptions };
  return fanOutOptions;
}

/** The full option shape of a definition: its own plus the common ones of its kind. */
export function fullShape(definition: ComponentDefinition): Shape {
  const batchDefaults = definition.kind === 'sink' ? definition.batchDefaults : undefined;
  return { ...commonShape(definition.kind, batchDefaults), ...definition.options };
}
