import type { Shape } from '../config/schema';
import type { ComponentKind } from './context';
import { sinkCommonOptions, sourceCommonOptions, type ComponentDefinition } from './define';
import { sinkBlockOptions } from './sink-blocks';

/** Batch defaults of a sink that declares none (custom TypeScript sinks). */
export const DEFAULT_SINK_BATCH = { maxEvents: 1000, maxBytes: 1024 * 1024, timeoutMs: 1000 };

/**
 * The options every component of a kind has, whatever its type: credit bounds on sources;
 * `batch:`, `concurrency` and the reliability blocks (`buffer:`, `dead_letter:`, `retry:`,
 * `circuit_breaker:`) on sinks.
 */
export function commonShape(kind: ComponentKind, batchDefaults = DEFAULT_SINK_BATCH): Shape {
  if (kind === 'source') return sourceCommonOptions;
  if (kind === 'sink') return { ...sinkCommonOptions(batchDefaults), ...sinkBlockOptions };
  return {};
}

/** The full option shape of a definition: its own plus the common ones of its kind. */
export function fullShape(definition: ComponentDefinition): Shape {
  const batchDefaults = definition.kind === 'sink' ? definition.batchDefaults : undefined;
  return { ...commonShape(definition.kind, batchDefaults), ...definition.options };
}
