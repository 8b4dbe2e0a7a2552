import { join } from 'node:path';
import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import { ConfigError } from '../core/errors';
import type { SchemaIssue } from '../config/schema';
import { bytes, duration, integer, number, oneOf, optional, string, type InferOut } from '../config/schema';
import type { ComponentContext } from '../components/context';
import { defineTransform } from '../components/define';
import { diskBuffer, type DiskBufferHooks } from '../../operators/buffer/disk';
import { RETRIED_EVENTS_METRIC } from './retry';
import { memoryBuffer } from '../../operators/buffer/memory';

const MiB = 1024 * 1024;
const DISK_POLICIES: readonly string[] = ['block', 'drop_newest', 'reject'];

/** The options of a buffer: the `buffer` transform's, and the `buffer:` block of a sink. */
export const bufferOptionsShape = {
  mode: oneOf(['memory', 'disk'] as const, {
    description: '`memory`: a bounded in-memory queue, lost on a crash. `disk`: a write-ahead log that survives `kill -9` and replays on start.',
    default: 'memory',
    example: 'disk',
  }),
  max_events: integer({ description: 'Memory mode: most events held before `when_full` applies.', default: 10_000, min: 1, example: 50_000 }),
  max_bytes: optional(
    bytes({ description: 'Most bytes held (memory: the batches\' sizes; disk: unacknowledged records on disk). Default 64MiB in memory, 1GiB on disk.', min: 1024, example: '256MiB' }),
  ),
  when_full: oneOf(['block', 'drop_oldest', 'drop_newest', 'sample', 'reject'] as const, {
    description: '`block`: hold the upstream ack until there is room, so the source slows down. `drop_newest` / `drop_oldest`: drop and count. `sample`: above `sample_high_water`, keep one event in `sample_rate`. `reject`: refuse the batch (its ack is rejected; on a sink with a `dead_letter:` block it is shed to the dead-letter queue, so a stalled sink never holds up its siblings). Disk mode allows `block`, `drop_newest` and `reject`.',
    default: 'block',
    example: 'drop_oldest',
  }),
  sample_rate: integer({ description: '`sample`: keep one incoming event in this many while above the high-water mark.', default: 10, min: 1, example: 100 }),
  sample_high_water: number({ description: '`sample`: the utilisation (0..1) above which sampling starts.', default: 0.8, min: 0, max: 1, example: 0.9 }),
  max_in_flight: integer({ description: 'Most batches handed downstream and not yet acknowledged; a slow sink fills the buffer instead of memory.', default: 4, min: 1, max: 1024, example: 8 }),
  path: optional(string({ description: 'Disk mode: the directory of the log. Default `<data_dir>/<component id>/buffer`.', example: '/var/lib/sluice/archive-buffer' })),
  max_segment_bytes: bytes({ description: 'Disk mode: a log segment file is rolled at this size.', default: 64 * MiB, min: 4096, example: '16MiB' }),
  fsync: oneOf(['always', 'interval', 'never'] as const, {
    description: 'Disk mode: when an upstream ack resolves. `always`: after its record is fsynced (group commit). `interval`: after the next periodic fsync. `never`: once written (survives a process crash, not a power loss).',
    default: 'interval',
    example: 'always',
  }),
  fsync_interval: duration({ description: 'Disk mode, `fsync: interval`: time between fsyncs; also how often the read position is saved.', default: 1000, min: 1, example: '200ms' }),
};

/** A validated buffer config. */
export type BufferConfig = InferOut<typeof bufferOptionsShape>;

/** Problems the option types alone cannot see (a policy the mode does not support). */
export function checkBufferConfig(config: BufferConfig): SchemaIssue[] {
  if (config.mode === 'disk' && !DISK_POLICIES.includes(config.when_full)) {
    return [{ path: ['when_full'], message: `"${config.when_full}" is not available with mode: disk; use block, drop_newest or reject` }];
  }
  return [];
}

