import { status } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import type { Batch } from '../../core/batch';
import { bytes, duration, integer, string } from '../../config/schema';
import { defineSource } from '../../components/define';
import { startSource } from '../startup';
import { apiKeysFrom, checkIngestOptions, ingestOptions, rateLimiterFrom } from '../ingest/options';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';
import { DEFAULT_MAX_STRING_LENGTH } from '../ingest/normalize';
import { Intake } from './intake';
import { ingestService, ingestServiceDefinition } from './ingest-service';
import { otlpLogsService, otlpLogsServiceDefinition } from './otlp-service';
import { StreamGate } from './stream-gate';
import { bindServer, createGrpcServer, serverCredentials, setServing } from './server';
import { retryLaterError } from './status';

/** Option names, declared once: the schema below is their documentation. */
const ADDRESS = 'address';
const MAX_MESSAGE_BYTES = 'max_message_bytes';
const MAX_CONCURRENT_STREAMS = 'max_concurrent_streams';
const KEEPALIVE_TIME = 'keepalive_time';
const KEEPALIVE_TIMEOUT = 'keepalive_timeout';
const IDLE_TIMEOUT = 'idle_timeout';
const DRAIN_TIMEOUT = 'drain_timeout';
const RETRY_AFTER = 'retry_after';
const MAX_DEPTH = 'max_depth';
const MAX_STRING_CHARS = 'max_string_chars';

/** After the last answer of a drain, how long open connections get to close before they are cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * The gRPC ingest endpoint: `sluice.ingest.v1.Ingest` (Push, Stream), OTLP logs
 * (`LogsService/Export`), `grpc.health.v1.Health` and server reflection on one port.
 * Every batch is answered when its ack settles (`ack: delivered`), naming the events that
 * were invalid or not delivered. Out of credit, streams stop being read (HTTP/2 flow control
 * holds the client) and unary calls get RESOURCE_EXHAUSTED with a retry hint. On stop it
 * reports NOT_SERVING, refuses new batches with UNAVAILABLE, answers what is in flight as
 * it settles (or UNAVAILABLE at `drain_timeout`), then closes.
 */
