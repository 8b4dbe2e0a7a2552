import { boolean, list, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseCsvLines } from '../../operators/parse/csv';
import { streamKey } from '../../operators/parse/multiline/stream-key';

const oneCharacter = /^[^\r\n]$/;

/** The `csv` transform: one CSV row per event into named columns. */
export const csvTransform = defineTransform({
  type: 'csv',
  summary: 'Parses one CSV row per event into named columns (configured, or the header row of each stream); quoting per RFC 4180, any delimiter.',
  options: {
    field: string({ description: 'Dotted path of the CSV row.', default: 'message', example: 'line' }),
    target: optional(string({ description: 'Dotted path to put the columns under; by default they are merged into the event root.', example: 'row' })),
    columns: optional(
      list(string({ description: 'A column name.' }), {
        description:
          'Column names, in order. Without them the first row of each stream (file, connection) is its header and is dropped (counted as a discard); a restart that resumes mid-file has no header to read, so name the columns when the input resumes from a checkpoint.',
        example: ['date', 'user', 'action'],
        minItems: 1,
      }),
    ),
    delimiter: string({ description: 'Separates fields: one character (`;`, `|`, a tab).', default: ',', example: ';', pattern: oneCharacter }),
    quote: string({ description: 'Quotes fields holding delimiters or line breaks; doubled inside a quoted field.', default: '"', example: "'", pattern: oneCharacter }),
    drop_field: boolean({ description: 'Remove the raw field after a successful parse (as `json`); a failure always keeps it.', default: true, example: false }),
    error_tag: string({ description: 'Tag added to `tags` of rows that cannot be read: bad quoting, or another number of fields than columns (counted as `parse` errors).', default: 'csv_parse_error', example: 'bad_row' }),
  },
  example: { columns: ['date', 'user', 'action'] },
  check(config) {
    if (config.delimiter === config.quote) return [{ path: ['quote'], message: 'must differ from the delimiter' }];
    const seen = new Set<string>();
    for (const [index, name] of (config.columns ?? []).entries()) {
      if (name === '' || seen.has(name)) return [{ path: ['columns', index], message: name === '' ? 'a column needs a name' : `column "${name}" is named twice` }];
      seen.add(name);
    }
    return [];
  },
  create(config, ctx) {
    return parseCsvLines(
      { field: config.field, target: config.target, columns: config.columns, delimiter: config.delimiter, quote: config.quote, dropField: config.drop_field, errorTag: config.error_tag, headerBy: streamKey() },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