/** The metrics, gauges and log lines every buffer reports through its hooks. */
function bufferHooks(context: ComponentContext): DiskBufferHooks {
  const { metrics, logger } = context;
  const gauge = metrics.gauge('sluice_buffer_utilisation', 'How full a buffer is, 0..1 (events or bytes, whichever is fuller).');
  const heldBytes = metrics.gauge('sluice_buffer_bytes', 'Bytes a buffer holds (disk: unacknowledged records in its log).');
  const heldEvents = metrics.gauge('sluice_buffer_events', 'Events a memory buffer holds, not yet handed downstream.');
  const retried = metrics.counter(RETRIED_EVENTS_METRIC, 'Events a retry stage re-sent after a retryable failure.');
  let failures = 0;
  let retries = 0;
  return {
    onDiscard: (reason, count) => metrics.discard(reason, count),
    onDeliveryFailed: (count, reason) => {
      // The buffer acked these upstream: failed for good with no dead-letter queue, they are lost. Say so loudly.
      metrics.discard('delivery_failed', count);
      failures += 1;
      if (failures <= 3 || failures % 1000 === 0) logger.error({ err: reason, events: count, failures }, 'buffer: downstream failed events permanently; they are dropped (add a dead_letter block to keep them)');
    },
    onUtilisation: (fraction) => gauge.set(fraction),
    onSize: (bytes, events) => {
      heldBytes.set(bytes);
      if (events !== undefined) heldEvents.set(events);
    },
    onRetry: (count, delayMs) => {
      retried.inc(count);
      retries += 1;
      if (retries <= 3 || retries % 100 === 0) logger.warn({ events: count, delay_ms: delayMs, retries }, 'buffer: downstream failed; redelivering after a backoff (the backlog stays in the buffer)');
    },
    onAbandoned: (count) => {
      metrics.discard('shutdown', count);
      logger.warn({ events: count }, 'buffer: stopped before draining; in-memory events dropped');
    },
    onCorrupt: (count) => metrics.error('wal_corrupt', count),
    onMissing: (count) => metrics.error('wal_missing', count),
    onIoError: () => metrics.error('wal_io'),
    onRejected: (count) => metrics.error('buffer_full', count),
  };
}

/**
 * The buffer operator a config describes, wired to the component's metrics, gauge, log,
 * scheduler and data directory. Throws a {@link ConfigError} for a policy the mode does
 * not support (see {@link checkBufferConfig}).
 */
export function bufferFromConfig(config: BufferConfig, context: ComponentContext): OperatorFunction<Batch, Batch> {
  const [issue] = checkBufferConfig(config);
  if (issue) throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`, { path: issue.path.join('.') });
  const hooks = bufferHooks(context);
  if (config.mode === 'memory') {
    return memoryBuffer({
      maxEvents: config.max_events,
      maxBytes: config.max_bytes ?? 64 * MiB,
      whenFull: config.when_full,
      sampleRate: config.sample_rate,
      sampleHighWater: config.sample_high_water,
      maxInFlight: config.max_in_flight,
      scheduler: context.scheduler,
      hooks,
    });
  }
  return diskBuffer({
    path: config.path ?? join(context.dataDir, 'buffer'),
    maxBytes: config.max_bytes ?? 1024 * MiB,
    whenFull: config.when_full === 'drop_newest' || config.when_full === 'reject' ? config.when_full : 'block',
    maxSegmentBytes: config.max_segment_bytes,
    fsync: config.fsync,
    fsyncIntervalMs: config.fsync_interval,
    maxInFlight: config.max_in_flight,
    scheduler: context.scheduler,
    hooks,
    logger: context.logger,
  });
}

export const bufferTransform = defineTransform({
  type: 'buffer',
  summary:
    'An ack boundary: holds events in memory or in a crash-safe disk log and delivers them at the pace of what follows; retryable failures are redelivered without limit (an outage is a backlog), permanent ones are counted as dropped (add a dead_letter after it to keep them).',
  options: bufferOptionsShape,
  example: { mode: 'disk', max_bytes: '512MiB', when_full: 'block' },
  check: checkBufferConfig,
  create: bufferFromConfig,
});
