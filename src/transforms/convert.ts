import { oneOf, record, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { CONVERT_TYPES, convertFields } from '../../operators/transform/convert';

/** The `convert` transform: converts field values to int, float, bool, timestamp or string. */
export const convertTransform = defineTransform({
  type: 'convert',
  summary: 'Converts fields to int, float, bool, timestamp or string; values that do not convert are kept, tagged and counted.',
  options: {
    fields: record(
      oneOf(CONVERT_TYPES, {
        description:
          '`int` (numbers and numeric text, truncated toward zero), `float`, `bool` (true/false, yes/no, on/off, 1/0, t/f, y/n), `timestamp` (RFC 3339 / ISO 8601 text or epoch s/ms/µs/ns by magnitude → ISO string in UTC), `string` (objects as JSON).',
      }),
      { description: 'Dotted path → target type.', example: { 'http.status': 'int', duration_ms: 'float', cached: 'bool' } },
    ),
    error_tag: string({ description: 'Tag added to `tags` of an event a field of which did not convert (the value is left as it was).', default: 'convert_error', example: 'bad_types' }),
  },
  example: { fields: { status: 'int' } },
  create(config, ctx) {
    return convertFields(config.fields, { errorTag: config.error_tag }, { ...ctx.hooks, onConvertError: (count) => ctx.metrics.error('convert', count) });
  },
});
