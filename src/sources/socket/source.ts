import { bytes, oneOf, optional, string } from '../../config/schema';
import { defineSource } from '../../components/define';
import { parseJson } from '../../../operators/parse/json';
import { newlineFraming, octetCounting } from '../framing';
import { checkIngestOptions, rateLimiterFrom, rateLimitOptions, tlsOptions } from '../ingest/options';
import { serveDatagrams } from './datagram-server';
import { addressIssue, connectionOptions, hostAndPort, streamServer } from './listen-options';
import { serveStreams } from './stream-server';

/**
 * Raw lines over TCP (optionally TLS), UDP or a Unix socket: one `{ message, timestamp }`
 * event per line (or per RFC 6587 frame), optionally decoded as JSON. The fastest way in:
 * each read chunk is framed on its Buffer with one timestamp and becomes one batch.
 */
export const socketSource = defineSource({
  type: 'socket',
  summary: 'Newline-delimited (or octet-counted) lines over TCP, TLS, UDP or a Unix socket.',
  options: {
    mode: oneOf(['tcp', 'udp', 'unix'] as const, { description: 'Transport. `tcp` (with `tls`: TLS), `udp` (one datagram may hold several lines), or `unix` (a stream socket at `path`).', default: 'tcp', example: 'udp' }),
    address: string({ description: 'host:port to listen on for `tcp` and `udp` (IPv6 as `[::]:9000`); port 0 picks a free one.', default: '127.0.0.1:9000', example: '0.0.0.0:9000' }),
    path: optional(string({ description: 'With `mode: unix`, the socket file to listen on (a stale socket file is replaced).', example: '/run/sluice/ingest.sock' })),
    framing: oneOf(['newline', 'octet_counting'] as const, { description: 'How a stream is cut into events: LF or CRLF line ends, or RFC 6587 `LEN SP MSG` frames.', default: 'newline', example: 'octet_counting' }),
    max_line_bytes: bytes({ description: 'Longest line (or frame) kept; longer ones are truncated to this size and counted (`line_too_long`, `frame_too_long`).', default: 1024 * 1024, min: 1, example: '64KiB' }),
    decoding: oneOf(['text', 'json'] as const, { description: '`json`: each line is a JSON object whose keys become the event\'s fields; a line that is not one is kept as `message` tagged `json_parse_error` and counted.', default: 'text', example: 'json' }),
    ...connectionOptions,
    tls: tlsOptions,
    rate_limit: rateLimitOptions,
  },
  example: { mode: 'tcp', address: '127.0.0.1:9000' },
  check(config) {
    const issues = checkIngestOptions(config);
    if (config.mode === 'unix' && config.path === undefined) issues.push({ path: ['path'], message: 'mode unix needs a socket path' });
    if (config.mode !== 'unix') {
      const problem = addressIssue(config.address);
      if (problem !== undefined) issues.push({ path: ['address'], message: problem });
    }
    if (config.tls !== undefined && config.mode !== 'tcp') issues.push({ path: ['tls'], message: 'tls needs mode tcp' });
    return issues;
  },
  create(config, ctx) {
    const maxBytes = config.max_line_bytes;
    const framing = config.framing === 'octet_counting' ? octetCounting({ maxFrameBytes: maxBytes }) : newlineFraming({ maxLineBytes: maxBytes });
    const rateLimiter = rateLimiterFrom(config.rate_limit, ctx.scheduler);
    const batches =
      config.mode === 'udp'
        ? serveDatagrams(ctx, { ...hostAndPort(config.address), framing, rateLimiter })
        : serveStreams(ctx, config.mode === 'unix' ? streamServer(undefined) : streamServer(config.tls), {
            input: config.mode === 'unix' ? 'unix' : config.tls === undefined ? 'tcp' : 'tls',
            ...(config.mode === 'unix' ? { host: config.path as string } : hostAndPort(config.address)),
            framing,
            maxConnections: config.max_connections,
            idleTimeoutMs: config.idle_timeout,
            rateLimiter,
          });
    if (config.decoding === 'text') return batches;
    return batches.pipe(parseJson({}, { onParseError: () => ctx.metrics.error('json_parse_error') }));
  },
});
