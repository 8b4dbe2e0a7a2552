import { boolean, list, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import { isKnownTimeZone } from '../sources/syslog/timezone';
import { compileTimeFormat, NAMED_FORMATS } from '../../operators/parse/time/formats';
import { parseTimestampField } from '../../operators/parse/time/timestamp';
import { issueOf, parseHooks } from './regex';

/** Unknown formats (with the directive's position) and zones, before anything starts. */
function checkTimestamp(config: { formats: string[]; timezone: string }): SchemaIssue[] {
  const issues = config.formats.flatMap((format, index) => issueOf(['formats', index], () => compileTimeFormat(format)));
  if (!isKnownTimeZone(config.timezone)) issues.push({ path: ['timezone'], message: `unknown time zone ${JSON.stringify(config.timezone)}: expected an IANA name such as UTC or Europe/Berlin` });
  return issues;
}

/** The `timestamp` transform: a field parsed with configured formats into the canonical `timestamp`. */
export const timestampTransform = defineTransform({
  type: 'timestamp',
  summary: 'Parses a field with configured formats (ISO 8601, epoch, strftime patterns, year-less syslog) into the canonical ISO `timestamp`; unparseable values are tagged, never replaced by the current time.',
  options: {
    field: string({ description: 'Dotted path of the value to parse.', default: 'timestamp', example: 'time' }),
    target: string({ description: 'Dotted path the canonical ISO-8601 UTC timestamp is written to.', default: 'timestamp', example: 'event.created' }),
    formats: list(string({ description: 'A format name or strftime pattern.' }), {
      description: `Formats tried in order: ${NAMED_FORMATS.map((name) => `\`${name}\``).join(', ')} (\`Mmm dd hh:mm:ss\` without a year), or a strftime pattern (\`%d/%b/%Y:%H:%M:%S %z\`; directives %Y %y %m %d %e %H %I %p %M %S %f %L %z %Z %b %B %a %A %s %T %F %D %R %n %%). Epoch formats take numbers or numeric strings.`,
      example: ['%d/%b/%Y:%H:%M:%S %z', 'iso8601'],
      minItems: 1,
    }),
    timezone: string({ description: 'IANA time zone of times that carry no offset (`syslog`, a pattern without `%z`). ISO 8601 times without an offset are UTC.', default: 'UTC', example: 'Europe/Berlin' }),
    error_tag: string({ description: 'Tag added to `tags` of events whose value no format reads (their `timestamp` is left as it was).', default: 'timestamp_parse_error', example: 'bad_time' }),
    drop_field: boolean({ description: 'Remove `field` after a successful parse (when it is not `target`).', default: false, example: true }),
  },
  example: { field: 'time', formats: ['iso8601'] },
  check: checkTimestamp,
  create(config, ctx) {
    return parseTimestampField(
      { field: config.field, target: config.target, formats: config.formats, timeZone: config.timezone, errorTag: config.error_tag, dropField: config.drop_field, scheduler: ctx.scheduler },
      parseHooks(ctx),
    );
  },
});
