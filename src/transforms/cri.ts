import { bytes, duration, list, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseCri } from '../../operators/parse/cri';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../operators/parse/cri-reassemble';
import { streamKey } from '../../operators/parse/multiline/stream-key';

/** The `cri` transform: Kubernetes container log lines (containerd, CRI-O), partial lines reassembled. */
export const criTransform = defineTransform({
  type: 'cri',
  summary: 'Parses Kubernetes CRI container log lines (`<time> <stream> <P|F> <log>`) into timestamp, stream and message, joining partial (`P`) lines into one event per stream.',
  options: {
    field: string({ description: 'Dotted path of the CRI line.', default: 'message', example: 'log' }),
    group_by: list(string({ description: 'A dotted field path.' }), {
      description: 'Fields that, with the batch\'s origin (the container\'s log file), name the stream whose partial lines are joined.',
      default: ['stream'],
      example: ['kubernetes.container', 'stream'],
    }),
    max_bytes: bytes({ description: 'Most characters of one reassembled message; a piece that would exceed it starts a new event.', default: DEFAULT_MAX_MESSAGE_BYTES, min: 1 }),
    flush_timeout: duration({ description: 'A partial line whose rest has not arrived for this long is emitted as it is.', default: 1000, min: 1, example: '5s' }),
    error_tag: string({ description: 'Tag added to `tags` of lines that are not CRI log lines (kept as they were, counted as `parse` errors).', default: 'cri_parse_error', example: 'not_cri' }),
  },
  example: {},
  create(config, ctx) {
    return parseCri(
      { field: config.field, groupBy: streamKey(config.group_by), maxBytes: config.max_bytes, flushAfterMs: config.flush_timeout, errorTag: config.error_tag, scheduler: ctx.scheduler },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
