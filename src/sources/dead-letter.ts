import { resolve } from 'node:path';
import { EMPTY } from 'rxjs';
import { shardOf } from '../core/shard';
import { boolean, duration, integer, string } from '../config/schema';
import { defineSource } from '../components/define';
import { DeadLetterStore } from '../dlq/store';
import { replayDeadLetters } from '../dlq/replay';

/** Option names, declared once: the schema below is their documentation. */
const PATH = 'path';
const BATCH_SIZE = 'batch_size';
const FOLLOW = 'follow';
const POLL_INTERVAL = 'poll_interval';

/**
 * Replays a dead-letter queue (the directory a `dead_letter` stage writes): emits each
 * entry's event as it was before it failed, with the failure (`dlq_error`, `dlq_attempts`,
 * `dlq_time`, `dlq_component`) kept as event metadata, never shipped. An entry leaves the
 * queue only once its batch was acknowledged, in order: a crash mid-replay replays the
 * unacknowledged rest again (at least once). With `follow: false` (a one-shot replay, what
 * `sluice dlq replay` runs) the source completes once the queue as it was at start is
 * drained and acknowledged, or after the first batch that failed.
 */
export const deadLetterSource = defineSource({
  type: 'dead_letter',
  summary: 'Replays a dead-letter queue; entries are removed once their replay is acknowledged.',
  options: {
    [PATH]: string({ description: 'The dead-letter queue directory to replay.', example: 'data/dead_letter/archive' }),
    [BATCH_SIZE]: integer({ description: 'Entries per emitted batch.', default: 500, example: 1000, min: 1, max: 100_000 }),
    [FOLLOW]: boolean({
      description: 'Keep polling for new entries once drained (and retry a failed batch after `poll_interval`); false completes when drained.',
      default: false,
      example: true,
    }),
    [POLL_INTERVAL]: duration({ description: 'With `follow`, how often to look for new entries.', default: 1000, example: '5s', min: 10 }),
  },
  example: { [PATH]: 'data/dead_letter/archive' },
  create(config, ctx) {
    // Sharing rule (`workers: N`): one queue has one reader. Worker 0 replays it; the others
    // complete at once (two readers would replay the same entries twice).
    if (shardOf(ctx).index !== 0) return EMPTY;
    const queue = new DeadLetterStore({ dir: resolve(config[PATH]) });
    return replayDeadLetters(queue, ctx, { batchSize: config[BATCH_SIZE], follow: config[FOLLOW], pollIntervalMs: config[POLL_INTERVAL] });
  },
});
