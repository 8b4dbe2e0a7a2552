import { boolean, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseKeyValue } from '../../operators/parse/kv';

/** The `logfmt` transform: `kv` with logfmt's fixed syntax, for Go services (slog, logrus, zap's logfmt). */
export const logfmtTransform = defineTransform({
  type: 'logfmt',
  summary: 'Parses logfmt (`level=info msg="user created" id=42`, as Go services write it) into event fields; `kv` with the syntax fixed.',
  options: {
    field: string({ description: 'Dotted path of the logfmt text.', default: 'message', example: 'log' }),
    target: optional(string({ description: 'Dotted path to put the fields under; by default they are merged into the event root (replacing keys of the same name).', example: 'app' })),
    drop_field: boolean({ description: 'Remove the raw field after a successful parse (as `json`); a failure always keeps it.', default: true, example: false }),
    error_tag: string({ description: 'Tag added to `tags` of events whose field holds no pair (counted as `parse` errors).', default: 'logfmt_parse_error', example: 'unparsed' }),
  },
  example: {},
  create(config, ctx) {
    return parseKeyValue(
      { field: config.field, target: config.target, dropField: config.drop_field, errorTag: config.error_tag },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