export const grpcSource = defineSource({
  type: 'grpc',
  summary: 'A gRPC ingest endpoint: sluice.ingest.v1 (unary and streaming, per-batch acks), OTLP logs, health and reflection on one port.',
  options: {
    [ADDRESS]: string({ description: '`host:port` to listen on (`0.0.0.0:4317` for every interface, `[::]:4317` for IPv6).', default: '127.0.0.1:4317', example: '0.0.0.0:4317', pattern: /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/ }),
    ...ingestOptions,
    [MAX_MESSAGE_BYTES]: bytes({ description: 'Largest request message; a larger one is refused with RESOURCE_EXHAUSTED before it is read.', default: 4 * 1024 * 1024, example: '16MiB', min: 1024, max: 2 ** 31 - 1 }),
    [MAX_CONCURRENT_STREAMS]: integer({ description: 'Most calls at once on one client connection (HTTP/2 streams).', default: 100, example: 16, min: 1, max: 2 ** 31 - 1 }),
    [KEEPALIVE_TIME]: duration({ description: 'Ping a connection after it was quiet this long, to find dead clients.', default: 60_000, example: '30s', min: 1000 }),
    [KEEPALIVE_TIMEOUT]: duration({ description: 'Close a connection whose ping is not answered within this.', default: 20_000, example: '10s', min: 100 }),
    [IDLE_TIMEOUT]: duration({ description: 'Close a connection that had no call for this long (the client reconnects when it needs to).', default: 300_000, example: '1m', min: 1000 }),
    [DRAIN_TIMEOUT]: duration({ description: 'On stop, how long in-flight batches may take to settle; those still unanswered then fail with UNAVAILABLE (the client resends them). Keep it below the pipeline\'s `shutdown_timeout`.', default: 25_000, example: '10s', min: 0 }),
    [RETRY_AFTER]: duration({ description: 'The retry hint sent with RESOURCE_EXHAUSTED when the source is out of credit (`retry-after-ms` trailer and google.rpc.RetryInfo).', default: 500, example: '1s', min: 1 }),
    [MAX_DEPTH]: integer({ description: 'Deepest nesting of an event\'s fields (the event is level 1); a deeper event is refused by index.', default: DEFAULT_MAX_DEPTH, example: 16, min: 1, max: 1000 }),
    [MAX_STRING_CHARS]: integer({ description: 'Longest string value or key in an event, in characters; a longer one refuses the event.', default: DEFAULT_MAX_STRING_LENGTH, example: 65536, min: 1 }),
  },
  example: { address: '127.0.0.1:4317' },
  check: (config) => checkIngestOptions(config),
  create(config, ctx) {
    return new Observable<Batch>((subscriber) => {
      const intake = new Intake(ctx, {
        apiKeys: apiKeysFrom(config.auth),
        rateLimiter: rateLimiterFrom(config.rate_limit, ctx.scheduler),
        ack: config.ack,
        limits: { maxDepth: config[MAX_DEPTH], maxStringLength: config[MAX_STRING_CHARS] },
        creditRetryMs: config[RETRY_AFTER],
      });
      const gate = new StreamGate(ctx.credit);
      const { server, health } = createGrpcServer(ctx, {
        maxMessageBytes: config[MAX_MESSAGE_BYTES],
        maxConcurrentStreams: config[MAX_CONCURRENT_STREAMS],
        keepaliveTimeMs: config[KEEPALIVE_TIME],
        keepaliveTimeoutMs: config[KEEPALIVE_TIMEOUT],
        idleTimeoutMs: config[IDLE_TIMEOUT],
      });
      server.addService(ingestServiceDefinition, ingestService(intake, gate));
      server.addService(otlpLogsServiceDefinition, otlpLogsService(intake));
      intake.attach(subscriber);

      let phase: 'running' | 'draining' | 'closed' = 'running';
      let deadline: NodeJS.Timeout | undefined;
      const drainRefusal = { code: status.UNAVAILABLE, details: 'sluice stopped before this batch settled; resend it', retryAfterMs: 1000, reason: 'draining' } as const;

      const close = (): void => {
        if (phase === 'closed') return;
        phase = 'closed';
        if (deadline !== undefined) clearTimeout(deadline);
        const force = setTimeout(() => server.forceShutdown(), CLOSE_GRACE_MS);
        force.unref();
        server.tryShutdown(() => clearTimeout(force));
      };

      const failInFlight = (): void => {
        intake.failOwed(drainRefusal);
        gate.failAll(retryLaterError(status.UNAVAILABLE, drainRefusal.details, drainRefusal.retryAfterMs));
      };

      const drain = (): void => {
        if (phase !== 'running') return;
        phase = 'draining';
        intake.draining = true;
        setServing(health, 'NOT_SERVING');
        gate.drain(retryLaterError(status.UNAVAILABLE, 'sluice is draining; reconnect and resend what was not answered', 1000));
        deadline = setTimeout(() => {
          ctx.logger.warn({ unanswered: intake.owedAnswers }, 'drain deadline: failing in-flight batches with UNAVAILABLE');
          failInFlight();
          close();
        }, config[DRAIN_TIMEOUT]);
        deadline.unref();
        intake.whenIdle(() => close());
        // Everything read is already emitted: completing now is what lets the graph drain.
        intake.attach(undefined);
        subscriber.complete();
      };

      startSource(ctx, `listen on ${config[ADDRESS]}`, () => bindServer(server, config[ADDRESS], serverCredentials(config.tls))).then(
        (port) => {
          if (phase !== 'running') return;
          ctx.logger.info({ address: config[ADDRESS], port }, 'grpc source listening');
          setServing(health, 'SERVING');
        },
        (error: unknown) => {
          phase = 'closed';
          server.forceShutdown();
          subscriber.error(error);
        },
      );
      const stopping = ctx.stopping.subscribe(drain);

      return () => {
        stopping.unsubscribe();
        // Unsubscribed without a stop (the graph failed): nothing downstream will settle more.
        if (phase === 'running') {
          intake.attach(undefined);
          intake.draining = true;
          setServing(health, 'NOT_SERVING');
          failInFlight();
          close();
        }
      };
    });
  },
});
