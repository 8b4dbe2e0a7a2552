import { boolean, integer, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseKeyValue } from '../../operators/parse/kv';
import { LOGFMT } from '../../operators/parse/kv-split';

/** The `kv` transform: `key=value` pairs of any field, with configurable separators. */
export const kvTransform = defineTransform({
  type: 'kv',
  summary: 'Parses `key=value` pairs from a field (any separators and quotes) into event fields; events without a pair are kept and tagged.',
  options: {
    field: string({ description: 'Dotted path of the text holding the pairs.', default: 'message', example: 'url.query' }),
    target: optional(string({ description: 'Dotted path to put the pairs under; by default they are merged into the event root (replacing keys of the same name).', example: 'params' })),
    field_separator: string({ description: 'Separates pairs; a single space means any run of spaces and tabs.', default: LOGFMT.fieldSeparator, example: '&', pattern: /^.+$/s }),
    value_separator: string({ description: 'Separates a key from its value; a value runs to the next pair separator, so it may contain this too.', default: LOGFMT.valueSeparator, example: ':', pattern: /^.+$/s }),
    quotes: string({ description: 'Characters that may quote a key or value (inside, a backslash escapes); empty for none.', default: LOGFMT.quotes, example: '"\'' }),
    max_pairs: integer({ description: 'Most pairs read from one text; the rest is ignored (a bound against hostile input).', default: LOGFMT.maxPairs, min: 1, max: 100_000 }),
    drop_field: boolean({ description: 'Remove the raw field after a successful parse (as `json`); a failure always keeps it.', default: true, example: false }),
    error_tag: string({ description: 'Tag added to `tags` of events whose field holds no pair (counted as `parse` errors).', default: 'kv_parse_error', example: 'unparsed' }),
  },
  example: { field: 'query', field_separator: '&', target: 'params' },
  check(config) {
    return config.field_separator === config.value_separator ? [{ path: ['value_separator'], message: 'must differ from field_separator' }] : [];
  },
  create(config, ctx) {
    return parseKeyValue(
      {
        field: config.field,
        target: config.target,
        fieldSeparator: config.field_separator,
        valueSeparator: config.value_separator,
        quotes: config.quotes,
        maxPairs: config.max_pairs,
        dropField: config.drop_field,
        errorTag: config.error_tag,
      },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
