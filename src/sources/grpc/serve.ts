import { status } from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import type { SourceContext } from '../../components/context';
import type { Batch } from '../../core/batch';
import { startSource } from '../startup';
import { apiKeysFrom, rateLimiterFrom } from '../ingest/options';
import { Intake } from './intake';
import { ingestService, ingestServiceDefinition } from './ingest-service';
import { otlpLogsService, otlpLogsServiceDefinition } from './otlp-service';
import { ADDRESS, DRAIN_TIMEOUT, IDLE_TIMEOUT, KEEPALIVE_TIME, KEEPALIVE_TIMEOUT, MAX_CONCURRENT_STREAMS, MAX_DEPTH, MAX_MESSAGE_BYTES, MAX_STRING_CHARS, RETRY_AFTER, type GrpcSourceConfig } from './options';
import { StreamGate } from './stream-gate';
import { bindServer, createGrpcServer, serverCredentials, setServing } from './server';
import { retryLaterError } from './status';

/** After the last answer of a drain, how long open connections get to close before they are cut. */
const CLOSE_GRACE_MS = 1000;

/** Runs the gRPC ingest endpoint of one `type: grpc` source (see the definition in ./index). */
export function serveGrpc(config: GrpcSourceConfig, ctx: SourceContext): Observable<Batch> {
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
}
