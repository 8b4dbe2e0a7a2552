import type { Server } from 'node:http';
import { Observable, type Subscription } from 'rxjs';
import type { Batch } from '../../core/batch';
import { bytes, duration, integer, list, string } from '../../config/schema';
import { defineSource } from '../../components/define';
import type { SourceContext } from '../../components/context';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';
import { listen } from '../startup';
import { DEFAULT_MAX_STRING_LENGTH } from '../ingest/normalize';
import { apiKeysFrom, checkIngestOptions, ingestOptions, rateLimiterFrom, secureContextOptions } from '../ingest/options';
import { parseAddress } from './address';
import { IngestHandler, type HandlerSettings } from './handler';
import { createIngestServer, type ServerLimits } from './server';

export const httpSource = defineSource({
  type: 'http',
  summary: 'HTTP ingest API: POST JSON, NDJSON, CSV or text to /logs or /ingest; answered once delivered.',
  options: {
    address: string({ description: 'host:port to listen on (IPv6 as `[::]:8080`); port 0 picks a free one.', default: '127.0.0.1:8080', example: '0.0.0.0:8080' }),
    paths: list(string({ description: 'A path.', pattern: /^\/\S*$/ }), { description: 'Paths that accept POSTed logs.', default: ['/logs', '/ingest'], minItems: 1 }),
    max_body_bytes: bytes({ description: 'Largest request body, on the wire and again after decompression; larger gets 413 without being buffered.', default: 10 * 1024 * 1024, example: '1MiB', min: 1, max: 1024 ** 3 }),
    max_connections: integer({ description: 'Most open client connections; more are refused.', default: 1024, min: 1 }),
    header_timeout: duration({ description: 'Longest time to receive request headers (slow-loris bound).', default: 10_000, min: 1, example: '5s' }),
    body_timeout: duration({ description: 'Longest pause while reading a body; the request then gets 408.', default: 10_000, min: 1, example: '5s' }),
    request_timeout: duration({ description: 'Longest time to receive a whole request, headers and body.', default: 60_000, min: 1, example: '30s' }),
    keep_alive_timeout: duration({ description: 'How long an idle keep-alive connection stays open.', default: 5_000, min: 1, example: '30s' }),
    ack_timeout: duration({ description: 'With `ack: delivered`, longest wait for delivery before answering 503 (the events may still arrive: clients resend, at least once).', default: 30_000, min: 1, example: '2m' }),
    max_header_bytes: bytes({ description: 'Largest request header block; larger gets 431.', default: 16 * 1024, min: 1024, max: 1024 * 1024 }),
    max_depth: integer({ description: 'Most levels of nesting in one event (the event is level 1), as the json transform; deeper items are refused.', default: DEFAULT_MAX_DEPTH, min: 1, max: 1000 }),
    max_string_length: integer({ description: 'Longest string value or key in an event, in characters; longer items are refused.', default: DEFAULT_MAX_STRING_LENGTH, min: 1 }),
    ...ingestOptions,
  },
  example: { address: '127.0.0.1:8080' },
  check(config) {
    const issues = checkIngestOptions(config);
    const address = parseAddress(config.address);
    if ('error' in address) issues.push({ path: ['address'], message: address.error });
    return issues;
  },
  create(config, ctx) {
    return new Observable<Batch>((subscriber) => {
      const address = parseAddress(config.address);
      if ('error' in address) throw new Error(address.error);
      const settings: HandlerSettings = {
        paths: new Set(config.paths),
        maxBodyBytes: config.max_body_bytes,
        bodyIdleTimeoutMs: config.body_timeout,
        ackTimeoutMs: config.ack_timeout,
        ack: config.ack,
        limits: { maxDepth: config.max_depth, maxStringLength: config.max_string_length },
        keys: apiKeysFrom(config.auth),
        rateLimiter: rateLimiterFrom(config.rate_limit, ctx.scheduler),
      };
      const limits: ServerLimits = {
        headerTimeoutMs: config.header_timeout,
        requestTimeoutMs: config.request_timeout,
        keepAliveTimeoutMs: config.keep_alive_timeout,
        maxConnections: config.max_connections,
        maxHeaderBytes: config.max_header_bytes,
      };
      const handler = new IngestHandler(ctx, settings, (batch) => subscriber.next(batch));
      const tls = config.tls === undefined ? undefined : secureContextOptions(config.tls);
      const server = createIngestServer(limits, tls, (request, response, expectsContinue) => handler.handle(request, response, expectsContinue), (reason) => ctx.metrics.error(reason));
      const stop = drainOnStop(ctx, server, handler, config.ack_timeout, () => subscriber.complete());
      listen(ctx, server, address.host, address.port).then(
        (bound) => ctx.logger.info({ address: `${bound.address}:${bound.port}`, tls: tls !== undefined }, 'http source listening'),
        (error: unknown) => subscriber.error(error),
      );
      // Also runs on completion (drain): requests waiting for their ack keep their connections,
      // are answered with `Connection: close` when the ack settles (or at ack_timeout), and
      // requests still being received are bounded by request_timeout.
      return () => {
        stop.unsubscribe();
        handler.drain(() => server.close());
      };
    });
  },
});

/**
 * On `ctx.stopping`: answer every new request 503 with `Retry-After` and `Connection: close`
 * (new connections and kept-alive ones alike, so clients learn to go elsewhere rather than
 * meeting a reset; `/ready` already answers 503 once the pipeline stops), and complete, so
 * the graph drains.
 * Requests already emitted are answered when their ack settles; once none is left the server
 * stops listening and closes idle connections. A drain that outlasts `ack_timeout` (every
 * waiting request has had its 503 by then) closes the server anyway.
 */
function drainOnStop(ctx: SourceContext, server: Server, handler: IngestHandler, ackTimeoutMs: number, complete: () => void): Subscription {
  return ctx.stopping.subscribe(() => {
    const fallback = ctx.scheduler.schedule(() => {
      server.close();
      server.closeIdleConnections();
    }, ackTimeoutMs + 1000);
    handler.drain(() => {
      fallback.unsubscribe();
      server.close();
    });
    complete();
  });
}
