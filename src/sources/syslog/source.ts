import { map } from 'rxjs';
import type { Batch } from '../../core/batch';
import type { LogEvent } from '../../core/event';
import { addTag } from '../../core/field-path';
import { bytes, oneOf, optional, string } from '../../config/schema';
import { defineSource } from '../../components/define';
import type { SourceContext } from '../../components/context';
import { newlineFraming, octetCounting } from '../framing';
import { checkIngestOptions, rateLimiterFrom, rateLimitOptions, tlsOptions } from '../ingest/options';
import { serveDatagrams } from '../socket/datagram-server';
import { detectFraming } from '../socket/detect-framing';
import { addressIssue, connectionOptions, hostAndPort, streamServer } from '../socket/listen-options';
import { serveStreams } from '../socket/stream-server';
import { parseSyslog, type SyslogFormat } from './parse';
import { isKnownTimeZone, localTimeZone } from './timezone';

/** What the parse step needs to turn raw frames into syslog events. */
interface ParseSettings {
  readonly format: SyslogFormat;
  readonly timeZone: string;
  readonly clientField: string | undefined;
  readonly errorTag: string;
}

/**
 * Parses each raw frame of a batch as a syslog message (the batch keeps its ack and bytes).
 * The frame's receive time stands in for a message without a timestamp; a malformed message
 * is kept whole as `message`, tagged, and counted (`errors_total{error_type="parse_error"}`).
 */
function parseBatches(ctx: SourceContext, settings: ParseSettings) {
  const { format, timeZone, clientField, errorTag } = settings;
  return map((batch: Batch): Batch => {
    const clock = { timeZone, nowMs: ctx.scheduler.now() };
    const peer = batch.meta?.peer;
    const input = batch.events;
    const events = new Array<LogEvent>(input.length);
    for (let i = 0; i < input.length; i++) {
      const raw = input[i];
      const text = raw.message ?? '';
      const parsed = parseSyslog(text, format, clock);
      let event: LogEvent;
      if (parsed.event !== undefined) {
        event = parsed.event;
        event.timestamp ??= raw.timestamp;
      } else {
        event = { message: text, timestamp: raw.timestamp };
        addTag(event, errorTag);
        ctx.metrics.error('parse_error');
        ctx.logger.debug({ reason: parsed.error, peer }, 'malformed syslog message kept as is');
      }
      if (clientField !== undefined && peer !== undefined) event[clientField] = peer;
      events[i] = event;
    }
    return { ...batch, events };
  });
}

export const syslogSource = defineSource({
  type: 'syslog',
  summary: 'Syslog over UDP, TCP or TLS: RFC 5424 and RFC 3164 (BSD), detected per message.',
  options: {
    mode: oneOf(['udp', 'tcp', 'tls'] as const, { description: 'Transport: UDP (RFC 5426), TCP (RFC 6587) or TLS (RFC 5425, needs `tls`).', default: 'udp', example: 'tcp' }),
    address: string({ description: 'host:port to listen on (IPv6 as `[::]:5514`); port 0 picks a free one.', default: '127.0.0.1:5514', example: '0.0.0.0:5514' }),
    format: oneOf(['auto', 'rfc5424', 'rfc3164'] as const, { description: '`auto` detects each message: `<PRI>1 ` is RFC 5424, any other `<PRI>` RFC 3164.', default: 'auto', example: 'rfc5424' }),
    framing: oneOf(['auto', 'octet_counting', 'newline'] as const, { description: 'TCP/TLS framing; `auto` detects it per connection from its first byte (a digit: octet counting, RFC 6587).', default: 'auto', example: 'octet_counting' }),
    max_message_bytes: bytes({ description: 'Longest message kept; a longer one is truncated to this size and counted (`frame_too_long`, `line_too_long`).', default: 64 * 1024, min: 64, example: '8KiB' }),
    timezone: optional(string({ description: 'IANA zone of senders\' clocks, for RFC 3164 timestamps that carry no offset (default: this host\'s zone). A year-less timestamp gets the latest year that puts it at most a day in the future.', example: 'Europe/Berlin' })),
    client_field: string({ description: 'Field that gets the client address (`host:port`); empty: none.', default: 'client', example: 'source_ip' }),
    parse_error_tag: string({ description: 'Tag added to `tags` of a message that is not valid syslog (kept whole as `message`, and counted as `parse_error`).', default: 'syslog_parse_error', pattern: /^\S+$/ }),
    ...connectionOptions,
    tls: tlsOptions,
    rate_limit: rateLimitOptions,
  },
  example: { mode: 'tcp', address: '0.0.0.0:5514' },
  check(config) {
    const issues = checkIngestOptions(config);
    const problem = addressIssue(config.address);
    if (problem !== undefined) issues.push({ path: ['address'], message: problem });
    if (config.mode === 'tls' && config.tls === undefined) issues.push({ path: ['tls'], message: 'mode tls needs a tls block (cert and key)' });
    if (config.mode !== 'tls' && config.tls !== undefined) issues.push({ path: ['tls'], message: 'tls is only used with mode tls' });
    if (config.timezone !== undefined && !isKnownTimeZone(config.timezone)) issues.push({ path: ['timezone'], message: `unknown time zone ${JSON.stringify(config.timezone)}` });
    return issues;
  },
  create(config, ctx) {
    const maxBytes = config.max_message_bytes;
    const rateLimiter = rateLimiterFrom(config.rate_limit, ctx.scheduler);
    const lines = newlineFraming({ maxLineBytes: maxBytes });
    const settings: ParseSettings = { format: config.format, timeZone: config.timezone ?? localTimeZone(), clientField: config.client_field === '' ? undefined : config.client_field, errorTag: config.parse_error_tag };
    if (config.mode === 'udp') {
      // One message per datagram (RFC 5426), newlines and all.
      return serveDatagrams(ctx, { ...hostAndPort(config.address), framing: { maxMessageBytes: maxBytes }, rateLimiter }).pipe(parseBatches(ctx, settings));
    }
    const octets = octetCounting({ maxFrameBytes: maxBytes });
    const framing = config.framing === 'auto' ? detectFraming(octets, lines) : config.framing === 'octet_counting' ? octets : lines;
    return serveStreams(ctx, streamServer(config.mode === 'tls' ? config.tls : undefined), {
      input: config.mode,
      ...hostAndPort(config.address),
      framing,
      maxConnections: config.max_connections,
      idleTimeoutMs: config.idle_timeout,
      rateLimiter,
    }).pipe(parseBatches(ctx, settings));
  },
});
