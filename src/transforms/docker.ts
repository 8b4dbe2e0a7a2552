import { bytes, duration, list, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseDocker } from '../../operators/parse/docker';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../operators/parse/cri-reassemble';
import { streamKey } from '../../operators/parse/multiline/stream-key';

/** The `docker` transform: Docker `json-file` log lines, lines split at 16 KiB reassembled. */
export const dockerTransform = defineTransform({
  type: 'docker',
  summary: 'Parses Docker `json-file` log lines (`{"log":…,"stream":…,"time":…}`) into timestamp, stream, message and attrs, joining lines Docker split at 16 KiB into one event per stream.',
  options: {
    field: string({ description: 'Dotted path of the Docker JSON log line.', default: 'message', example: 'log' }),
    group_by: list(string({ description: 'A dotted field path.' }), {
      description: 'Fields that, with the batch\'s origin (the container\'s log file), name the stream whose partial lines are joined.',
      default: ['stream'],
      example: ['kubernetes.container', 'stream'],
    }),
    max_bytes: bytes({ description: 'Most characters of one reassembled message; a piece that would exceed it starts a new event.', default: DEFAULT_MAX_MESSAGE_BYTES, min: 1 }),
    flush_timeout: duration({ description: 'A split line whose rest has not arrived for this long is emitted as it is.', default: 1000, min: 1, example: '5s' }),
    error_tag: string({ description: 'Tag added to `tags` of lines that are not Docker JSON log lines (kept as they were, counted as `parse` errors).', default: 'docker_parse_error', example: 'not_docker' }),
  },
  example: {},
  create(config, ctx) {
    return parseDocker(
      { field: config.field, groupBy: streamKey(config.group_by), maxBytes: config.max_bytes, flushAfterMs: config.flush_timeout, errorTag: config.error_tag, scheduler: ctx.scheduler },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
