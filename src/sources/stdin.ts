import { bytes } from '../config/schema';
import { defineSource } from '../components/define';
import { shardOf } from '../core/shard';
import { fromReadable } from './readable';
import { openStdin } from './stdin-open';

/** Option names, declared once: the schema below is their documentation. */
const MAX_LINE_BYTES = 'max_line_bytes';

/**
 * Reads newline-delimited logs from standard input: `tail -F app.log | sluice run`.
 * Each read chunk becomes one batch of `{ message, timestamp }` events; reading pauses
 * while the source's credit is exhausted, so a fast producer blocks on the pipe instead of
 * filling memory. The source completes when stdin ends or the pipeline stops.
 */
export const stdinSource = defineSource({
  type: 'stdin',
  summary: 'Newline-delimited log lines from standard input.',
  options: {
    [MAX_LINE_BYTES]: bytes({
      description: 'Longest line kept; longer lines are truncated to this size and counted as `line_too_long` errors.',
      default: 1024 * 1024,
      example: '64KiB',
      min: 1,
    }),
  },
  example: {},
  create(config, ctx) {
    // Sharing rule (`workers: N`): a pipe is forwarded by the primary in whole-line chunks,
    // so a worker reads its stdin as a single process does; a regular file is read in place,
    // each worker its own range of lines (openStdin).
    return fromReadable(openStdin(shardOf(ctx)), ctx, { maxLineBytes: config[MAX_LINE_BYTES] });
  },
});
