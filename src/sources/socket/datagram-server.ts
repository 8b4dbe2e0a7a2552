import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Observable } from 'rxjs';
import type { Batch } from '../../core/batch';
import type { LogEvent } from '../../core/event';
import type { SourceContext } from '../../components/context';
import { utf8Boundary, type FramerFactory } from '../framing/framer';
import type { RateLimiter } from '../ingest/rate-limit';
import { bindUdp } from '../startup';

/** How a UDP socket for a source is run. */
export interface DatagramServerOptions {
  readonly host: string;
  readonly port: number;
  /**
   * How one datagram becomes events: a framer (a fresh one per datagram: datagrams share no
   * state), or `{ maxMessageBytes }` for one event per datagram (syslog, RFC 5426), cut to that size.
   */
  readonly framing: FramerFactory | { readonly maxMessageBytes: number };
  /** Per client host; datagrams over the rate are dropped and counted. */
  readonly rateLimiter?: RateLimiter;
  /** Kernel receive buffer to ask for, bytes; undefined: the OS default. */
  readonly receiveBufferBytes?: number;
}

/**
 * Serves UDP datagrams as batches, one per datagram, with `meta: { source, input: 'udp', peer }`.
 * UDP cannot push back: a datagram that arrives while credit is exhausted is dropped and
 * counted (`discarded_events_total{reason="no_credit"}`), as is one over its client's rate
 * (`rate_limited`). On `ctx.stopping` the socket closes and the observable completes.
 */
export function serveDatagrams(ctx: SourceContext, options: DatagramServerOptions): Observable<Batch> {
  return new Observable<Batch>((subscriber) => {
    const socket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4', reuseAddr: false });
    const countError = (errorType: string): void => ctx.metrics.error(errorType);
    const { rateLimiter } = options;
    let open = true;

    const receive = (datagram: Buffer, client: RemoteInfo): void => {
      if (!open) return;
      if (ctx.credit.exhausted) return ctx.metrics.discard('no_credit', 1);
      if (rateLimiter !== undefined && rateLimiter.take(client.address, 1) > 0) return ctx.metrics.discard('rate_limited', 1);
      const timestamp = new Date(ctx.scheduler.now()).toISOString();
      const events: LogEvent[] = [];
      const { framing } = options;
      if (typeof framing === 'function') {
        const framer = framing(countError);
        framer.push(datagram, timestamp, events);
        framer.end(timestamp, events);
        if (events.length === 0) return;
      } else {
        let end = datagram.length;
        if (end > framing.maxMessageBytes) {
          countError('frame_too_long');
          end = utf8Boundary(datagram, 0, framing.maxMessageBytes);
        }
        events.push({ message: datagram.toString('utf8', 0, end), timestamp });
      }
      const peer = client.family === 'IPv6' ? `[${client.address}]:${client.port}` : `${client.address}:${client.port}`;
      subscriber.next({ events, ack: ctx.track(events.length, datagram.length), bytes: datagram.length, meta: { source: ctx.id, input: 'udp', peer } });
    };

    const close = (): void => {
      if (!open) return;
      open = false;
      socket.off('message', receive);
      socket.close();
    };

    socket.on('message', receive);
    const stop = ctx.stopping.subscribe(() => {
      close();
      subscriber.complete();
    });
    bindUdp(ctx, socket, options.host, options.port).then(
      (bound) => {
        // After the bind, a socket error (rare on UDP) ends the source.
        socket.on('error', (error) => {
          if (!open) return;
          close();
          subscriber.error(error);
        });
        if (options.receiveBufferBytes !== undefined) socket.setRecvBufferSize(options.receiveBufferBytes);
        ctx.logger.info({ address: `${bound.address}:${bound.port}`, input: 'udp' }, `${ctx.type} source listening`);
      },
      (error: unknown) => {
        open = false;
        subscriber.error(error);
      },
    );
    return () => {
      stop.unsubscribe();
      close();
    };
  });
}
