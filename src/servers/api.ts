import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ComponentStatus } from '../core/health';
import type { PipelineState } from '../graph/pipeline';
import type { Logger } from '../observability/logger';
import { componentStats } from './stats';

/** What the API needs to know about the pipeline: its lifecycle state and its components' readiness. */
export interface ApiTarget {
  readonly state: PipelineState;
  readonly health?: { notReady(): ComponentStatus[] };
}

/** What the API reads metrics from: a prom-client registry, or anything that answers like one. */
export type MetricsSource = Pick<Registry, 'contentType' | 'metrics' | 'getMetricsAsJSON'>;

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** `host:port` as in the `api.address` setting; port 0 picks a free port. */
  readonly address: string;
  /** The pipeline's metrics registry (served by `/metrics`, grouped by `/stats`), or the merged view of a primary's workers. */
  readonly registry: MetricsSource;
  readonly pipeline: ApiTarget;
  readonly logger?: Logger;
}

/** A listening API server. */
export interface ApiServer {
  readonly host: string;
  /** The bound port (the real one when port 0 was asked for). */
  readonly port: number;
  readonly url: string;
  /** Stops listening and cuts open keep-alive connections, so shutdown never waits on a scraper. */
  close(): Promise<void>;
}

type Route = (target: ApiTarget, registry: MetricsSource) => Promise<{ status: number; type: string; body: string }>;

const json = (status: number, value: unknown) => ({ status, type: 'application/json; charset=utf-8', body: `${JSON.stringify(value)}\n` });

const ROUTES: Record<string, Route> = {
  '/metrics': async (_, registry) => ({ status: 200, type: registry.contentType, body: await registry.metrics() }),
  // Liveness: answering at all is the signal; a wedged event loop cannot answer.
  '/health': async () => json(200, { status: 'ok' }),
  // Readiness: only a running pipeline whose components are all up accepts work; starting and
  // draining ones do not, nor one whose source could not bind or whose sink cannot reach its server.
  '/ready': async ({ state, health }) => {
    const waiting = health?.notReady() ?? [];
    const ready = state === 'running' && waiting.length === 0;
    return json(ready ? 200 : 503, waiting.length === 0 ? { status: ready ? 'ready' : 'not ready', state } : { status: 'not ready', state, components: waiting });
  },
  '/stats': async ({ state }, registry) => json(200, { state, components: await componentStats(registry) }),
};

/** Splits `host:port`; the host may itself hold colons only if bracketed IPv6 (`[::1]:9598`). */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid API address "${address}"; expected host:port`);
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ApiServerOptions): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://api').pathname;
  const route: Route | undefined = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
  let reply = route ? undefined : json(404, { error: 'not found', paths: Object.keys(ROUTES) });
  if (route && request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    reply = json(405, { error: 'method not allowed' });
  }
  try {
    reply ??= await (route as Route)(options.pipeline, options.registry);
  } catch (error) {
    options.logger?.error({ err: error, path }, 'API request failed');
    reply = json(500, { error: 'internal error' });
  }
  response.writeHead(reply.status, { 'content-type': reply.type, 'content-length': Buffer.byteLength(reply.body), 'cache-control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

/**
 * Serves the operational API on `options.address`: `GET /metrics` (Prometheus text),
 * `/health` (liveness), `/ready` (200 only while the pipeline runs, 503 otherwise) and
 * `/stats` (per-component counters as JSON). Resolves once listening; rejects if the address
 * cannot be bound (so `sluice run` fails before it reads any data).
 */
export function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { host, port } = parseAddress(options.address);
  const server: Server = createServer((request, response) => void handle(request, response, options));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (error) => options.logger?.error({ err: error }, 'API server error'));
      const bound = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        host,
        port: bound,
        url: `http://${urlHost}:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
