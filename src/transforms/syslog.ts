import { integer, oneOf, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { parseSyslogField } from '../../operators/parse/syslog';
import { isKnownTimeZone, localTimeZone } from '../sources/syslog/timezone';

/** The `syslog` transform: a syslog line inside another format, parsed by the syslog input's parsers. */
export const syslogTransform = defineTransform({
  type: 'syslog',
  summary: 'Parses a syslog line carried in a field (RFC 5424 or RFC 3164, detected per message, as the syslog input does) into timestamp, facility, severity, hostname, appname and message.',
  options: {
    field: string({ description: 'Dotted path of the syslog text.', default: 'message', example: 'log' }),
    target: optional(string({ description: 'Dotted path to put the parsed fields under; by default they are merged into the event root (replacing keys of the same name).', example: 'syslog' })),
    format: oneOf(['auto', 'rfc5424', 'rfc3164'] as const, { description: '`auto` tells the two formats apart per message (`<PRI>1 ` is RFC 5424).', default: 'auto', example: 'rfc3164' }),
    timezone: optional(string({ description: "IANA zone of senders' clocks, for RFC 3164 timestamps without an offset (default: this host's zone). A year-less timestamp gets the latest year that puts it at most a day in the future.", example: 'Europe/Berlin' })),
    default_priority: optional(
      integer({ description: 'Priority given to a line without `<PRI>` (a line of `/var/log/syslog`); RFC 3164 has relays insert 13 (user.notice). Unset: such a line is a parse error.', example: 13, min: 0, max: 191 }),
    ),
    error_tag: string({ description: 'Tag added to `tags` of events whose field is not syslog (kept as they were, counted as `parse` errors).', default: 'syslog_parse_error', example: 'not_syslog' }),
  },
  example: { field: 'log' },
  check(config) {
    return config.timezone !== undefined && !isKnownTimeZone(config.timezone) ? [{ path: ['timezone'], message: `unknown IANA time zone ${JSON.stringify(config.timezone)}` }] : [];
  },
  create(config, ctx) {
    return parseSyslogField(
      { field: config.field, target: config.target, format: config.format, timeZone: config.timezone ?? localTimeZone(), defaultPriority: config.default_priority, errorTag: config.error_tag, scheduler: ctx.scheduler },
      { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') },
    );
  },
});
