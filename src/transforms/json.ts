import { boolean, integer, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { DEFAULT_MAX_DEPTH, parseJson } from '../../operators/parse/json';

/** The `json` transform: parses a field holding a JSON object into event fields. */
export const jsonTransform = defineTransform({
  type: 'json',
  summary: 'Parses a field holding a JSON object into event fields; unparseable events are kept and tagged.',
  options: {
    field: string({ description: 'Dotted path of the field holding the JSON text.', default: 'message', example: 'log' }),
    target: optional(string({ description: 'Dotted path to put the parsed object under; by default its keys are merged into the event root (replacing keys of the same name).', example: 'payload' })),
    drop_field: boolean({
      description: 'Remove the raw field after a successful parse, so each event carries its data once (its fields), not twice (fields and the JSON text). A parse failure always keeps it. Set false to keep the original text beside the fields.',
      default: true,
      example: false,
    }),
    error_tag: string({ description: 'Tag added to `tags` of events whose field is not a JSON object.', default: 'json_parse_error', example: 'unparsed' }),
    max_depth: integer({
      description: 'Most levels of nested objects and arrays (the root object is 1). Deeper JSON is a parse error (the raw line kept and tagged), so one hostile line cannot overflow the stack of a later stage or sink.',
      default: DEFAULT_MAX_DEPTH,
      example: 20,
      min: 1,
      max: 1000, // JSON.stringify overflows the stack at a few thousand
    }),
  },
  example: {},
  create(config, ctx) {
    return parseJson(
      { field: config.field, target: config.target, dropField: config.drop_field, errorTag: config.error_tag, maxDepth: config.max_depth },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
