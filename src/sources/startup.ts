import type { Socket as UdpSocket } from 'node:dgram';
import type { AddressInfo, Server } from 'node:net';
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { ComponentContext } from '../components/context';

/**
 * A source could not start (bind its port, reach its broker). The message names the
 * component and the OS error, `source "syslog_in": cannot listen on 0.0.0.0:5514: EADDRINUSE
 * (address already in use)`, because it is what `sluice run` prints before exiting 1.
 */
export class SourceStartError extends Error {
  override name = 'SourceStartError';
  constructor(
    /** The component id. */
    readonly component: string,
    message: string,
    /** The OS error code (`EADDRINUSE`, `EACCES`, `ECONNREFUSED`), when there is one. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `EADDRINUSE (address already in use)` from Node's `listen EADDRINUSE: address already in use 0.0.0.0:5514`. */
function describeOsError(error: Error & { code?: unknown }): string {
  if (typeof error.code !== 'string') return error.message;
  const detail = /^\S+ [A-Z0-9_]+: (.+?)(?: \S*:\d+)?$/.exec(error.message);
  return detail ? `${error.code} (${detail[1]})` : error.code;
}

/** Duck-typed: Node's own errors may come from another realm (jest's VM sandbox), failing `instanceof Error`. */
function asError(value: unknown): Error & { code?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string' ? (value as Error) : new Error(String(value));
}

/** The {@link SourceStartError} of component `ctx.id` failing to `action` (`listen on 0.0.0.0:5514`). */
export function sourceStartError(ctx: Pick<ComponentContext, 'id'>, action: string, error: unknown): SourceStartError {
  if (error instanceof SourceStartError) return error;
  const cause = asError(error);
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  return new SourceStartError(ctx.id, `source "${ctx.id}": cannot ${action}: ${describeOsError(cause)}`, code, { cause });
}

/**
 * Runs a source's start-up (bind, connect) with its readiness reported: `starting` now,
 * `ready` once `start` resolves, `down` with the reason when it rejects, and the rejection
 * turned into a {@link SourceStartError} naming the component and the OS error. The source
 * errors its observable with it: the graph then fails the run (see {@link failRunBeforeFirstBatch}).
 *
 * @example
 * startSource(ctx, `connect to ${brokers}`, () => consumer.connect()).then(consume, (error) => subscriber.error(error));
 */
export async function startSource<T>(ctx: ComponentContext, action: string, start: () => Promise<T>): Promise<T> {
  ctx.health.starting();
  try {
    const started = await start();
    ctx.health.ready();
    return started;
  } catch (error) {
    const failure = sourceStartError(ctx, action, error);
    ctx.health.down(failure);
    throw failure;
  }
}

/** `host:port`, bracketing an IPv6 host. */
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Binds a TCP, TLS or HTTP server for a source (see {@link startSource}); resolves with the
 * bound address (the real port when 0 was asked). Errors after the bind stay the source's.
 */
export function listen(ctx: ComponentContext, server: Server, host: string, port: number): Promise<AddressInfo> {
  return startSource(ctx, `listen on ${hostPort(host, port)}`, () => new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  }));
}

/** Binds a UDP socket for a source (see {@link startSource}); resolves with the bound address. */
export function bindUdp(ctx: ComponentContext, socket: UdpSocket, host: string, port: number): Promise<AddressInfo> {
  return startSource(ctx, `bind udp ${hostPort(host, port)}`, () => new Promise<AddressInfo>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket.address());
    });
  }));
}

/**
 * The graph's rule for a source that fails before it emitted anything: that is a failed
 * start, not a crash mid-run, so it is marked `down` (`/ready` names it) and `onStartFailure`
 * runs (the graph stops the other sources, so the run drains and `sluice run` exits 1). The
 * error still flows on: the graph's guard logs and counts it as for any component failure.
 */
export function failRunBeforeFirstBatch<T>(ctx: ComponentContext, onStartFailure: (error: Error) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let emitted = false;
      return source.pipe(
        tap({
          next: () => void (emitted = true),
          error: (error: unknown) => {
            if (emitted) return;
            const failure = asError(error);
            ctx.health.down(failure);
            ctx.logger.error({ err: failure }, 'source failed to start; stopping the pipeline');
            onStartFailure(failure);
          },
        }),
      );
    });
}
