import { asyncScheduler, defer, finalize, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { dirname, join, resolve } from 'node:path';
import type { Batch } from '../core/batch';
import { bytes, duration, optional, string, type InferOut, type Shape } from '../config/schema';
import type { ComponentContext } from '../components/context';
import { defineTransform } from '../components/define';
import { DeadLetterStore, DLQ_DEFAULTS } from '../dlq/store';
import { deadLetter, type DeadLetterOptions } from '../../operators/reliability/dead-letter';

/** Counter of events written to a dead-letter queue. */
export const DEAD_LETTERED_EVENTS_METRIC = 'sluice_component_dead_lettered_events_total';
/**
 * How often the queue's caps are enforced besides after every append, so an idle queue
 * still ages out. Housekeeping, not stream time: it ticks on `asyncScheduler` so a stage
 * under a virtual-time scheduler never keeps a TestScheduler flushing forever (the age
 * itself is measured with the context's scheduler).
 */
const PRUNE_EVERY_MS = 60_000;

/**
 * The queue of a validated dead-letter config (default directory `<data_dir>/dead_letter/<id>`),
 * with its caps' drops counted as `discarded{reason="dlq_max_bytes"|"dlq_max_age"}` and its
 * age measured on the component's scheduler. Shared by the stage and by sources that
 * dead-letter what they cannot decode (the Kafka source's poison messages).
 */
export function openDeadLetterStore(config: DeadLetterConfig, context: ComponentContext): DeadLetterStore {
  const dir = resolve(config.path ?? defaultDeadLetterPath(context));
  return new DeadLetterStore({
    dir,
    maxBytes: config.max_bytes,
    maxAgeMs: config.max_age,
    maxSegmentBytes: config.max_segment_bytes,
    now: () => context.scheduler.now(),
    onDiscard: (reason, count) => context.metrics.discard(reason, count),
    onPruneError: (error) => context.logger.warn({ err: error, dir }, 'dead-letter queue: enforcing max_bytes/max_age failed'),
  });
}

/** The options of a dead-letter stage: the `dead_letter` transform's, and the `dead_letter:` block of a sink. */
export const deadLetterOptionsShape = {
  path: optional(
    string({ description: 'The queue directory (relative paths from the working directory); default `<data_dir>/dead_letter/<component id>`.', example: '/var/lib/sluice/dlq/archive' }),
  ),
  max_bytes: bytes({ description: 'Most bytes the queue keeps; beyond it the oldest entries are dropped and counted (`dlq_max_bytes`).', default: DLQ_DEFAULTS.maxBytes, min: 4096, example: '1GiB' }),
  max_age: duration({ description: 'Entries older than this are dropped and counted (`dlq_max_age`).', default: DLQ_DEFAULTS.maxAgeMs, min: 1000, example: '3d' }),
  max_segment_bytes: bytes({ description: 'Segment files roll at this size (capped at half of `max_bytes`).', default: DLQ_DEFAULTS.maxSegmentBytes, min: 1024, example: '64MiB' }),
} satisfies Shape;

/** A validated dead-letter config. */
export type DeadLetterConfig = InferOut<typeof deadLetterOptionsShape>;

/** The default queue directory of component `id`: `<data_dir>/dead_letter/<id>` (`dataDir` is `<data_dir>/<id>`). */
export function defaultDeadLetterPath(context: Pick<ComponentContext, 'dataDir' | 'id'>): string {
  return join(dirname(context.dataDir), 'dead_letter', context.id);
}

/**
 * Builds the dead-letter stage from a validated config, with its metrics wired: events
 * written count in `sluice_component_dead_lettered_events_total`, entries dropped by a cap in
 * `discarded{reason="dlq_max_bytes"|"dlq_max_age"}`, failed writes in
 * `errors{error_type="dead_letter_write"}`. `failures` is `by_index` for a sink's block (it
 * sits right before retry and deliver, which keep batches whole).
 *
 * @example
 * import { deadLetterFromConfig } from 'sluice';
 * const stage = deadLetterFromConfig({ path: undefined, max_bytes: 256 * 1024 ** 2, max_age: 7 * 86_400_000, max_segment_bytes: 16 * 1024 ** 2 }, context);
 *
 * @see deadLetter
 */
export function deadLetterFromConfig(config: DeadLetterConfig, context: ComponentContext, failures: DeadLetterOptions['failures'] = 'by_index'): MonoTypeOperatorFunction<Batch> {
  return deadLetterQueue(config, context).stage(failures);
}

/**
 * One dead-letter queue (its store, metrics and housekeeping) that several stages can write
 * to: a sink that sheds to its queue when its buffer is full has one stage in front of the
 * buffer (whole batches it refused) and one behind it (events that failed delivery).
 */
export function deadLetterQueue(config: DeadLetterConfig, context: ComponentContext): { stage(failures?: DeadLetterOptions['failures']): MonoTypeOperatorFunction<Batch> } {
  const { metrics, logger } = context;
  const written = metrics.counter(DEAD_LETTERED_EVENTS_METRIC, 'Events written to a dead-letter queue after their delivery failed permanently.');
  const store = openDeadLetterStore(config, context);
  const dir = store.dir;
  const stage = (failures: DeadLetterOptions['failures'] = 'by_index'): MonoTypeOperatorFunction<Batch> => {
    const operator = deadLetter(store, {
      component: context.id,
      failures,
      scheduler: context.scheduler,
      onDeadLettered: (count) => written.inc(count),
      onWriteError: (error) => {
        metrics.error('dead_letter_write');
        logger.error({ err: error, dir }, 'dead-letter queue write failed; the batch is rejected upstream');
      },
    });
    return (source) =>
      defer(() => {
        const pruning = timer(0, PRUNE_EVERY_MS, asyncScheduler).subscribe(() => {
          store.prune().catch((error: unknown) => logger.warn({ err: error, dir }, 'dead-letter queue: enforcing max_bytes/max_age failed'));
        });
        return source.pipe(operator, finalize(() => pruning.unsubscribe()));
      });
  };
  return { stage };
}

/**
 * The `dead_letter` transform, for a pipeline that puts it in front of a sink itself. Failure
 * identity survives the sink's re-batching (each batch's ack learns which of its own events
 * failed), so it writes exactly the failed events, as the sink's `dead_letter:` block does.
 */
export const deadLetterTransform = defineTransform({
  type: 'dead_letter',
  summary: 'Writes events whose delivery failed permanently to an on-disk dead-letter queue, then acknowledges them.',
  options: deadLetterOptionsShape,
  example: { max_bytes: '512MiB', max_age: '3d' },
  create: (config, context) => deadLetterFromConfig(config, context, 'by_index'),
});
