import { pipe, type Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import { object, optional, type ConfigPath, type SchemaIssue } from '../config/schema';
import { bufferFromConfig, bufferOptionsShape, checkBufferConfig, type BufferConfig } from '../transforms/buffer';
import { circuitBreakerFromConfig, circuitBreakerOptionsShape, type CircuitBreakerConfig } from '../transforms/circuit-breaker';
import { deadLetterOptionsShape, deadLetterQueue, type DeadLetterConfig } from '../transforms/dead-letter';
import { DEFAULT_RETRY_CONFIG, retryFromConfig, retryOptionsShape, type RetryConfig } from '../transforms/retry';
import type { ComponentContext } from './context';

/**
 * The reliability blocks any sink may carry, each its own independent policy for that one
 * output. They are the same stages as the standalone `buffer`, `dead_letter`, `retry` and
 * `circuit_breaker` transforms, with the same options.
 */
export const sinkBlockOptions = {
  buffer: optional(object(bufferOptionsShape, { description: "This sink's own buffer (an ack boundary): memory ring or crash-safe disk WAL." })),
  dead_letter: optional(object(deadLetterOptionsShape, { description: "Keep events this sink failed permanently in a disk queue (default <data_dir>/dead_letter/<sink id>) for `sluice dlq replay`." })),
  retry: optional(
    object(retryOptionsShape, {
      description: 'How failed sends are retried (only the failed events, exponential backoff with jitter). Every sink retries: without this block, with the defaults (no limit on retries).',
    }),
  ),
  circuit_breaker: optional(object(circuitBreakerOptionsShape, { description: 'Stop sending to this sink while it keeps failing; probe it again after reset_timeout.' })),
};

/** The validated blocks of one sink. */
export interface SinkBlocks {
  readonly buffer?: BufferConfig;
  readonly dead_letter?: DeadLetterConfig;
  readonly retry?: RetryConfig;
  readonly circuit_breaker?: CircuitBreakerConfig;
}

/** Cross-option problems inside the blocks, located under the sink. */
export function checkSinkBlocks(config: SinkBlocks, path: ConfigPath): SchemaIssue[] {
  if (!config.buffer) return [];
  return checkBufferConfig(config.buffer).map((issue) => ({ path: [...path, 'buffer', ...issue.path], message: issue.message }));
}

/**
 * The stages a sink's blocks add between its `batch` stage and `deliver`, in the one order
 * that makes each meaningful: the buffer first (it acks upstream once it owns the events,
 * so a slow sink fills its own buffer rather than stalling its siblings; with
 * `when_full: reject` and a dead-letter queue, what does not fit is shed to the queue), then the
 * dead-letter queue (it sees what finally failed, event by event), then retry (always
 * there: without a `retry:` block it retries without limit) around
 * the breaker (every attempt counts toward opening it, and an open breaker's rejections are
 * not retried in a loop).
 */
export function sinkBlockStages(config: SinkBlocks, context: ComponentContext): OperatorFunction<Batch, Batch> {
  const stages: Array<OperatorFunction<Batch, Batch>> = [];
  const queue = config.dead_letter ? deadLetterQueue(config.dead_letter, context) : undefined;
  // A full buffer that rejects sheds whole batches to the same queue, in front of it.
  if (queue && config.buffer?.when_full === 'reject') stages.push(queue.stage('whole_batch'));
  if (config.buffer) stages.push(bufferFromConfig(config.buffer, context));
  if (queue) stages.push(queue.stage('by_index'));
  // Always: a retryable failure is an outage to wait out, never a reason to let go of events.
  stages.push(retryFromConfig(config.retry ?? DEFAULT_RETRY_CONFIG, context));
  if (config.circuit_breaker) stages.push(circuitBreakerFromConfig(config.circuit_breaker, context));
  return stages.reduce((chain, stage) => pipe(chain, stage), (input: Observable<Batch>) => input);
}
