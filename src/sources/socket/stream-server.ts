import { lstatSync, unlinkSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Observable, type Subscription } from 'rxjs';
import type { Batch, BatchMeta } from '../../core/batch';
import type { SourceContext } from '../../components/context';
import type { FramerFactory } from '../framing/framer';
import type { RateLimiter } from '../ingest/rate-limit';
import { fromReadable } from '../readable';
import { listen, startSource } from '../startup';

/** How a stream (TCP, TLS, Unix) server for a source is run. */
export interface StreamServerOptions {
  /** `tcp`, `tls` or `unix`: the batches' `meta.input`, and which event accepts a client. */
  readonly input: 'tcp' | 'tls' | 'unix';
  /** Host and port, or a Unix socket path (`port` undefined). */
  readonly host: string;
  readonly port?: number;
  readonly framing: FramerFactory;
  readonly maxConnections: number;
  /** A client silent this long is disconnected (what it sent is kept); 0: never. */
  readonly idleTimeoutMs: number;
  /** Per client host; a client over its rate is not read from until its bucket refills. */
  readonly rateLimiter?: RateLimiter;
}

const hostPort = (host: string, port: number | undefined): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Serves a stream server's connections as one stream of batches: each connection is read by
 * {@link fromReadable} (framing, one timestamp per chunk, credit: a connection stops being
 * read while credit is exhausted, so the sender's TCP window closes), with
 * `meta: { source, input, peer, connection }`. A connection that fails (a reset) ends alone,
 * counted as `connection_failed`; the server and the other connections carry on.
 *
 * On `ctx.stopping` the server stops accepting, every connection emits what it holds and is
 * closed, and the observable completes once all have.
 */
export function serveStreams(ctx: SourceContext, server: Server, options: StreamServerOptions): Observable<Batch> {
  return new Observable<Batch>((subscriber) => {
    const connections = new Map<Socket, Subscription>();
    let stopping = false;
    let nextId = 0;
    const { rateLimiter, idleTimeoutMs } = options;

    const completeWhenDrained = (): void => {
      if (stopping && connections.size === 0) subscriber.complete();
    };

    /**
     * Charges a client's batch to its bucket. The events are already read, so a client over
     * its rate is not read from until its bucket can pay for them: TCP then pushes back on it.
     */
    const throttle = (limiter: RateLimiter, socket: Socket, key: string, events: number): void => {
      const waitMs = limiter.take(key, events);
      if (waitMs === 0) return;
      ctx.metrics.error('rate_limited');
      socket.pause();
      const retry = (): void => {
        if (socket.destroyed || stopping) return;
        const again = limiter.take(key, events);
        if (again > 0) ctx.scheduler.schedule(retry, again);
        else resume();
      };
      const resume = (): void => {
        if (socket.destroyed || stopping) return;
        if (ctx.credit.exhausted) ctx.credit.whenAvailable(resume);
        else socket.resume();
      };
      ctx.scheduler.schedule(retry, waitMs);
    };

    const accept = (socket: Socket): void => {
      if (stopping) {
        socket.destroy();
        return;
      }
      const address = socket.remoteAddress;
      const peer = address === undefined ? options.host : hostPort(address, socket.remotePort);
      const meta: BatchMeta = Object.freeze({ source: ctx.id, input: options.input, peer, connection: String(++nextId) });
      const key = address ?? peer;
      socket.setNoDelay(true);
      if (idleTimeoutMs > 0) {
        // The listener stays for the connection's life; the timer is re-armed by any activity.
        socket.setTimeout(idleTimeoutMs);
        socket.on('timeout', () => {
          if (socket.readableEnded) return;
          if (socket.isPaused()) return void socket.setTimeout(idleTimeoutMs); // we are the ones not reading: not idle; check again later
          ctx.metrics.error('idle_timeout');
          socket.setTimeout(0);
          socket.push(null); // ends the readable side: what is held is emitted, then the connection closes
        });
      }
      const close = (): void => {
        connections.get(socket)?.unsubscribe();
        connections.delete(socket);
        // Nothing is ever written back, so closing at once loses nothing: the client gets a
        // FIN, or a reset if it sent more after the stop (which was never read, nor acknowledged).
        socket.destroy();
        completeWhenDrained();
      };
      const subscription = fromReadable(socket, ctx, { framing: options.framing, meta }).subscribe({
        next: (batch) => {
          subscriber.next(batch);
          if (rateLimiter !== undefined) throttle(rateLimiter, socket, key, batch.events.length);
        },
        error: (error: unknown) => {
          ctx.metrics.error('connection_failed');
          ctx.logger.debug({ err: error, peer }, 'connection failed');
          close();
        },
        complete: close,
      });
      if (!subscription.closed) connections.set(socket, subscription);
      else completeWhenDrained();
    };

    server.maxConnections = options.maxConnections;
    server.on('drop', () => ctx.metrics.error('too_many_connections'));
    server.on(options.input === 'tls' ? 'secureConnection' : 'connection', accept);
    // A failed TLS handshake (no or bad client certificate) ends that client alone.
    server.on('tlsClientError', () => ctx.metrics.error('tls_handshake_failed'));
    const stop = ctx.stopping.subscribe(() => {
      stopping = true;
      server.close();
      completeWhenDrained();
    });
    const bound = options.port === undefined ? listenUnix(ctx, server, options.host) : listen(ctx, server, options.host, options.port);
    bound.then(
      (bound) => ctx.logger.info({ address: options.port === undefined ? options.host : hostPort(bound.address, bound.port), input: options.input }, `${ctx.type} source listening`),
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      stop.unsubscribe();
      server.close();
      for (const [socket, subscription] of connections) {
        subscription.unsubscribe();
        socket.destroy();
      }
      connections.clear();
    };
  });
}

/** Listens on a Unix socket path. A socket file left behind (a killed process never removes its own) is removed first; any other file there fails the bind. */
function listenUnix(ctx: SourceContext, server: Server, path: string): Promise<AddressInfo> {
  return startSource(ctx, `listen on unix:${path}`, () => new Promise<AddressInfo>((resolve, reject) => {
    try {
      if (lstatSync(path, { throwIfNoEntry: false })?.isSocket() === true) unlinkSync(path);
    } catch (error) {
      reject(error);
      return;
    }
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve({ address: path, family: 'unix', port: 0 });
    });
  }));
}
